import type { Audit } from '../audit.ts';
import { fail } from '../errors.ts';
import type { Lockout } from '../lockout.ts';
import { hasPassword, type PasswordHasher } from '../passwords.ts';
import type { Clock } from '../ports/clock.ts';
import type { FactorStore } from '../ports/factor-store.ts';
import type { User } from '../ports/user-store.ts';
import type { Caller } from '../sessions.ts';
import { showsSecondFactor } from './amr.ts';
import { type CodeCheck, readCode } from './code-check.ts';
import { ENROLMENT_SECONDS, type LegacyLoginPolicy } from './settings.ts';

/** A fresh proof given with a request that changes how an account is protected. */
export interface StepUpProof {
  /** The account's password. */
  password?: string;
  /** An authenticator code or a recovery code, when the account has an authenticator app. */
  code?: string;
}

/** What the change is: adding the first factor is the one thing an enrolment session may do. */
export type ProtectedChange = 'add-factor' | 'remove-factor' | 'recovery-codes' | 'password' | 'email';

/** What a caller still has to show besides the password: nothing, a code, or a new sign-in with a passkey. */
type SecondProof = 'none' | 'code' | 'passkey-sign-in';

/**
 * "Prove it again", for every change to how an account is protected (adding
 * or removing a factor, new recovery codes, a new password or email): a
 * bearer token or a cookie alone is never enough, because whoever stole one
 * would otherwise make the account theirs for good. The proof is either
 *
 * - in the request: the password and, when the account has an authenticator
 *   app, a code of it (or a recovery code) — a wrong password or code counts
 *   toward the lockout like a failed login; or
 * - the session itself: its sign-in (not the token's `iat`, which a refresh
 *   renews) is at most STEP_UP_MAX_AGE_SECONDS old and had a second factor; or
 * - an enrolment session adding the first factor: it was started by the
 *   password moments ago (15 minutes at most) and can do nothing else.
 *
 * An account with passkeys only has no code to type: its fresh proof is a
 * new sign-in with the passkey. An account without a password (made by a
 * sign-in code, OTP_SIGNUP) has none to give: its fresh proof is a sign-in
 * with a code (texted or mailed) at most STEP_UP_MAX_AGE_SECONDS ago — and,
 * with a second factor, that sign-in's second step too (a fresh two-step
 * sign-in, as for everyone).
 */
export class StepUp {
  readonly #factors: FactorStore;
  readonly #codes: CodeCheck;
  readonly #lockout: Lockout;
  readonly #hasher: PasswordHasher;
  readonly #audit: Audit;
  readonly #clock: Clock;
  readonly #maxAgeMs: number;
  readonly #legacy: LegacyLoginPolicy;

  constructor(
    deps: { factors: FactorStore; codes: CodeCheck; lockout: Lockout; hasher: PasswordHasher; audit: Audit; clock: Clock },
    settings: { maxAgeMs: number; legacyLogin: LegacyLoginPolicy },
  ) {
    this.#factors = deps.factors;
    this.#codes = deps.codes;
    this.#lockout = deps.lockout;
    this.#hasher = deps.hasher;
    this.#audit = deps.audit;
    this.#clock = deps.clock;
    this.#maxAgeMs = settings.maxAgeMs;
    this.#legacy = settings.legacyLogin;
  }

  /** Whether the caller's session is itself a fresh proof: signed in with a second factor, recently. */
  isFresh(caller: Caller): boolean {
    return caller.claims.type === 'access' && this.#clock.now() - caller.session.createdAt <= this.#maxAgeMs && showsSecondFactor(caller.claims.amr);
  }

  /**
   * Throws STEP_UP_REQUIRED (a proof missing), PASSWORD_INCORRECT or
   * MFA_CODE_INVALID unless the caller proved, now, that the account is theirs.
   * Missing parts are refused before anything is checked, so nothing is spent.
   */
  async require(caller: Caller, change: ProtectedChange, proof: StepUpProof): Promise<void> {
    if (this.isFresh(caller)) return;
    if (!hasPassword(caller.user) && caller.claims.type === 'access') {
      if (this.#freshCodeSignIn(caller) && (await this.#secondProof(caller.user.id)) === 'none') return;
      throw fail('STEP_UP_REQUIRED', 'this account has no password: sign in again with a code to confirm this change');
    }
    if (caller.claims.type === 'enrolment') {
      // Confined to adding the first factor, while it lasts (its session ends after the same 15 minutes).
      const young = this.#clock.now() - caller.session.createdAt <= ENROLMENT_SECONDS * 1000;
      if (change === 'add-factor' && young && (await this.#secondProof(caller.user.id)) === 'none') return;
      throw fail('STEP_UP_REQUIRED');
    }
    const second = await this.#secondProof(caller.user.id);
    this.#present(second, proof.code);
    if (proof.password === undefined) throw fail('STEP_UP_REQUIRED', 'the password is needed to confirm this change', 'password');
    await this.checkPassword(caller.user, proof.password);
    if (second === 'code') await this.#judge(caller.user, proof.code as string);
  }

  /**
   * The second-factor half alone, for a change whose request already proves
   * the password its own way (a password change checks the old one): a code
   * when the account has an authenticator app, unless the session is fresh.
   * Call before the password is checked: a missing code is refused first.
   */
  async secondFactorFor(caller: Caller, code: string | undefined): Promise<(() => Promise<void>) | null> {
    if (this.isFresh(caller)) return null;
    // No password to prove: the whole proof is a fresh code sign-in (require).
    if (!hasPassword(caller.user)) {
      await this.require(caller, 'password', {});
      return null;
    }
    if (caller.claims.type === 'enrolment') throw fail('STEP_UP_REQUIRED');
    const second = await this.#secondProof(caller.user.id);
    this.#present(second, code);
    return second === 'code' ? () => this.#judge(caller.user, code as string) : null;
  }

  /**
   * The contract routes that change a password or email on a bearer token or
   * an old password alone (`PUT /api/user/me`, `/api/users/reset_password`):
   * unchanged for an account without a second factor; for an enrolled one
   * refused (STEP_UP_REQUIRED), as the login paths without a second step are —
   * or, with MFA_LEGACY_LOGIN=allow, let through and audited.
   */
  async legacyChange(user: User, what: string): Promise<void> {
    if ((await this.#secondProof(user.id)) === 'none') return;
    if (this.#legacy !== 'allow') throw fail('STEP_UP_REQUIRED', 'this account has two-step verification: this change needs its second factor');
    await this.#audit.record('mfa.legacy_login', user.id, `${what} changed without a second factor (MFA_LEGACY_LOGIN=allow)`);
  }

  /** A sign-in with a texted or mailed code (its first factor), at most STEP_UP_MAX_AGE_SECONDS ago. */
  #freshCodeSignIn(caller: Caller): boolean {
    const amr = caller.claims.amr ?? [];
    return this.#clock.now() - caller.session.createdAt <= this.#maxAgeMs && (amr.includes('sms') || amr.includes('email'));
  }

  /**
   * The account's password, as a confirmation: a wrong one counts toward the lockout like a failed login.
   * An account without one is refused without counting (nothing to guess, no lock to cause).
   */
  async checkPassword(user: User, password: string): Promise<void> {
    if (!hasPassword(user)) {
      await this.#hasher.verifyDummy(password);
      throw fail('PASSWORD_INCORRECT');
    }
    const ok = await this.#lockout.guard(
      'password',
      user.id,
      async () => (await this.#hasher.verify(user.passwordHash, password)).ok,
      () => this.#audit.record('account.locked', user.id),
    );
    if (!ok) throw fail('PASSWORD_INCORRECT');
  }

  async #secondProof(userId: number): Promise<SecondProof> {
    const [totp, passkeys] = await Promise.all([this.#factors.getTotp(userId), this.#factors.listPasskeys(userId)]);
    if (totp?.confirmedAt != null) return 'code';
    return passkeys.length > 0 ? 'passkey-sign-in' : 'none';
  }

  #present(second: SecondProof, code: string | undefined): void {
    if (second === 'passkey-sign-in') throw fail('STEP_UP_REQUIRED', 'sign in again with a passkey to confirm this change');
    if (second === 'code' && !code?.trim()) throw fail('STEP_UP_REQUIRED', 'an authenticator or recovery code is needed to confirm this change', 'code');
  }

  async #judge(user: User, code: string): Promise<void> {
    if (!(await this.#codes.judge(user.id, readCode(code)))) throw fail('MFA_CODE_INVALID');
  }
}
