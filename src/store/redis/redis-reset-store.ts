import type { Redis } from 'ioredis';
import type { ResetToken, ResetTokenStore } from '../../core/ports/reset-token-store.ts';

// A token, and its place in the user's set (so that every token of a user can be ended at once).
// Every token lives as long (30 minutes): the set lives as long as the newest.
const CREATE = `
redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[2])
redis.call('SADD', KEYS[2], ARGV[3])
redis.call('PEXPIREAT', KEYS[2], ARGV[2])
return 0`;

// Every token of the user, in one atomic step.
const REVOKE = `
local hashes = redis.call('SMEMBERS', KEYS[1])
for _, hash in ipairs(hashes) do redis.call('DEL', ARGV[1] .. hash) end
redis.call('DEL', KEYS[1])
return #hashes`;

type Scripted = Redis & {
  ghResetCreate(key: string, userKey: string, value: string, expiresAt: number, hash: string): Promise<number>;
  ghResetRevoke(userKey: string, tokenPrefix: string): Promise<number>;
};

/**
 * Password-reset tokens in Redis: `GETDEL` spends a token atomically; keys
 * expire with the token. A set per user lists its tokens, so a reset, a
 * password or email change ends them all.
 */
export class RedisResetStore implements ResetTokenStore {
  readonly #redis: Scripted;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis as Scripted;
    this.#prefix = prefix;
    redis.defineCommand('ghResetCreate', { numberOfKeys: 2, lua: CREATE });
    redis.defineCommand('ghResetRevoke', { numberOfKeys: 1, lua: REVOKE });
  }

  #key(hash: string) {
    return `${this.#prefix}rt:${hash}`;
  }

  #userKey(userId: number) {
    return `${this.#prefix}rtu:${userId}`;
  }

  async create(t: ResetToken): Promise<void> {
    await this.#redis.ghResetCreate(this.#key(t.tokenHash), this.#userKey(t.userId), `${t.userId}:${t.expiresAt}`, t.expiresAt, t.tokenHash);
  }

  async consume(tokenHash: string, now: number): Promise<number | null> {
    const value = await this.#redis.getdel(this.#key(tokenHash));
    if (!value) return null;
    const [userId, expiresAt] = value.split(':').map(Number);
    return expiresAt! > now ? userId! : null;
  }

  async isLive(tokenHash: string, now: number): Promise<boolean> {
    const value = await this.#redis.get(this.#key(tokenHash));
    return !!value && Number(value.split(':')[1]) > now;
  }

  async revokeForUser(userId: number): Promise<void> {
    await this.#redis.ghResetRevoke(this.#userKey(userId), `${this.#prefix}rt:`);
  }

  /** Redis expires tokens itself. */
  async purge(): Promise<number> {
    return 0;
  }
}
