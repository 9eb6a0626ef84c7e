import { createHash } from 'node:crypto';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { Admission } from '../admission.ts';
import type { Audit } from '../audit.ts';
import { fail, GatehouseError } from '../errors.ts';
import type { Clock } from '../ports/clock.ts';
import type { MfaChallengeStore } from '../ports/factor-store.ts';
import type { IdSource } from '../ports/ids.ts';
import type { User, UserStore } from '../ports/user-store.ts';
import type { Grant, SessionService, StartOptions } from '../sessions.ts';
import { type CodeCheck, readCode } from './code-check.ts';
import type { FactorCount } from './factor-count.ts';
import { keyAmr, type PasskeyAssertion, type PasskeyCeremonies } from './passkey-ceremonies.ts';
import type { SecondFactorMethod, SecondFactorSettings } from './settings.ts';

/**
 * MFA_REQUIRED: the password was right and the account needs its second
 * factor. `mfaToken` (null on login paths that have no second step) lets the
 * client finish with {@link SecondStep.verify}.
 */
export class SecondFactorRequired extends GatehouseError {
  readonly mfaToken: string | null;
  readonly methods: readonly SecondFactorMethod[];

  constructor(mfaToken: string | null, methods: readonly SecondFactorMethod[]) {
    super('MFA_REQUIRED');
    this.mfaToken = mfaToken;
    this.methods = methods;
  }
}

/**
 * How the first step of a sign-in was taken, as its `amr` names it (RFC 8176):
 * a password, a code texted to the phone (`sms`), or a code or link mailed
 * (`email`, not registered in RFC 8176, which has no mail method). None of
 * them is a second factor (core/second-factors/amr.ts). `fed`: an upstream
 * identity provider vouched for the person (core/identities.ts).
 */
export type FirstFactor = 'pwd' | 'sms' | 'email' | 'fed';

/** What a login path tells the second-factor gate about itself. */
export interface SecondStepRequest {
  /** This path can ask for a second factor (an mfa_token round trip); without it, MFA_LEGACY_LOGIN decides. */
  askSecondFactor?: boolean;
  /** The hosted sign-in (the account page): an account MFA_REQUIRED covers may sign in there to enrol, and nowhere else. */
  hostedSignIn?: boolean;
  rememberMe?: boolean;
  /** An upstream provider trusted for it (`--trust-mfa`) says its own sign-in had a second factor: it counts as this one. */
  upstreamSecondFactor?: boolean;
}

/** What the gate lets through: the `amr` of the login, and whether its session may only enrol a first factor. */
export interface GateResult {
  amr: string[];
  enrolment: boolean;
}

/** What a finished second step gives: a grant like a login's, and how the user got in. */
export type SecondStepGrant = Grant & { user: User };

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');

/**
 * The second step of a login: the gate every password login passes, the
 * mfa_token it hands out, and its finish with a code or a passkey; and a
 * sign-in with a passkey alone. Each ends like a login (the admission rule,
 * last login, a core session, `login.succeeded`).
 */
export class SecondStep {
  readonly #challenges: MfaChallengeStore;
  readonly #users: UserStore;
  readonly #sessions: SessionService;
  readonly #codes: CodeCheck;
  readonly #ceremonies: PasskeyCeremonies;
  readonly #count: FactorCount;
  readonly #admission: Admission;
  readonly #audit: Audit;
  readonly #clock: Clock;
  readonly #ids: IdSource;
  readonly #settings: SecondFactorSettings;

  constructor(
    deps: {
      challenges: MfaChallengeStore;
      users: UserStore;
      sessions: SessionService;
      codes: CodeCheck;
      ceremonies: PasskeyCeremonies;
      count: FactorCount;
      admission: Admission;
      audit: Audit;
      clock: Clock;
      ids: IdSource;
    },
    settings: SecondFactorSettings,
  ) {
    this.#challenges = deps.challenges;
    this.#users = deps.users;
    this.#sessions = deps.sessions;
    this.#codes = deps.codes;
    this.#ceremonies = deps.ceremonies;
    this.#count = deps.count;
    this.#admission = deps.admission;
    this.#audit = deps.audit;
    this.#clock = deps.clock;
    this.#ids = deps.ids;
    this.#settings = settings;
  }

  /**
   * The gate every password login passes after the password was right:
   * returns the `amr` of a login needing nothing more (an enrolment session
   * for an account MFA_REQUIRED covers without a factor, on the hosted
   * sign-in), or throws MFA_REQUIRED (with an mfa_token where the path can ask
   * for the code) or MFA_ENROLMENT_REQUIRED.
   */
  async gate(user: User, request: SecondStepRequest, firstFactor: FirstFactor = 'pwd'): Promise<GateResult> {
    if (request.upstreamSecondFactor) return { amr: [firstFactor, 'mfa'], enrolment: false };
    const methods = await this.#count.methods(user.id);
    if (methods.length === 0) {
      if (!this.#count.mustEnrol(user)) return { amr: [firstFactor], enrolment: false };
      if (!request.hostedSignIn) throw fail('MFA_ENROLMENT_REQUIRED');
      return { amr: [firstFactor], enrolment: true };
    }
    if (request.askSecondFactor) throw new SecondFactorRequired(await this.#challenge(user.id, request.rememberMe ?? false, firstFactor), methods);
    if (this.#settings.legacyLogin === 'allow') {
      await this.#audit.record('mfa.legacy_login', user.id, 'password alone (MFA_LEGACY_LOGIN=allow)');
      return { amr: [firstFactor], enrolment: false };
    }
    throw new SecondFactorRequired(null, methods);
  }

  async #challenge(userId: number, rememberMe: boolean, firstFactor: FirstFactor): Promise<string> {
    const token = this.#ids.token(32);
    await this.#challenges.put({
      tokenHash: sha256(token),
      userId,
      expiresAt: this.#clock.now() + this.#settings.challengeTtlMs,
      attemptsLeft: this.#settings.challengeTries,
      rememberMe,
      firstFactor,
    });
    return token;
  }

  /**
   * Finishes a login with its mfa_token and what the person typed in the one
   * code field (an authenticator code or a recovery code): a grant exactly
   * like a password login's. A try of the token and a slot of the account's
   * budgets are taken before the code is judged.
   */
  async verify(mfaToken: string, typed: string, start: StartOptions): Promise<SecondStepGrant> {
    const code = readCode(typed);
    return this.#finishStep(mfaToken, start, async (user) => ((await this.#codes.judge(user.id, code)) ? ['otp', 'mfa'] : null));
  }

  /** The second step with a passkey of the account (only of THIS account): judged like a code. */
  async verifyPasskey(mfaToken: string, ceremonyId: string, response: AuthenticationResponseJSON, start: StartOptions): Promise<SecondStepGrant> {
    return this.#finishStep(mfaToken, start, async (user) => {
      let assertion: PasskeyAssertion | null = null;
      const ok = await this.#codes.judged(user.id, async () => {
        assertion = await this.#ceremonies.verifyAuthentication(ceremonyId, response);
        return assertion?.passkey.userId === user.id;
      });
      return ok && assertion ? [keyAmr((assertion as PasskeyAssertion).passkey), 'mfa'] : null;
    });
  }

  /** `judge` answers the second factor's `amr` (null: refused); the first step's goes before it. */
  async #finishStep(mfaToken: string, start: StartOptions, judge: (user: User) => Promise<readonly string[] | null>): Promise<SecondStepGrant> {
    const tokenHash = sha256(mfaToken);
    const challenge = await this.#challenges.takeTry(tokenHash, this.#clock.now());
    if (!challenge) throw fail('MFA_TOKEN_INVALID');
    const user = await this.#users.findById(challenge.userId);
    if (!user) throw fail('MFA_TOKEN_INVALID');
    // The account as it is now: disabled (or unverified) since its password was given, it is not let in.
    this.#admission.check(user);
    const second = await judge(user);
    if (!second) {
      // Out of tries: nothing more to guess against.
      if (challenge.attemptsLeft <= 0) await this.#challenges.consume(tokenHash);
      throw fail('MFA_CODE_INVALID');
    }
    // A right code wins the token once; a concurrent winner already has the session.
    if (!(await this.#challenges.consume(tokenHash))) throw fail('MFA_TOKEN_INVALID');
    return this.#finish(user, { ...start, rememberMe: challenge.rememberMe }, [challenge.firstFactor, ...second]);
  }

  /**
   * A sign-in with a passkey alone (discoverable credential): a full login when
   * the authenticator verified its user (PIN or biometrics): the key and that
   * check are two factors.
   */
  async signInWithPasskey(ceremonyId: string, response: AuthenticationResponseJSON, start: StartOptions): Promise<SecondStepGrant> {
    const assertion = await this.#ceremonies.verifyAuthentication(ceremonyId, response);
    if (!assertion?.userVerified) throw fail('INVALID_CREDENTIALS');
    const user = await this.#users.findById(assertion.passkey.userId);
    if (!user) throw fail('INVALID_CREDENTIALS');
    this.#admission.check(user);
    return this.#finish(user, start, [keyAmr(assertion.passkey), 'mfa']);
  }

  /** Starts a passkey ceremony, for a sign-in with the passkey alone or for the second step of a login. */
  passkeyOptions() {
    return this.#ceremonies.authenticationOptions();
  }

  /** The end of a two-step login: the same steps as a password login's end. */
  async #finish(user: User, start: StartOptions, amr: readonly string[]): Promise<SecondStepGrant> {
    const now = this.#clock.now();
    await this.#users.recordLogin(user.id, now);
    const updated: User = { ...user, lastLoginAt: now, loginCount: user.loginCount + 1 };
    const grant = await this.#sessions.start(updated, { ...start, amr });
    await this.#audit.record('login.succeeded', user.id, amr.join(' '));
    return { ...grant, user: updated };
  }
}
