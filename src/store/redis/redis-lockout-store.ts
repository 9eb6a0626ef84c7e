import type { Redis } from 'ioredis';
import type { FailureState, LockoutRule, LockoutStore, Reservation } from '../../core/ports/lockout-store.ts';

// The same arithmetic as failure-window.ts, inside Redis: each script is one atomic step.
const RESERVE = `
local count = tonumber(redis.call('HGET', KEYS[1], 'c') or '0')
local windowStart = tonumber(redis.call('HGET', KEYS[1], 'w') or '0')
local lockedUntil = tonumber(redis.call('HGET', KEYS[1], 'l') or '')
local at, windowMs, lockMs, max = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
if count == 0 or at - windowStart >= windowMs or (lockedUntil and lockedUntil <= at) then
  count = 0; windowStart = at; lockedUntil = nil
  redis.call('HSET', KEYS[1], 'c', 0, 'w', string.format('%d', at), 'l', '')
end
redis.call('PEXPIRE', KEYS[1], windowMs + lockMs)
if lockedUntil then return {0, 1, string.format('%d', lockedUntil)} end
if count >= max then return {0, 0, string.format('%d', windowStart + windowMs)} end
redis.call('HINCRBY', KEYS[1], 'c', 1)
return {1, 0, ''}`;

const RELEASE = `
local count = tonumber(redis.call('HGET', KEYS[1], 'c') or '0')
if count > 0 then redis.call('HINCRBY', KEYS[1], 'c', -1) end
return 0`;

const FAIL = `
local count = tonumber(redis.call('HGET', KEYS[1], 'c') or '0')
local locked = redis.call('HGET', KEYS[1], 'l')
if count < tonumber(ARGV[3]) or (locked and locked ~= '') then return 0 end
redis.call('HSET', KEYS[1], 'l', string.format('%d', tonumber(ARGV[1]) + tonumber(ARGV[2])))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return 1`;

type Scripted = Redis & {
  ghReserve(key: string, at: number, windowMs: number, lockMs: number, max: number): Promise<[number, number, string]>;
  ghRelease(key: string): Promise<number>;
  ghFail(key: string, at: number, lockMs: number, max: number): Promise<number>;
};

/** Attempt budgets in Redis, shared by every instance; each key expires after its window and lock. */
export class RedisLockoutStore implements LockoutStore {
  readonly #redis: Scripted;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis as Scripted;
    this.#prefix = prefix;
    redis.defineCommand('ghReserve', { numberOfKeys: 1, lua: RESERVE });
    redis.defineCommand('ghRelease', { numberOfKeys: 1, lua: RELEASE });
    redis.defineCommand('ghFail', { numberOfKeys: 1, lua: FAIL });
  }

  #key(key: string) {
    return `${this.#prefix}lk:${key}`;
  }

  async reserve(key: string, at: number, rule: LockoutRule): Promise<Reservation> {
    const [granted, locked, retryAt] = await this.#redis.ghReserve(this.#key(key), at, rule.windowMs, rule.lockMs, rule.maxFailures);
    return Number(granted) === 1 ? { granted: true } : { granted: false, locked: Number(locked) === 1, retryAt: Number(retryAt) };
  }

  async release(key: string): Promise<void> {
    await this.#redis.ghRelease(this.#key(key));
  }

  async fail(key: string, at: number, rule: LockoutRule): Promise<boolean> {
    return Number(await this.#redis.ghFail(this.#key(key), at, rule.lockMs, rule.maxFailures)) === 1;
  }

  async get(key: string): Promise<FailureState | null> {
    const h = await this.#redis.hgetall(this.#key(key));
    if (h.c === undefined) return null;
    return { count: Number(h.c), lockedUntil: h.l ? Number(h.l) : null };
  }

  async clear(key: string): Promise<void> {
    await this.#redis.del(this.#key(key));
  }
}
