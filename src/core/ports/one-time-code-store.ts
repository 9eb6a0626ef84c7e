/**
 * A pending sign-in code for one number or address: the 6-digit code and,
 * for a mail, the link's token, both stored only as hashes. One per target: a
 * new code replaces the pending one.
 */
export interface OneTimeCode {
  /** What it was sent to: `phone:+8613800138000` or `email:a@example.com`. */
  target: string;
  codeHash: string;
  /** The mailed link's token (email only); null for a text. */
  tokenHash: string | null;
  /** The browser that asked for it (SHA-256 of its cookie), whose link alone signs in; null when an API client asked. */
  browserHash: string | null;
  /** The account it signs in to; null: no account holds the target yet, and OTP_SIGNUP makes one at the sign-in. */
  userId: number | null;
  createdAt: number;
  expiresAt: number;
  /** Wrong codes still allowed before it is void. */
  attemptsLeft: number;
}

/** One try of a code: `ok` spent it (this caller alone), `wrong` used up a try, `none` when no code is pending. */
export type OneTimeCodeTry = { result: 'ok'; code: OneTimeCode } | { result: 'wrong'; attemptsLeft: number } | { result: 'none' };

/** Pending sign-in codes (short-lived: memory, SQL, or Redis beside the sessions). */
export interface OneTimeCodeStore {
  /** Stores a code, replacing the target's pending one (its link too). */
  put(code: OneTimeCode): Promise<void>;
  /**
   * One try against the target's live code, atomic under concurrent tries: a
   * try is taken before the code is compared (so parallel guesses spend
   * exactly the tries there are); the right code is spent once (one caller
   * gets `ok`, a concurrent one `none`); the last wrong try voids the code.
   */
  tryCode(target: string, codeHash: string, now: number): Promise<OneTimeCodeTry>;
  /** The live code a link's token belongs to, without spending it (the link's page; mail scanners open links). */
  findByToken(tokenHash: string, now: number): Promise<OneTimeCode | null>;
  /** Spends the live code of a link's token: returned to one caller only. */
  consumeToken(tokenHash: string, now: number): Promise<OneTimeCode | null>;
}
