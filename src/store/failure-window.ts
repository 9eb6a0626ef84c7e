import type { FailureState, LockoutRule } from '../core/ports/lockout-store.ts';

export interface FailureWindow extends FailureState {
  windowStart: number;
}

/**
 * The lockout arithmetic, for stores that count in process (memory) or inside a
 * transaction (SQL): a stale window starts over; reaching the limit locks.
 */
export function nextFailureState(previous: FailureWindow | null, at: number, rule: LockoutRule): FailureWindow {
  const fresh = !previous || at - previous.windowStart >= rule.windowMs || (previous.lockedUntil != null && previous.lockedUntil <= at);
  const count = fresh ? 1 : previous.count + 1;
  const windowStart = fresh ? at : previous.windowStart;
  const lockedUntil = count >= rule.maxFailures ? at + rule.lockMs : null;
  return { count, windowStart, lockedUntil };
}
