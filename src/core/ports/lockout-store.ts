/** Counted failed logins of one account. */
export interface FailureState {
  /** Failures in the current window. */
  count: number;
  /** When the account unlocks, epoch ms; null when not locked. */
  lockedUntil: number | null;
}

export interface LockoutRule {
  maxFailures: number;
  windowMs: number;
  lockMs: number;
}

/** Failure counters behind account lockout. Shared by every instance. */
export interface LockoutStore {
  /**
   * Atomically counts one failure at `at`: a window older than `rule.windowMs`
   * starts over; reaching `rule.maxFailures` locks until `at + rule.lockMs`.
   */
  recordFailure(userId: number, at: number, rule: LockoutRule): Promise<FailureState>;
  /** The current state, or null when nothing is counted. */
  get(userId: number): Promise<FailureState | null>;
  clear(userId: number): Promise<void>;
}
