/** The SQL databases Gatehouse runs on; migrations branch on it only where types differ. */
export type Dialect = 'sqlite' | 'postgres';
