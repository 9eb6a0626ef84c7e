/** A pending password reset. Only the SHA-256 of the token is stored. */
export interface ResetToken {
  tokenHash: string;
  userId: number;
  createdAt: number;
  expiresAt: number;
}

/** Persistence of password-reset tokens. */
export interface ResetTokenStore {
  create(token: ResetToken): Promise<void>;
  /**
   * Atomically marks the token used and returns its user id; null when the
   * token is unknown, already used, or expired at `now`. A token is spent once.
   */
  consume(tokenHash: string, now: number): Promise<number | null>;
  /** Whether the token is live at `now` (known, unused, unexpired), without spending it. */
  isLive(tokenHash: string, now: number): Promise<boolean>;
  /** Ends every pending token of the user (a reset, a password or email change, a disabled or deleted account). */
  revokeForUser(userId: number): Promise<void>;
  /** Drops expired and used tokens; returns how many. */
  purge(now: number): Promise<number>;
}
