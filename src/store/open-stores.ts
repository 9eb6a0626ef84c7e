import { dirname } from 'node:path';
import { sql, Kysely } from 'kysely';
import { systemClock, type Clock } from '../core/ports/clock.ts';
import type { Stores } from '../core/ports/stores.ts';
import { memoryStores } from './memory/memory-stores.ts';
import type { Dialect } from './migrations/dialect.ts';
import { migrateToLatest } from './migrations/migrate.ts';
import { connectPostgres } from './postgres/connect-postgres.ts';
import { connectRedis } from './redis/connect-redis.ts';
import { RedisOidcPayloadStore } from './redis/redis-oidc-payload-store.ts';
import { RedisOneTimeCodeStore } from './redis/redis-one-time-code-store.ts';
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
  /** The clock cached entries' age is measured on (default the system clock). */
  clock?: Clock;
  /** Keep sessions and users read by every request in memory, with proven freshness (default true). */
  cache?: boolean;
  /** PHONE_DEFAULT_REGION, for the migration that fills the matching copy of phone numbers (default CN). */
  phoneRegion?: string;
}

// PostgreSQL at start: not reachable yet, or still starting (57P03). A refused password, a missing role or
// database, or a TLS refusal is an answer no wait will change: it ends the start at once, in the server's words.
const notReadyYet = (error: unknown) => isOutage(error) || (error as { code?: string }).code === '57P03';
// Redis refusing the credentials (or credentials sent to a server that needs none): no wait will change that either.
const REDIS_AUTH_ERROR = /^(WRONGPASS|NOAUTH|NOPERM)|^ERR (AUTH|invalid password|Client sent AUTH)/;

/** `host:port` of a URL, for the waiting lines (never its credentials). */
function hostAndPort(url: string, defaultPort: number): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || 'localhost'}:${parsed.port || defaultPort}`;
  } catch {
    return 'the configured address';
  }
}

/** One line on stderr while a backend is awaited at start (whatever LOG_LEVEL is). */
const waiting = (what: string) => (secondsLeft: number) => console.error(`gatehouse: waiting for ${what} (${secondsLeft} s left)`);

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
    const cache = new AuthReadCache(sqliteFreshness(hot), options.clock ?? systemClock);
    return { ...base, sessions: cachedSessions(base.sessions, cache), users: cachedUsers(base.users, cache) };
  }
  const redisUrl = options.redisUrl;
  const redis = await retryUntil(
    options.startupWaitMs ?? 0,
    () => connectRedis(redisUrl, options.timeoutMs ?? 2000),
    (error) => !REDIS_AUTH_ERROR.test((error as Error).message),
    waiting(`Redis at ${hostAndPort(redisUrl, 6379)}`),
  ).catch(async (error: unknown) => {
    await base.close();
    throw new StartupError(`REDIS_URL: cannot connect to ${redisUrl.replace(/\/\/[^@/]*@/, '//***@')} (${(error as Error).message})`, { cause: error });
  });
  const prefix = options.redisPrefix ?? 'gatehouse:';
  // Several instances: every change that can end or alter a session is published before it is acknowledged.
  // Without the cache, writes are still published: other instances may cache.
  const sqlite = hot ? sqliteFreshness(hot) : undefined;
  const cache = new AuthReadCache(
    {
      generation: () => {
        if (options.cache === false) return null;
        const heard = channel.generation();
        if (heard === null || !sqlite) return heard;
        const local = sqlite.generation();
        return local === null ? null : `${heard}${local}`;
      },
    },
    options.clock ?? systemClock,
  );
  const channel = new ChangeChannel(redis, prefix, () => cache);
  const sessions = reportOutages(new RedisSessionStore(redis, prefix), 'redis.sessions', options.observe);
  return {
    ...base,
    users: cachedUsers(base.users, cache, channel),
    sessions: cachedSessions(sessions, cache, channel),
    lockouts: reportOutages(new RedisLockoutStore(redis, prefix), 'redis.lockouts', options.observe),
    resets: reportOutages(new RedisResetStore(redis, prefix), 'redis.resets', options.observe),
    mfaChallenges: reportOutages(new RedisMfaChallengeStore(redis, prefix), 'redis.mfa_challenges', options.observe),
    oneTimeCodes: reportOutages(new RedisOneTimeCodeStore(redis, prefix), 'redis.one_time_codes', options.observe),
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

/**
 * Brings the schema up to date, waiting up to `waitMs` for a database that is
 * not reachable yet (saying so every 2 s); what no wait will fix ends it at once.
 */
export async function migrateAtStart(
  db: Kysely<Database>,
  dialect: 'sqlite' | 'postgres',
  target: Exclude<DatabaseTarget, { kind: 'memory' }>,
  waitMs: number,
  phoneRegion?: string,
): Promise<Awaited<ReturnType<typeof migrateToLatest>>> {
  try {
    return await retryUntil(
      waitMs,
      () => migrateToLatest(db as Kysely<unknown>, dialect, phoneRegion ? { phoneRegion } : {}),
      notReadyYet,
      waiting(`PostgreSQL at ${target.kind === 'postgres' ? hostAndPort(target.url, 5432) : target.path}`),
    );
  } catch (error) {
    if (notReadyYet(error)) throw new StartupError(`DATABASE_URL: cannot reach the database (${(error as Error).message})`, { cause: error });
    // The server answered, and no wait will change its answer: its own words.
    if (isServerRefusal(error)) throw new StartupError(`DATABASE_URL: the database server refused: ${(error as Error).message}`, { cause: error });
    throw error;
  }
}

/** PostgreSQL's own refusals at connection time: authentication (class 28: 28000, a wrong password 28P01), a missing database (3D000), TLS. */
function isServerRefusal(error: unknown): boolean {
  const { code, message } = error as { code?: string; message?: string };
  return /^(28[0-9A-Z]{3}|3D000)$/.test(code ?? '') || /SSL|TLS|certificate/i.test(message ?? '');
}

async function openSql(target: Exclude<DatabaseTarget, { kind: 'memory' }>, options: StoreOptions): Promise<{ stores: Stores; hot?: HotReads }> {
  const { db, dialect, hot } = await openDatabase(target, options);
  try {
    await migrateAtStart(db, dialect, target, options.startupWaitMs ?? 0, options.phoneRegion);
  } catch (error) {
    await db.destroy();
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
    oneTimeCodes: reportOutages(stores.oneTimeCodes, 'postgres.one_time_codes', options.observe),
    oidcPayloads: reportOutages(stores.oidcPayloads, 'postgres.oidc', options.observe),
    apps: reportOutages(stores.apps, 'postgres.apps', options.observe),
    signingKeys: reportOutages(stores.signingKeys, 'postgres.signing_keys', options.observe),
    webhooks: reportOutages(stores.webhooks, 'postgres.webhooks', options.observe),
    organizations: reportOutages(stores.organizations, 'postgres.organizations', options.observe),
    identities: reportOutages(stores.identities, 'postgres.identities', options.observe),
    ping: async () => {
      await sql`SELECT 1`.execute(db);
    },
    close: stores.close,
  };
  return { stores: wrapped };
}
