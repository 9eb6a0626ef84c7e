import type { Redis } from 'ioredis';
import type { FailureState, LockoutRule, LockoutStore } from '../../core/ports/lockout-store.ts';

// The same arithmetic as failure-window.ts, inside Redis: one atomic round trip.
const RECORD = `
local count = tonumber(redis.call('HGET', KEYS[1], 'c') or '0')
local windowStart = tonumber(redis.call('HGET', KEYS[1], 'w') or '0')
local lockedUntil = redis.call('HGET', KEYS[1], 'l')
local at, windowMs, lockMs, max = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local fresh = count == 0 or at - windowStart >= windowMs or (lockedUntil and lockedUntil ~= '' and tonumber(lockedUntil) <= at)
if fresh then count = 1; windowStart = at else count = count + 1 end
local locked = ''
if count >= max then locked = string.format('%d', at + lockMs) end
redis.call('HSET', KEYS[1], 'c', count, 'w', string.format('%d', windowStart), 'l', locked)
redis.call('PEXPIRE', KEYS[1], windowMs + lockMs)
return {count, locked}`;

type Scripted = Redis & { ghRecordFailure(key: string, at: number, windowMs: number, lockMs: number, max: number): Promise<[number, string]> };

/** Failure counters in Redis, shared by every instance; each key expires after its window and lock. */
export class RedisLockoutStore implements LockoutStore {
  readonly #redis: Scripted;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis as Scripted;
    this.#prefix = prefix;
    redis.defineCommand('ghRecordFailure', { numberOfKeys: 1, lua: RECORD });
  }

  #key(userId: number) {
    return `${this.#prefix}lk:${userId}`;
  }

  async recordFailure(userId: number, at: number, rule: LockoutRule): Promise<FailureState> {
    const [count, locked] = await this.#redis.ghRecordFailure(this.#key(userId), at, rule.windowMs, rule.lockMs, rule.maxFailures);
    return { count: Number(count), lockedUntil: locked ? Number(locked) : null };
  }

  async get(userId: number): Promise<FailureState | null> {
    const h = await this.#redis.hgetall(this.#key(userId));
    if (!h.c) return null;
    return { count: Number(h.c), lockedUntil: h.l ? Number(h.l) : null };
  }

  async clear(userId: number): Promise<void> {
    await this.#redis.del(this.#key(userId));
  }
}
