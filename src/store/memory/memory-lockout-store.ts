import type { FailureState, LockoutRule, LockoutStore, Reservation } from '../../core/ports/lockout-store.ts';
import { reserveSlot, type FailureWindow } from '../failure-window.ts';

/** Attempt budgets in a Map; for unit tests and throwaway runs. Each method runs without awaiting, so it is atomic. */
export class MemoryLockoutStore implements LockoutStore {
  readonly #rows = new Map<string, FailureWindow>();

  async reserve(key: string, at: number, rule: LockoutRule): Promise<Reservation> {
    const { next, reservation } = reserveSlot(this.#rows.get(key) ?? null, at, rule);
    this.#rows.set(key, next);
    return reservation;
  }

  async release(key: string): Promise<void> {
    const row = this.#rows.get(key);
    if (row && row.count > 0) row.count -= 1;
  }

  async fail(key: string, at: number, rule: LockoutRule): Promise<boolean> {
    const row = this.#rows.get(key);
    if (!row || row.lockedUntil != null || row.count < rule.maxFailures) return false;
    row.lockedUntil = at + rule.lockMs;
    return true;
  }

  async get(key: string): Promise<FailureState | null> {
    const row = this.#rows.get(key);
    return row ? { count: row.count, lockedUntil: row.lockedUntil } : null;
  }

  async clear(key: string): Promise<void> {
    this.#rows.delete(key);
  }
}
