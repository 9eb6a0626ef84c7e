// Fills a benchmark database quickly: users by direct SQL (one shared password
// hash: hashing a million passwords would take hours), sessions through the core.
import { randomUUID } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import { hash } from '@node-rs/argon2';
import pg from 'pg';
import { boot } from '../src/boot.ts';
import type { Config } from '../src/config.ts';
import type { Core } from '../src/core/core.ts';
import { DEFAULT_HASH_SETTINGS } from '../src/core/passwords.ts';
import { openStores } from '../src/store/open-stores.ts';

export const BENCH_PASSWORD = 'bench-password-1';
export const emailOf = (i: number) => `user${i}@bench.example`;

/** Creates the schema and `count` users (ids 1..count). */
export async function seedUsers(path: string, count: number): Promise<void> {
  const stores = await openStores({ kind: 'sqlite', path });
  await stores.close();
  const passwordHash = await hash(BENCH_PASSWORD, {
    algorithm: 2 as never,
    memoryCost: DEFAULT_HASH_SETTINGS.memoryCost,
    timeCost: DEFAULT_HASH_SETTINGS.timeCost,
    parallelism: 1,
  });
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;');
  const insert = db.prepare(
    'INSERT INTO users (id, uuid, email, username, username_key, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const now = Date.now();
  for (let start = 1; start <= count; start += 10_000) {
    db.exec('BEGIN');
    for (let i = start; i < Math.min(start + 10_000, count + 1); i++) insert.run(i, randomUUID(), emailOf(i), `user${i}`, `user${i}`, passwordHash, now, now);
    db.exec('COMMIT');
  }
  db.close();
}

/** Creates the schema and `count` users on PostgreSQL (multi-row inserts of 1,000). */
export async function seedUsersPostgres(url: string, count: number): Promise<void> {
  const stores = await openStores({ kind: 'postgres', url });
  await stores.close();
  const passwordHash = await hash(BENCH_PASSWORD, {
    algorithm: 2 as never,
    memoryCost: DEFAULT_HASH_SETTINGS.memoryCost,
    timeCost: DEFAULT_HASH_SETTINGS.timeCost,
    parallelism: 1,
  });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const now = Date.now();
  for (let start = 1; start <= count; start += 1000) {
    const values: unknown[] = [];
    const rows: string[] = [];
    for (let i = start; i < Math.min(start + 1000, count + 1); i++) {
      const b = values.length;
      rows.push(`($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, $${b + 7}, $${b + 7})`);
      values.push(i, randomUUID(), emailOf(i), `user${i}`, `user${i}`, passwordHash, now);
    }
    await client.query(`INSERT INTO users (id, uuid, email, username, username_key, password_hash, created_at, updated_at) VALUES ${rows.join(', ')}`, values);
  }
  await client.query(`SELECT setval(pg_get_serial_sequence('users', 'id'), ${count})`);
  await client.end();
}

export interface Tokens {
  access: string[];
  refresh: string[];
}

/** Logs `count` users in through the core (no HTTP, no hashing), spread evenly over the user ids. */
export async function createSessions(core: Core, users: number, count: number): Promise<Tokens> {
  const access: string[] = [];
  const refresh: string[] = [];
  const step = Math.max(1, Math.floor(users / count));
  for (let n = 0; n < count; n++) {
    const user = await core.accounts.findById(1 + ((n * step) % users));
    if (!user) throw new Error('seeded user missing');
    const grant = await core.sessions.start(user, { accessTtl: 3600, withRefreshToken: true });
    access.push(grant.accessToken);
    refresh.push(grant.refreshToken!);
  }
  return { access, refresh };
}

export async function openCore(config: Config): Promise<Core> {
  return boot(config);
}
