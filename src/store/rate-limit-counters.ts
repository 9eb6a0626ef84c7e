import type { Redis } from 'ioredis';
import type { CounterDone as Done, CounterState, RateLimitStore } from '../core/ports/rate-limit-store.ts';

export type { RateLimitStore };

// One atomic round trip: count, and start the window on the first hit.
const INCR = `
local current = redis.call('INCR', KEYS[1])
if current == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {current, ttl}`;

const READ = `
local current = redis.call('GET', KEYS[1])
if not current then return {0, 0} end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then ttl = 0 end
return {tonumber(current), ttl}`;

// A hit given back; never below zero, and never a window started by it.
const DECR = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current > 0 then redis.call('DECR', KEYS[1]) end
return 0`;

type Scripted = Redis & {
  ghRateIncr(key: string, windowMs: number): Promise<[number, number]>;
  ghRateRead(key: string): Promise<[number, number]>;
  ghRateDecr(key: string): Promise<number>;
};

/** Windows counted in this process: the store without Redis, and the fallback while Redis is away. */
class LocalCounters {
  readonly #windows = new Map<string, { count: number; start: number; window: number }>();

  incr(key: string, windowMs: number, now = Date.now()): CounterState {
    let w = this.#windows.get(key);
    if (!w || now - w.start >= w.window) {
      if (this.#windows.size >= 100_000) this.#sweep(now);
      w = { count: 0, start: now, window: windowMs };
      this.#windows.set(key, w);
    }
    w.count++;
    return { current: w.count, ttl: w.start + w.window - now };
  }

  decr(key: string, now = Date.now()): void {
    const w = this.#windows.get(key);
    if (w && now - w.start < w.window && w.count > 0) w.count--;
  }

  read(key: string, now = Date.now()): CounterState {
    const w = this.#windows.get(key);
    if (!w || now - w.start >= w.window) return { current: 0, ttl: 0 };
    return { current: w.count, ttl: w.start + w.window - now };
  }

  #sweep(now: number): void {
    for (const [key, w] of this.#windows) if (now - w.start >= w.window) this.#windows.delete(key);
  }
}

export interface CounterEvents {
  /** Redis became unreachable (`down`) or answered again (`up`); called once per change. */
  outage(state: 'down' | 'up', error?: unknown): void;
  /** A hit was counted in this process because Redis was away. */
  fellBack(): void;
}

/**
 * Rate-limit counters shared by every listener of the process: in Redis when
 * given (so every instance counts together), otherwise in this process. While
 * Redis is unreachable the counting falls back to this process, so a Redis
 * outage never turns a rate-limited endpoint into an error: what the database
 * can still serve keeps working, limited per instance. Returns the store class
 * @fastify/rate-limit instantiates.
 */
export function rateLimitCounters(redis: Redis | undefined, prefix: string, events: CounterEvents): new () => RateLimitStore {
  const local = new LocalCounters();
  const scripted = redis as Scripted | undefined;
  if (scripted) {
    scripted.defineCommand('ghRateIncr', { numberOfKeys: 1, lua: INCR });
    scripted.defineCommand('ghRateRead', { numberOfKeys: 1, lua: READ });
    scripted.defineCommand('ghRateDecr', { numberOfKeys: 1, lua: DECR });
  }
  let down = false;
  const fallBack = (error: unknown) => {
    if (!down) events.outage('down', error);
    down = true;
    events.fellBack();
  };
  const recovered = () => {
    if (down) events.outage('up');
    down = false;
  };
  const viaRedis = (call: () => Promise<[number, number]>, fallback: () => CounterState, done: Done) => {
    // Not connected: count here at once rather than wait for a command timeout.
    if (scripted?.status !== 'ready') {
      if (scripted) fallBack(new Error(`Redis connection is ${scripted.status}`));
      return done(null, fallback());
    }
    call().then(
      ([current, ttl]) => {
        recovered();
        done(null, { current, ttl });
      },
      (error: unknown) => {
        fallBack(error);
        done(null, fallback());
      },
    );
  };
  class Counters implements RateLimitStore {
    incr(key: string, done: Done, timeWindow: number): void {
      if (!scripted) {
        done(null, local.incr(key, timeWindow));
        return;
      }
      viaRedis(
        () => scripted.ghRateIncr(`${prefix}rl:${key}`, timeWindow),
        () => local.incr(key, timeWindow),
        done,
      );
    }
    read(key: string, done: Done): void {
      if (!scripted) {
        done(null, local.read(key));
        return;
      }
      viaRedis(
        () => scripted.ghRateRead(`${prefix}rl:${key}`),
        () => local.read(key),
        done,
      );
    }
    async decr(key: string): Promise<void> {
      if (scripted?.status === 'ready') {
        try {
          await scripted.ghRateDecr(`${prefix}rl:${key}`);
          return;
        } catch {
          // Counted here while Redis was away, or not at all: give it back here.
        }
      }
      local.decr(key);
    }
    child(): RateLimitStore {
      return this;
    }
  }
  return Counters;
}
