/** A counter's state: hits in the current window, and ms until it ends. */
export interface CounterState {
  current: number;
  ttl: number;
}

export type CounterDone = (error: Error | null, state?: CounterState) => void;

/**
 * Rate-limit counters, shared by every listener (and, in Redis, every
 * instance). `incr` and `read` are the callback contract @fastify/rate-limit
 * calls (its `store` option); `decr` gives a hit back, for limits that count
 * only failures yet must take the slot before the attempt is judged.
 */
export interface RateLimitStore {
  incr(key: string, done: CounterDone, timeWindow: number, max: number): void;
  read(key: string, done: CounterDone, timeWindow: number, max: number): void;
  decr(key: string): Promise<void>;
  child(): RateLimitStore;
}
