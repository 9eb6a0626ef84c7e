import { timingSafeEqual } from 'node:crypto';
import { generateSync } from 'otplib';
import type { Audit } from '../audit.ts';
import type { Lockout } from '../lockout.ts';
import type { FactorStore, MfaChallengeStore } from '../ports/factor-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { SecretBox } from '../secret-box.ts';
import { recoveryHash } from './recovery-codes.ts';

const TOTP_PERIOD_S = 30;

/** What a person typed in the one code field: an authenticator code or a recovery code, told apart here and nowhere else. */
export type TypedCode = { kind: 'totp'; code: string } | { kind: 'recovery'; code: string };

/**
 * The one reading of a typed code: six digits (spaces ignored) are an
 * authenticator code; anything else is a recovery code (case, spaces and
 * dashes ignored when it is looked up).
 */
export function readCode(typed: string): TypedCode {
  const compact = typed.replace(/\s+/g, '');
  return /^\d{6}$/.test(compact) ? { kind: 'totp', code: compact } : { kind: 'recovery', code: compact };
}

/** The secret box context of an account's TOTP secret: a sealed secret copied to another account does not open. */
export function totpContext(userId: number): string {
  return `totp:${userId}`;
}

/**
 * Judges second-factor codes inside the account's budgets: a try is reserved
 * before a code is compared, a wrong code fails a slot of the password lockout
 * (it locks the account like wrong passwords) and of the second-factor budget
 * (which a right password does not clear).
 */
export class CodeCheck {
  readonly #factors: FactorStore;
  readonly #challenges: MfaChallengeStore;
  readonly #lockout: Lockout;
  readonly #box: SecretBox;
  readonly #audit: Audit;
  readonly #clock: Clock;

  constructor(deps: { factors: FactorStore; challenges: MfaChallengeStore; lockout: Lockout; box: SecretBox; audit: Audit; clock: Clock }) {
    this.#factors = deps.factors;
    this.#challenges = deps.challenges;
    this.#lockout = deps.lockout;
    this.#box = deps.box;
    this.#audit = deps.audit;
    this.#clock = deps.clock;
  }

  /** A typed code (authenticator or recovery code) of the account, judged inside its budgets. */
  judge(userId: number, typed: TypedCode): Promise<boolean> {
    return this.judged(userId, () => (typed.kind === 'totp' ? this.#checkTotp(userId, typed.code, false) : this.#useRecoveryCode(userId, typed.code)));
  }

  /** The code of a pending (unconfirmed) TOTP enrolment, judged inside the account's budgets. */
  judgePending(userId: number, code: string): Promise<boolean> {
    return this.judged(userId, () => this.#checkTotp(userId, code.replace(/\s+/g, ''), true));
  }

  /** Runs any second-factor check (a code, a passkey assertion) inside the account's budgets. */
  async judged(userId: number, check: () => Promise<boolean>): Promise<boolean> {
    const codes = await this.#lockout.reserve('second-factor', userId);
    let password: Awaited<ReturnType<Lockout['reserve']>>;
    try {
      password = await this.#lockout.reserve('password', userId);
    } catch (error) {
      await codes.release();
      throw error;
    }
    let ok: boolean;
    try {
      ok = await check();
    } catch (error) {
      await Promise.all([codes.release(), password.release()]);
      throw error;
    }
    if (ok) {
      await Promise.all([codes.succeeded(), password.succeeded()]);
      return true;
    }
    await codes.failed();
    await this.#audit.record('mfa.failed', userId);
    if (await password.failed()) await this.#audit.record('account.locked', userId);
    return false;
  }

  /**
   * A TOTP code against the account's confirmed (or, when enrolling, pending)
   * secret: the steps before, at and after now (±30 s), compared in constant
   * time; the matching step is then claimed once per account (no replay).
   */
  async #checkTotp(userId: number, code: string, pending: boolean): Promise<boolean> {
    const factor = await this.#factors.getTotp(userId);
    if (!factor || (factor.confirmedAt === null) !== pending) return false;
    const secret = this.#box.open(factor.sealedSecret, totpContext(userId));
    if (!/^\d{6}$/.test(code)) return false;
    const presented = Buffer.from(code);
    const now = Math.floor(this.#clock.now() / 1000 / TOTP_PERIOD_S);
    let matched: number | null = null;
    for (const step of [now - 1, now, now + 1]) {
      const expected = Buffer.from(generateSync({ secret, epoch: step * TOTP_PERIOD_S }));
      // Every step is compared: the time taken does not tell which one matched.
      if (timingSafeEqual(expected, presented)) matched = step;
    }
    if (matched === null) return false;
    // The step stays claimed until it can no longer be accepted (two periods after it ends).
    return this.#challenges.claimStep(userId, matched, (matched + 3) * TOTP_PERIOD_S * 1000);
  }

  async #useRecoveryCode(userId: number, code: string): Promise<boolean> {
    const normalized = code.toLowerCase().replace(/[\s-]/g, '');
    if (normalized.length === 0 || normalized.length > 64) return false;
    const used = await this.#factors.useRecoveryCode(userId, recoveryHash(userId, normalized));
    if (used) await this.#audit.record('mfa.recovery_code_used', userId, `${await this.#factors.countRecoveryCodes(userId)} left`);
    return used;
  }
}
