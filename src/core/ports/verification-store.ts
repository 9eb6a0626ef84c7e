/** What is being verified: the account's email address or its phone number. */
export type VerificationChannel = 'email' | 'phone';

/**
 * A pending verification: a link token and a 6-digit code, both stored only as
 * hashes, for one address of one user. A user has at most one per channel.
 */
export interface VerificationChallenge {
  userId: number;
  channel: VerificationChannel;
  /** The address the message went to; verifying marks it only while the account still has it. */
  target: string;
  tokenHash: string;
  codeHash: string;
  createdAt: number;
  expiresAt: number;
  /** Wrong codes still allowed before the challenge is void. */
  attemptsLeft: number;
}

/** Outcome of one code attempt. */
export type CodeAttempt = { result: 'ok'; challenge: VerificationChallenge } | { result: 'wrong'; attemptsLeft: number } | { result: 'none' };

/** Persistence of pending verifications. */
export interface VerificationStore {
  /** Stores a challenge, replacing the user's pending one on that channel. */
  put(challenge: VerificationChallenge): Promise<void>;
  /** Spends the challenge with this link token when it is live at `now` (single use); null otherwise. */
  consumeToken(tokenHash: string, now: number): Promise<VerificationChallenge | null>;
  /**
   * One try of a code against the user's live challenge on a channel: `ok`
   * spends it; `wrong` uses up a try (none left: the challenge is gone);
   * `none` when there is no live challenge. Atomic under concurrent tries.
   */
  tryCode(userId: number, channel: VerificationChannel, codeHash: string, now: number): Promise<CodeAttempt>;
  /** Drops the user's pending challenges on every channel. */
  cancelForUser(userId: number): Promise<void>;
}
