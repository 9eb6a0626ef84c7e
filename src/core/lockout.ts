import { fail } from './errors.ts';
import type { Clock } from './ports/clock.ts';
import type { LockoutRule, LockoutStore } from './ports/lockout-store.ts';

/** 5 failures for one account within 15 minutes lock it for 15 minutes. */
export const DEFAULT_LOCKOUT_RULE: LockoutRule = {
  maxFailures: 5,
  windowMs: 15 * 60_000,
  lockMs: 15 * 60_000,
};

/**
 * Account lockout. The count lives in the shared store, so failures on any
 * surface and any instance add up; a locked account answers ACCOUNT_LOCKED
 * before its password is even checked.
 */
export class Lockout {
  readonly #store: LockoutStore;
  readonly #clock: Clock;
  readonly rule: LockoutRule;

  constructor(store: LockoutStore, clock: Clock, rule: LockoutRule = DEFAULT_LOCKOUT_RULE) {
    this.#store = store;
    this.#clock = clock;
    this.rule = rule;
  }

  /** Throws ACCOUNT_LOCKED while the account is locked; otherwise tells whether failures are counted. */
  async assertOpen(userId: number): Promise<{ hasFailures: boolean }> {
    const state = await this.#store.get(userId);
    if (state?.lockedUntil != null && state.lockedUntil > this.#clock.now()) throw fail('ACCOUNT_LOCKED');
    return { hasFailures: state !== null };
  }

  /** Counts a failure; returns whether the account is now locked. */
  async recordFailure(userId: number): Promise<boolean> {
    const state = await this.#store.recordFailure(userId, this.#clock.now(), this.rule);
    return state.lockedUntil != null;
  }

  /** Counted failures and, while it lasts, the end of a lock (staff see it on the account's page). */
  async state(userId: number): Promise<{ failures: number; lockedUntil: number | null }> {
    const state = await this.#store.get(userId);
    const locked = state?.lockedUntil != null && state.lockedUntil > this.#clock.now();
    return { failures: state?.count ?? 0, lockedUntil: locked ? state!.lockedUntil : null };
  }

  /** Forgets failures (successful login, password reset). */
  clear(userId: number): Promise<void> {
    return this.#store.clear(userId);
  }
}
