import type { FailureState, LockoutRule, LockoutStore } from '../../core/ports/lockout-store.ts';
import { nextFailureState } from '../failure-window.ts';

interface Row extends FailureState {
  windowStart: number;
}

/** Failure counters in a Map; for unit tests and throwaway runs. */
export class MemoryLockoutStore implements LockoutStore {
  readonly #rows = new Map<number, Row>();

  async recordFailure(userId: number, at: number, rule: LockoutRule): Promise<FailureState> {
    const next = nextFailureState(this.#rows.get(userId) ?? null, at, rule);
    this.#rows.set(userId, next);
    return { count: next.count, lockedUntil: next.lockedUntil };
  }

  async get(userId: number): Promise<FailureState | null> {
    const row = this.#rows.get(userId);
    return row ? { count: row.count, lockedUntil: row.lockedUntil } : null;
  }

  async clear(userId: number): Promise<void> {
    this.#rows.delete(userId);
  }
}
