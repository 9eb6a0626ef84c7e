import { generateSecret, generateURI } from 'otplib';
import { fail } from '../errors.ts';
import type { Clock } from '../ports/clock.ts';
import type { FactorStore } from '../ports/factor-store.ts';
import type { User } from '../ports/user-store.ts';
import type { SecretBox } from '../secret-box.ts';
import type { Caller, Grant, StartOptions } from '../sessions.ts';
import { CODE_AMR } from './amr.ts';
import { type CodeCheck, totpContext } from './code-check.ts';
import type { FactorChanges } from './factor-changes.ts';
import type { FactorCount } from './factor-count.ts';
import { newRecoveryCodes } from './recovery-codes.ts';
import type { StepUp, StepUpProof } from './step-up.ts';

/** What an authenticator app is set up with. */
export interface TotpSetup {
  secret: string;
  otpauthUri: string;
}

/** A confirmed authenticator app: the recovery codes (shown once) and, for an enrolment session, the normal session replacing it. */
export interface TotpConfirmed {
  recoveryCodes: string[];
  grant: Grant | null;
}

/**
 * A pending enrolment must be confirmed within this time of the step-up that
 * began it (10 minutes): an abandoned one cannot be finished later by whoever
 * holds a token of the account, and its secret is not shown again.
 */
const PENDING_MS = 600_000;

/**
 * The authenticator app (RFC 6238 TOTP via otplib): set up after a step-up,
 * asked at login only once a right code confirmed it, removed after a step-up.
 */
export class TotpFactors {
  readonly #factors: FactorStore;
  readonly #codes: CodeCheck;
  readonly #stepUp: StepUp;
  readonly #changes: FactorChanges;
  readonly #count: FactorCount;
  readonly #box: SecretBox;
  readonly #clock: Clock;
  readonly #issuer: string;

  constructor(
    deps: { factors: FactorStore; codes: CodeCheck; stepUp: StepUp; changes: FactorChanges; count: FactorCount; box: SecretBox; clock: Clock },
    issuer: string,
  ) {
    this.#factors = deps.factors;
    this.#codes = deps.codes;
    this.#stepUp = deps.stepUp;
    this.#changes = deps.changes;
    this.#count = deps.count;
    this.#box = deps.box;
    this.#clock = deps.clock;
    this.#issuer = issuer;
  }

  /** Begins setting up an authenticator app, after a step-up: a new secret, not asked at login until a right code confirms it. */
  async begin(caller: Caller, proof: StepUpProof): Promise<TotpSetup> {
    const { user } = caller;
    const existing = await this.#factors.getTotp(user.id);
    if (existing?.confirmedAt != null) throw fail('MFA_STATE_CONFLICT', 'TOTP is already enrolled: remove it first');
    await this.#stepUp.require(caller, 'add-factor', proof);
    const secret = generateSecret();
    const stored = await this.#factors.putPendingTotp({
      userId: user.id,
      sealedSecret: this.#box.seal(secret, totpContext(user.id)),
      createdAt: this.#clock.now(),
      confirmedAt: null,
    });
    if (!stored) throw fail('MFA_STATE_CONFLICT', 'TOTP is already enrolled: remove it first');
    return { secret, otpauthUri: this.#uri(user, secret) };
  }

  /** The pending set-up again (a page shown anew after a wrong code), while it may still be confirmed; null otherwise. */
  async pending(user: User): Promise<TotpSetup | null> {
    const factor = await this.#factors.getTotp(user.id);
    if (!factor || factor.confirmedAt !== null || this.#clock.now() - factor.createdAt > PENDING_MS) return null;
    const secret = this.#box.open(factor.sealedSecret, totpContext(user.id));
    return { secret, otpauthUri: this.#uri(user, secret) };
  }

  #uri(user: User, secret: string): string {
    return generateURI({ issuer: this.#issuer, label: user.email ?? user.username ?? String(user.uuid), secret });
  }

  /**
   * Confirms the pending set-up with a right code: 10 recovery codes (shown
   * once). The first factor of an account ends its other sessions; an
   * enrolment session is replaced by a normal one (`grant`, signed in with
   * `start`'s lifetime) whose `amr` shows the code.
   */
  async confirm(caller: Caller, code: string, start: StartOptions & { renew?: boolean }): Promise<TotpConfirmed> {
    const { user } = caller;
    const factor = await this.#factors.getTotp(user.id);
    if (!factor || factor.confirmedAt !== null || this.#clock.now() - factor.createdAt > PENDING_MS)
      throw fail('MFA_STATE_CONFLICT', 'no TOTP enrolment is pending: begin again');
    const first = (await this.#count.methods(user.id)).length === 0;
    if (!(await this.#codes.judgePending(user.id, code))) throw fail('MFA_CODE_INVALID');
    if (!(await this.#factors.confirmTotp(user.id, this.#clock.now(), this.#changes.event('mfa.enrolled', user, 'totp'))))
      throw fail('MFA_STATE_CONFLICT', 'no TOTP enrolment is pending');
    const recoveryCodes = await newRecoveryCodes(this.#factors, this.#clock, user.id);
    const grant = await this.#changes.added(caller, 'totp', first, CODE_AMR, start);
    return { recoveryCodes, grant };
  }

  /** Removes the authenticator app (and with it the recovery codes), after a step-up. */
  async remove(caller: Caller, proof: StepUpProof): Promise<void> {
    const { user } = caller;
    const factor = await this.#factors.getTotp(user.id);
    if (factor?.confirmedAt == null) throw fail('MFA_STATE_CONFLICT', 'TOTP is not enrolled');
    // Refused before the proof is judged: a code is spent only on a change that can happen.
    await this.#count.keepOne(user, 'totp');
    await this.#stepUp.require(caller, 'remove-factor', proof);
    if (!(await this.#factors.deleteTotp(user.id, this.#changes.event('mfa.removed', user, 'totp')))) throw fail('MFA_STATE_CONFLICT', 'TOTP is not enrolled');
    await this.#factors.replaceRecoveryCodes(user.id, [], this.#clock.now());
    await this.#changes.removed(user, 'totp');
  }

  /** 10 new recovery codes after a step-up; the old ones stop working. */
  async regenerateRecoveryCodes(caller: Caller, proof: StepUpProof): Promise<string[]> {
    const totp = await this.#factors.getTotp(caller.user.id);
    if (totp?.confirmedAt == null) throw fail('MFA_STATE_CONFLICT', 'recovery codes come with an enrolled second factor');
    await this.#stepUp.require(caller, 'recovery-codes', proof);
    const codes = await newRecoveryCodes(this.#factors, this.#clock, caller.user.id);
    await this.#changes.recoveryCodesRegenerated(caller.user);
    return codes;
  }
}
