import { availableParallelism } from 'node:os';
import { hash, parseOptions, verify, type Algorithm, type Options } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import { fail } from './errors.ts';

export type HashAlgorithm = 'argon2id' | 'argon2i';

export interface HashSettings {
  algorithm: HashAlgorithm;
  /** KiB. */
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** OWASP's argon2id recommendation (m=19 MiB, t=2, p=1). */
export const DEFAULT_HASH_SETTINGS: HashSettings = {
  algorithm: 'argon2id',
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
};

// @node-rs/argon2 declares Algorithm as a const enum, which type stripping cannot
// inline; these are its numeric values.
const ALGORITHM_IDS: Record<HashAlgorithm, Algorithm> = {
  argon2i: 1 as Algorithm,
  argon2id: 2 as Algorithm,
};

export interface VerifyResult {
  ok: boolean;
  /** The password was right but the stored hash uses other settings: store a fresh hash. */
  needsRehash: boolean;
}

export interface PasswordRules {
  /** Seed 002's rule: at least one letter and one digit. */
  requireLetterAndDigit?: boolean;
}

const BCRYPT = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;

/**
 * The stored "hash" of an account without a password (made by a sign-in code
 * with OTP_SIGNUP): no password matches it, like `!` in a Unix shadow file.
 * A password is set by a reset or on /account (after a fresh code sign-in).
 */
export const NO_PASSWORD = '!';

/** Whether the account has a password at all. */
export const hasPassword = (user: { passwordHash: string }): boolean => user.passwordHash !== NO_PASSWORD;

/** Whether Gatehouse can verify a stored hash of this form (argon2 or bcrypt). */
export function isSupportedHash(stored: string): boolean {
  if (BCRYPT.test(stored)) return true;
  if (!/^\$argon2(id|i|d)\$/.test(stored)) return false;
  try {
    parseOptions(stored);
    return true;
  } catch {
    return false;
  }
}

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

/** Checks the password policy; throws VALIDATION_FAILED naming `field`. */
export function checkPasswordPolicy(password: string, rules: PasswordRules = {}, field = 'password'): void {
  const length = [...password].length;
  if (length < PASSWORD_MIN) throw fail('VALIDATION_FAILED', `Password must have at least ${PASSWORD_MIN} characters`, field);
  if (length > PASSWORD_MAX) throw fail('VALIDATION_FAILED', `Password must have at most ${PASSWORD_MAX} characters`, field);
  if (rules.requireLetterAndDigit && !(/\p{L}/u.test(password) && /\p{Nd}/u.test(password))) {
    throw fail('VALIDATION_FAILED', 'Password must contain at least one letter and one digit', field);
  }
}

/**
 * Lets at most `limit` tasks run at once; the rest wait their turn in order.
 * argon2 is memory-hard: more hashes in flight than cores only thrash the
 * caches (measured: 4 at once on 1 core reached 0.60× of the 1-core ceiling).
 */
class Gate {
  readonly #limit: number;
  #running = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(limit: number) {
    this.#limit = Math.max(1, limit);
  }

  /** Tasks waiting for their turn. */
  get waiting(): number {
    return this.#waiting.length;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#running >= this.#limit) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#running++;
    try {
      return await task();
    } finally {
      this.#running--;
      this.#waiting.shift()?.();
    }
  }
}

/**
 * Hashes and verifies passwords. Dispatches on the stored hash's prefix
 * (`$argon2id$`, `$argon2i$`, `$argon2d$`, and `$2a$`/`$2b$`/`$2y$` bcrypt for
 * users imported from other systems), so hashes made elsewhere or under older
 * settings keep verifying and are upgraded on the next successful login.
 * Hashing runs in libuv's thread pool: the event loop never waits on it. At
 * most one hash per available core runs at once, so file reads sharing the
 * pool are not starved and the hashes do not evict each other from cache.
 */
export class PasswordHasher {
  readonly settings: HashSettings;
  readonly #options: Options;
  readonly #gate: Gate;
  #dummyHash: Promise<string> | undefined;

  constructor(settings: HashSettings = DEFAULT_HASH_SETTINGS, concurrency = availableParallelism()) {
    this.settings = settings;
    this.#gate = new Gate(concurrency);
    this.#options = {
      algorithm: ALGORITHM_IDS[settings.algorithm],
      memoryCost: settings.memoryCost,
      timeCost: settings.timeCost,
      parallelism: settings.parallelism,
    };
  }

  /** Hashes and verifications waiting for a free core. */
  get queueLength(): number {
    return this.#gate.waiting;
  }

  hash(password: string): Promise<string> {
    return this.#gate.run(() => hash(password, this.#options));
  }

  async verify(stored: string, password: string): Promise<VerifyResult> {
    if (BCRYPT.test(stored)) {
      // bcrypt reads only the first 72 bytes of a password; a longer one would match too loosely.
      if (Buffer.byteLength(password) > 72) return { ok: false, needsRehash: false };
      const ok = await this.#gate.run(() => bcrypt.compare(password, stored)).catch(() => false);
      return { ok, needsRehash: ok };
    }
    if (!stored.startsWith('$argon2')) return { ok: false, needsRehash: false };
    let ok: boolean;
    try {
      ok = await this.#gate.run(() => verify(stored, password));
    } catch {
      // A damaged or unsupported hash string never matches.
      return { ok: false, needsRehash: false };
    }
    return { ok, needsRehash: ok && this.isOutdated(stored) };
  }

  /** Whether a stored hash differs from the current settings (variant or cost). */
  isOutdated(stored: string): boolean {
    try {
      const p = parseOptions(stored);
      return (
        p.algorithm !== this.#options.algorithm ||
        p.memoryCost !== this.settings.memoryCost ||
        p.timeCost !== this.settings.timeCost ||
        p.parallelism !== this.settings.parallelism
      );
    } catch {
      return true;
    }
  }

  /**
   * Spends the same work as a real verification, for accounts that do not
   * exist, so response time does not tell which emails are registered.
   */
  async verifyDummy(password: string): Promise<void> {
    this.#dummyHash ??= this.hash('gatehouse-dummy-password');
    const dummy = await this.#dummyHash;
    await this.#gate.run(() => verify(dummy, password)).catch(() => false);
  }
}
