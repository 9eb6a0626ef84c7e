import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely } from 'kysely';
import type { Stores } from '../core/ports/stores.ts';
import { memoryStores } from './memory/memory-stores.ts';
import type { Dialect } from './migrations/dialect.ts';
import { migrateToLatest } from './migrations/migrate.ts';
import type { Database } from './sql/schema.ts';
import { sqlStores } from './sql/sql-stores.ts';
import { sqliteHotReads, type HotReads } from './sqlite/hot-reads.ts';
import { nodeSqliteDialect, openSqliteFile } from './sqlite/node-sqlite-dialect.ts';

export interface OpenedDatabase {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Direct primary-key reads (SQLite only). */
  hot?: HotReads;
}

/** Where the data lives, parsed from DATABASE_URL. */
export type DatabaseTarget = { kind: 'memory' } | { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/** Opens the SQL database a target names (not for `memory`). */
export function openDatabase(target: Exclude<DatabaseTarget, { kind: 'memory' }>): OpenedDatabase {
  if (target.kind === 'sqlite') {
    if (target.path !== ':memory:') mkdirSync(dirname(target.path), { recursive: true });
    const file = openSqliteFile(target.path);
    return { db: new Kysely<Database>({ dialect: nodeSqliteDialect(file) }), dialect: 'sqlite', hot: sqliteHotReads(file) };
  }
  throw new Error('PostgreSQL support is not built yet; use a sqlite: DATABASE_URL');
}

/** Opens and migrates the stores for a target. */
export async function openStores(target: DatabaseTarget): Promise<Stores> {
  if (target.kind === 'memory') return memoryStores();
  const { db, dialect, hot } = openDatabase(target);
  await migrateToLatest(db as Kysely<unknown>, dialect);
  return sqlStores(db, hot);
}
