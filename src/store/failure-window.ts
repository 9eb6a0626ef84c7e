import type { LockoutRule, Reservation } from '../core/ports/lockout-store.ts';

export interface FailureWindow {
  count: number;
  windowStart: number;
  lockedUntil: number | null;
}

/**
 * The reservation arithmetic, for stores that count in process (memory); the
 * SQL statement and the Redis script do the same in one atomic step: a stale
 * window or a passed lock starts over, a live lock or a full window refuses.
 */
export function reserveSlot(previous: FailureWindow | null, at: number, rule: LockoutRule): { next: FailureWindow; reservation: Reservation } {
  const stale = !previous || at - previous.windowStart >= rule.windowMs || (previous.lockedUntil != null && previous.lockedUntil <= at);
  const current: FailureWindow = stale ? { count: 0, windowStart: at, lockedUntil: null } : previous;
  if (current.lockedUntil != null) return { next: current, reservation: { granted: false, locked: true, retryAt: current.lockedUntil } };
  if (current.count >= rule.maxFailures) {
    return { next: current, reservation: { granted: false, locked: false, retryAt: current.windowStart + rule.windowMs } };
  }
  return { next: { ...current, count: current.count + 1 }, reservation: { granted: true } };
}
