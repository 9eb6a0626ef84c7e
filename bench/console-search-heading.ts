/** The heading of the console search section in bench/RESULTS.md, which bench/run.ts keeps when it rewrites the file. */
export const CONSOLE_SEARCH_HEADING = '## Staff console: account search at 1,000,000 accounts';
