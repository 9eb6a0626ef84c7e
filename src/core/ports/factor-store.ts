import type { OutboxEvent } from './webhook-store.ts';

/** A TOTP authenticator of one account; its secret only ever stored sealed (see second-factors.ts). */
export interface TotpFactor {
  userId: number;
  /** The base32 secret, sealed with the key kept outside the database. */
  sealedSecret: string;
  createdAt: number;
  /** When a first right code confirmed it; null while enrolment is pending (not asked at login yet). */
  confirmedAt: number | null;
}

/** A WebAuthn credential (passkey or security key) of one account. */
export interface Passkey {
  /** The credential id, base64url. */
  id: string;
  userId: number;
  /** The COSE public key, base64url. */
  publicKey: string;
  counter: number;
  transports: string[];
  /** A name the user gave it ("phone", "YubiKey"). */
  name: string;
  /** Synced (multi-device) credential: `swk`-like; a device-bound one is `hwk`. */
  backedUp: boolean;
  createdAt: number;
  lastUsedAt: number | null;
}

/**
 * The second factors an account has enrolled: durable, in the database beside
 * the account (deleted with it). A change given `events` adds them to the
 * webhook outbox in its transaction, only when it changed something.
 */
export interface FactorStore {
  getTotp(userId: number): Promise<TotpFactor | null>;
  /** Stores a pending (unconfirmed) factor, replacing a pending one; never replaces a confirmed one (returns false). */
  putPendingTotp(factor: TotpFactor): Promise<boolean>;
  /** Confirms the pending factor; false when there is none. */
  confirmTotp(userId: number, at: number, events?: readonly OutboxEvent[]): Promise<boolean>;
  /** Removes the factor, pending or confirmed; false when there was none. */
  deleteTotp(userId: number, events?: readonly OutboxEvent[]): Promise<boolean>;

  /** Replaces every recovery code of the account with these hashes (the old ones stop working). */
  replaceRecoveryCodes(userId: number, hashes: string[], at: number): Promise<void>;
  /** Spends one recovery code: true for exactly one caller, however many present it at once. */
  useRecoveryCode(userId: number, hash: string): Promise<boolean>;
  countRecoveryCodes(userId: number): Promise<number>;

  addPasskey(passkey: Passkey, events?: readonly OutboxEvent[]): Promise<void>;
  listPasskeys(userId: number): Promise<Passkey[]>;
  /** A credential by its id, whoever owns it (passkey-only sign-in learns the account from it). */
  findPasskey(id: string): Promise<Passkey | null>;
  /** Records a use: the authenticator's new signature counter. */
  usePasskey(id: string, counter: number, at: number): Promise<void>;
  renamePasskey(userId: number, id: string, name: string): Promise<boolean>;
  deletePasskey(userId: number, id: string, events?: readonly OutboxEvent[]): Promise<boolean>;

  /** Removes every factor and recovery code of the account (operator reset); false when it had none. */
  deleteAllForUser(userId: number, events?: readonly OutboxEvent[]): Promise<boolean>;
}

/** A login that passed the password and waits for its second factor (the `mfa_token`). */
export interface MfaChallenge {
  /** SHA-256 of the mfa_token; the token itself is never stored. */
  tokenHash: string;
  userId: number;
  expiresAt: number;
  /** Tries left; a try is taken before the code is judged, so parallel guesses cannot exceed it. */
  attemptsLeft: number;
  rememberMe: boolean;
  /** How the first step was taken (its `amr`: `pwd`, `sms`, `email`), so the finished sign-in names it. */
  firstFactor: string;
}

/** A WebAuthn ceremony in flight: the challenge the server handed out, single use. */
export interface Ceremony {
  /** Random id the browser sends back (or the user id's key for registration). */
  id: string;
  challenge: string;
  /** The account it is for; null for a passkey-only sign-in (the credential names the account). */
  userId: number | null;
  expiresAt: number;
}

/** Short-lived second-factor state: in Redis when configured, else beside the accounts. */
export interface MfaChallengeStore {
  put(challenge: MfaChallenge): Promise<void>;
  /**
   * Takes one try of a live challenge atomically and returns it with the tries
   * now left; null when unknown, expired or out of tries.
   */
  takeTry(tokenHash: string, now: number): Promise<MfaChallenge | null>;
  /** Spends the challenge: true for exactly one caller. */
  consume(tokenHash: string): Promise<boolean>;
  /** Marks a TOTP time step as used by the account: true the first time only (replay guard), kept until `expiresAt`. */
  claimStep(userId: number, step: number, expiresAt: number): Promise<boolean>;
  putCeremony(ceremony: Ceremony): Promise<void>;
  /** Spends a ceremony: returned once, if still live at `now`. */
  takeCeremony(id: string, now: number): Promise<Ceremony | null>;
}
