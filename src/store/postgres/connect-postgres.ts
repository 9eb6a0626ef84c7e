import { Kysely, PostgresDialect } from 'kysely';
import type { Database } from '../sql/schema.ts';

/** A pooled PostgreSQL connection that gives up after `timeoutMs` instead of hanging. */
export async function connectPostgres(url: string, poolSize: number, timeoutMs: number): Promise<Kysely<Database>> {
  // Loaded only where PostgreSQL is configured: the SQLite default carries no pg driver.
  const { default: pg } = await import('pg');
  // int8 (bigint) columns hold epoch milliseconds and counts: all well inside
  // Number's exact range, so read them as numbers rather than strings.
  pg.types.setTypeParser(20, (value: string) => Number(value));
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    idleTimeoutMillis: 30_000,
  });
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it on the next query.
  });
  // A client that is checked out when the server goes away emits 'error' too; without a
  // listener that would end the process. The query in flight fails instead (503).
  pool.on('connect', (client) => client.on('error', () => {}));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
