// What a Gatehouse store holds of the OpenID provider's entries (codes, tokens,
// grants, sessions), read from outside the server: the `oidc` part's store-growth
// figures (bench/run.ts).
import { DatabaseSync } from 'node:sqlite';
import { Redis } from 'ioredis';
import pg from 'pg';

export interface StoreSize {
  /** Rows (SQL) or keys (Redis) of the provider's entries. */
  entries: number;
  /** The bytes that hold them: the SQLite database's pages, Redis's used_memory, the PostgreSQL table with its indexes. */
  bytes: number;
}

/** SQLite: rows of `oidc_payloads`, and the database's size as a reader sees it (its pages, the WAL's committed ones included). */
export function sqliteSize(dbPath: string): StoreSize {
  const db = new DatabaseSync(dbPath, { readOnly: true });
  try {
    const { n } = db.prepare('SELECT count(*) AS n FROM oidc_payloads').get() as { n: number };
    const { page_count } = db.prepare('PRAGMA page_count').get() as { page_count: number };
    const { page_size } = db.prepare('PRAGMA page_size').get() as { page_size: number };
    return { entries: n, bytes: page_count * page_size };
  } finally {
    db.close();
  }
}

/**
 * Redis: keys under the provider's prefix (`REDIS_PREFIX` + `oidc:`, src/store/redis/redis-oidc-payload-store.ts: entries
 * and their grant, uid and user-code indexes), and the server's used_memory (everything, so compare before and after).
 */
export async function redisSize(url: string, prefix = 'gatehouse:'): Promise<StoreSize> {
  const redis = new Redis(url, { lazyConnect: true });
  await redis.connect();
  try {
    let entries = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}oidc:*`, 'COUNT', 1000);
      entries += keys.length;
      cursor = next;
    } while (cursor !== '0');
    const used = /used_memory:(\d+)/.exec(await redis.info('memory'))?.[1];
    return { entries, bytes: Number(used) };
  } finally {
    redis.disconnect();
  }
}

/** PostgreSQL: rows of `oidc_payloads` (with Redis configured, the provider's entries are in Redis: expected 0). */
export async function postgresSize(url: string): Promise<StoreSize> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string; bytes: string }>(
      "SELECT count(*) AS n, pg_total_relation_size('oidc_payloads') AS bytes FROM oidc_payloads",
    );
    return { entries: Number(rows[0]!.n), bytes: Number(rows[0]!.bytes) };
  } finally {
    await client.end();
  }
}
