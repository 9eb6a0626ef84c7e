import { dirname } from 'node:path';
import { sql, Kysely } from 'kysely';
import type { Stores } from '../core/ports/stores.ts';
import { memoryStores } from './memory/memory-stores.ts';
import type { Dialect } from './migrations/dialect.ts';
import { migrateToLatest } from './migrations/migrate.ts';
import { connectPostgres } from './postgres/connect-postgres.ts';
import { connectRedis } from './redis/connect-redis.ts';
import { RedisOidcPayloadStore } from './redis/redis-oidc-payload-store.ts';
import { RedisLockoutStore } from './redis/redis-lockout-store.ts';
import { RedisMfaChallengeStore } from './redis/redis-mfa-challenge-store.ts';
import { RedisResetStore } from './redis/redis-reset-store.ts';
import { RedisSessionStore } from './redis/redis-session-store.ts';
import type { Database } from './sql/schema.ts';
import { sqlStores } from './sql/sql-stores.ts';
import { sqliteHotReads, type HotReads } from './sqlite/hot-reads.ts';
import { nodeSqliteDialect, openSqliteFile } from './sqlite/node-sqlite-dialect.ts';
import { isOutage, reportOutages, type StoreObserver } from './unavailable.ts';
import { AuthReadCache, cachedSessions, cachedUsers, type Freshness } from './cache/auth-read-cache.ts';
import { ChangeChannel } from './redis/change-channel.ts';
import { ensureWritableFolder, retryUntil } from './folders.ts';
import { StartupError } from '../startup-error.ts';

export interface OpenedDatabase {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Direct primary-key reads (SQLite only). */
  hot?: HotReads;
}

/** Where the data lives, parsed from DATABASE_URL. */
export type DatabaseTarget = { kind: 'memory' } | { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

export interface StoreOptions {
  /** Sessions, lockout counters and reset tokens go to Redis when set. */
  redisUrl?: string | null;
  redisPrefix?: string;
  /** PostgreSQL connections per instance. */
  poolSize?: number;
  /** How long a backend may take before a request gets 503 (ms). */
  timeoutMs?: number;
  /** How long to keep trying to reach PostgreSQL and Redis at start (ms). */
  startupWaitMs?: number;
  /** Times every PostgreSQL and Redis store call (metrics). */
  observe?: StoreObserver;
  /** Keep sessions and users read by every request in memory, with proven freshness (default true). */
  cache?: boolean;
}

// PostgreSQL at start: not up yet, or its role or database not created yet (compose-style start order).
const NOT_READY_YET = new Set(['28000', '28P01', '3D000', '57P03']);
const notReadyYet = (error: unknown) => isOutage(error) || NOT_READY_YET.has((error as { code?: string }).code ?? '');

/** Opens the SQL database a target names (not for `memory`). */
export async function openDatabase(target: Exclude<DatabaseTarget, { kind: 'memory' }>, options: StoreOptions = {}): Promise<OpenedDatabase> {
  if (target.kind === 'sqlite') {
    if (target.path !== ':memory:') ensureWritableFolder(dirname(target.path), 'DATABASE_URL');
    const file = openSqliteFile(target.path);
    return { db: new Kysely<Database>({ dialect: nodeSqliteDialect(file) }), dialect: 'sqlite', hot: sqliteHotReads(file) };
  }
  return { db: await connectPostgres(target.url, options.poolSize ?? 10, options.timeoutMs ?? 2000), dialect: 'postgres' };
}

/** Opens and migrates the stores for a target; with `redisUrl`, the session-side ports live in Redis. */
export async function openStores(target: DatabaseTarget, options: StoreOptions = {}): Promise<Stores> {
  const { stores: base, hot } = target.kind === 'memory' ? { stores: memoryStores(), hot: undefined } : await openSql(target, options);
  if (!options.redisUrl) {
    // SQLite alone: another process's commit changes data_version; this process's writes evict directly.
    if (!hot || options.cache === false) return base;
    const cache = new AuthReadCache(sqliteFreshness(hot));
    return { ...base, sessions: cachedSessions(base.sessions, cache), users: cachedUsers(base.users, cache) };
  }
  const redisUrl = options.redisUrl;
  const redis = await retryUntil(
    options.startupWaitMs ?? 0,
    () => connectRedis(redisUrl, options.timeoutMs ?? 2000),
    () => true,
  ).catch(async (error: unknown) => {
    await base.close();
    throw new StartupError(`REDIS_URL: cannot connect to ${redisUrl.replace(/\/\/[^@/]*@/, '//***@')} (${(error as Error).message})`, { cause: error });
  });
  const prefix = options.redisPrefix ?? 'gatehouse:';
  // Several instances: every change that can end or alter a session is published before it is acknowledged.
  // Without the cache, writes are still published: other instances may cache.
  const sqlite = hot ? sqliteFreshness(hot) : undefined;
  const cache = new AuthReadCache({
    generation: () => {
      if (options.cache === false) return null;
      const heard = channel.generation();
      if (heard === null || !sqlite) return heard;
      const local = sqlite.generation();
      return local === null ? null : `${heard}${local}`;
    },
  });
  const channel = new ChangeChannel(redis, prefix, () => cache);
  const sessions = reportOutages(new RedisSessionStore(redis, prefix), 'redis.sessions', options.observe);
  return {
    ...base,
    users: cachedUsers(base.users, cache, channel),
    sessions: cachedSessions(sessions, cache, channel),
    lockouts: reportOutages(new RedisLockoutStore(redis, prefix), 'redis.lockouts', options.observe),
    resets: reportOutages(new RedisResetStore(redis, prefix), 'redis.resets', options.observe),
    mfaChallenges: reportOutages(new RedisMfaChallengeStore(redis, prefix), 'redis.mfa_challenges', options.observe),
    oidcPayloads: reportOutages(new RedisOidcPayloadStore(redis, prefix), 'redis.oidc', options.observe),
    async ping() {
      await base.ping();
      await redis.ping().catch((error: unknown) => {
        throw isOutage(error) ? new Error('Redis is unreachable') : error;
      });
    },
    async close() {
      channel.close();
      redis.disconnect();
      await base.close();
    },
  };
}

/** How long a read of SQLite's data_version is reused: the bound on how late another process's commit is seen. */
export const DATA_VERSION_REUSE_MS = 1;

/**
 * Freshness on SQLite: `PRAGMA data_version` changes when another connection
 * (another process) commits. Reading it costs about as much as the primary-key
 * read the cache saves, so one reading serves for DATA_VERSION_REUSE_MS: another
 * process's change is seen at most 1 ms late; this process's own writes evict
 * at once regardless.
 */
function sqliteFreshness(hot: HotReads): Freshness {
  let readAt = Number.NEGATIVE_INFINITY;
  let version = '';
  return {
    generation() {
      const now = performance.now();
      if (now - readAt >= DATA_VERSION_REUSE_MS) {
        version = `d${hot.dataVersion()}`;
        readAt = now;
      }
      return version;
    },
  };
}

async function openSql(target: Exclude<DatabaseTarget, { kind: 'memory' }>, options: StoreOptions): Promise<{ stores: Stores; hot?: HotReads }> {
  const { db, dialect, hot } = await openDatabase(target, options);
  try {
    await retryUntil(options.startupWaitMs ?? 0, () => migrateToLatest(db as Kysely<unknown>, dialect), notReadyYet);
  } catch (error) {
    await db.destroy();
    if (notReadyYet(error)) throw new StartupError(`DATABASE_URL: cannot reach the database (${(error as Error).message})`, { cause: error });
    throw error;
  }
  const stores = sqlStores(db, { dialect, hot });
  if (dialect === 'sqlite') return { stores, hot };
  const wrapped: Stores = {
    users: reportOutages(stores.users, 'postgres.users', options.observe),
    sessions: reportOutages(stores.sessions, 'postgres.sessions', options.observe),
    lockouts: reportOutages(stores.lockouts, 'postgres.lockouts', options.observe),
    resets: reportOutages(stores.resets, 'postgres.resets', options.observe),
    outbox: reportOutages(stores.outbox, 'postgres.outbox', options.observe),
    products: reportOutages(stores.products, 'postgres.products', options.observe),
    audit: reportOutages(stores.audit, 'postgres.audit', options.observe),
    verifications: reportOutages(stores.verifications, 'postgres.verifications', options.observe),
    factors: reportOutages(stores.factors, 'postgres.factors', options.observe),
    mfaChallenges: reportOutages(stores.mfaChallenges, 'postgres.mfa_challenges', options.observe),
    oidcPayloads: reportOutages(stores.oidcPayloads, 'postgres.oidc', options.observe),
    apps: reportOutages(stores.apps, 'postgres.apps', options.observe),
    signingKeys: reportOutages(stores.signingKeys, 'postgres.signing_keys', options.observe),
    ping: async () => {
      await sql`SELECT 1`.execute(db);
    },
    close: stores.close,
  };
  return { stores: wrapped };
}
