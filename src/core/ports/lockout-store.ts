/** The counted attempts of one budget (an account's password, its email codes, ...). */
export interface FailureState {
  /** Attempts taken in the current window: failures, and reservations not yet judged. */
  count: number;
  /** When the budget opens again, epoch ms; null when not locked. */
  lockedUntil: number | null;
}

/** `maxFailures` attempts within `windowMs`; the last of them failing locks the budget for `lockMs`. */
export interface LockoutRule {
  maxFailures: number;
  windowMs: number;
  lockMs: number;
}

/** The answer to a reservation: a slot, or the refusal and when to try again. */
export type Reservation = { granted: true } | { granted: false; locked: boolean; retryAt: number };

/**
 * Attempt budgets behind account lockout and code guessing, keyed by a text
 * such as `password:42`. Shared by every instance. Every method is one atomic
 * step in the store, so concurrent attempts can never take more slots than
 * the rule allows.
 */
export interface LockoutStore {
  /**
   * Takes one slot at `at`: refused while the budget is locked, or while
   * `rule.maxFailures` slots of the current window are taken (failed or still
   * being judged). A window older than `rule.windowMs`, or a lock that has
   * passed, starts over.
   */
  reserve(key: string, at: number, rule: LockoutRule): Promise<Reservation>;
  /** Gives a reserved slot back (the attempt was never judged). */
  release(key: string): Promise<void>;
  /**
   * The reserved slot was a failure: when the window's slots are all taken,
   * locks until `at + rule.lockMs`. Returns true only for the call that locked
   * it, so a lock is reported once.
   */
  fail(key: string, at: number, rule: LockoutRule): Promise<boolean>;
  /** The current state, or null when nothing is counted. */
  get(key: string): Promise<FailureState | null>;
  /** Forgets the budget (a success, a password reset). */
  clear(key: string): Promise<void>;
}
