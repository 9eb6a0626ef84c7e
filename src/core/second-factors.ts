import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { generateSecret, generateSync, generateURI } from 'otplib';
import type { Audit } from './audit.ts';
import { fail, GatehouseError } from './errors.ts';
import type { Lockout } from './lockout.ts';
import type { PasswordHasher } from './passwords.ts';
import type { Clock } from './ports/clock.ts';
import type { FactorStore, MfaChallengeStore, Passkey } from './ports/factor-store.ts';
import type { IdSource } from './ports/ids.ts';
import type { User, UserStore } from './ports/user-store.ts';
import { keyAmr, type PasskeyAssertion, PasskeyCeremonies, type WebAuthnSettings } from './passkeys.ts';
import type { SecretBox } from './secret-box.ts';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { Grant, SessionService, StartOptions } from './sessions.ts';

/** What a login may finish with, in the order clients should offer them. */
export type SecondFactorMethod = 'totp' | 'recovery_code' | 'webauthn';

/** MFA_LEGACY_LOGIN: what the login paths without a second step do for an enrolled account. */
export type LegacyLoginPolicy = 'refuse' | 'allow';

/** MFA_REQUIRED: which accounts must have a second factor (staff: `is_staff` or `is_superuser`). */
export type RequiredPolicy = 'off' | 'staff' | 'all';

export interface SecondFactorSettings {
  /** The issuer authenticator apps show beside the account (otpauth URI). */
  issuer: string;
  legacyLogin: LegacyLoginPolicy;
  required: RequiredPolicy;
  /** Passkeys: the relying party (PUBLIC_URL's host) and the allowed origins. */
  webauthn: WebAuthnSettings;
  /** How long an mfa_token lives, ms (5 minutes). */
  challengeTtlMs: number;
  /** Codes an mfa_token accepts before it dies (5). */
  challengeTries: number;
}

export const DEFAULT_SECOND_FACTORS: SecondFactorSettings = {
  issuer: 'Gatehouse',
  legacyLogin: 'refuse',
  required: 'off',
  webauthn: { rpId: 'localhost', rpName: 'Gatehouse', origins: ['http://localhost'] },
  challengeTtlMs: 300_000,
  challengeTries: 5,
};

/**
 * MFA_REQUIRED: the password was right and the account needs its second
 * factor. `mfaToken` (null on login paths that have no second step) lets the
 * client finish with {@link SecondFactorService.verify}.
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

/** What a login path tells the second-factor gate about itself. */
export interface SecondStepRequest {
  /** This path can ask for a second factor (an mfa_token round trip); without it, MFA_LEGACY_LOGIN decides. */
  askSecondFactor?: boolean;
  /** The hosted sign-in (the account page): an account MFA_REQUIRED covers may sign in there to enrol, and nowhere else. */
  hostedSignIn?: boolean;
  rememberMe?: boolean;
}

/** What `GET /mfa` shows. */
export interface SecondFactorStatus {
  totp: 'none' | 'pending' | 'active';
  recoveryCodesLeft: number;
  passkeys: Passkey[];
}

/** What a finished second step gives: a grant like a login's, and how the user got in. */
export type SecondStepGrant = Grant & { user: User };

/** Either a TOTP code or a recovery code. */
export type SecondFactorProof = { code: string } | { recoveryCode: string };

const TOTP_PERIOD_S = 30;
const RECOVERY_CODES = 10;
/** Recovery code alphabet: no 0/o, 1/l/i to misread. 10 characters, ~49 bits each code. */
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/**
 * Second factors (RFC 6238 TOTP via otplib, recovery codes; passkeys in
 * passkeys.ts) and the second step of a login. Every login path goes through
 * {@link gate}; an mfa_token is finished by {@link verify}, which counts wrong
 * codes toward the account's lockout like wrong passwords.
 */
export class SecondFactorService {
  readonly #factors: FactorStore;
  readonly #challenges: MfaChallengeStore;
  readonly #users: UserStore;
  readonly #sessions: SessionService;
  readonly #lockout: Lockout;
  readonly #hasher: PasswordHasher;
  readonly #box: SecretBox;
  readonly #audit: Audit;
  readonly #clock: Clock;
  readonly #ids: IdSource;
  readonly settings: SecondFactorSettings;
  /** The WebAuthn ceremonies behind passkeys. */
  readonly #passkeys: PasskeyCeremonies;

  constructor(
    deps: {
      factors: FactorStore;
      challenges: MfaChallengeStore;
      users: UserStore;
      sessions: SessionService;
      lockout: Lockout;
      hasher: PasswordHasher;
      box: SecretBox;
      audit: Audit;
      clock: Clock;
      ids: IdSource;
    },
    settings: SecondFactorSettings = DEFAULT_SECOND_FACTORS,
  ) {
    this.#factors = deps.factors;
    this.#challenges = deps.challenges;
    this.#users = deps.users;
    this.#sessions = deps.sessions;
    this.#lockout = deps.lockout;
    this.#hasher = deps.hasher;
    this.#box = deps.box;
    this.#audit = deps.audit;
    this.#clock = deps.clock;
    this.#ids = deps.ids;
    this.settings = settings;
    this.#passkeys = new PasskeyCeremonies(deps, settings.webauthn);
  }

  /** The methods an account can finish a login with; empty when it has no second factor. */
  async methods(userId: number): Promise<SecondFactorMethod[]> {
    const [totp, passkeys] = await Promise.all([this.#factors.getTotp(userId), this.#factors.listPasskeys(userId)]);
    const methods: SecondFactorMethod[] = [];
    if (totp?.confirmedAt != null) methods.push('totp', 'recovery_code');
    if (passkeys.length > 0) methods.push('webauthn');
    return methods;
  }

  /**
   * The second-factor gate every password login passes after the password
   * was right: returns the `amr` of a login needing nothing more, or throws
   * MFA_REQUIRED (with an mfa_token where the path can ask for the code).
   */
  async gate(user: User, request: SecondStepRequest): Promise<string[]> {
    const methods = await this.methods(user.id);
    if (methods.length === 0) {
      if (this.mustEnrol(user) && !request.hostedSignIn) throw fail('MFA_ENROLMENT_REQUIRED');
      return ['pwd'];
    }
    if (request.askSecondFactor) throw new SecondFactorRequired(await this.#challenge(user.id, request.rememberMe ?? false), methods);
    if (this.settings.legacyLogin === 'allow') {
      await this.#audit.record('mfa.legacy_login', user.id, 'password alone (MFA_LEGACY_LOGIN=allow)');
      return ['pwd'];
    }
    throw new SecondFactorRequired(null, methods);
  }

  /** Whether MFA_REQUIRED covers the account (it must enrol before anything else; check `methods` for whether it has). */
  mustEnrol(user: User): boolean {
    const { required } = this.settings;
    return required === 'all' || (required === 'staff' && (user.isStaff || user.isSuperuser));
  }

  /** Starts a second step for an account (the mfa_token); the account page and OpenID Connect sign-in use it too. */
  async #challenge(userId: number, rememberMe: boolean): Promise<string> {
    const token = this.#ids.token(32);
    await this.#challenges.put({
      tokenHash: sha256(token),
      userId,
      expiresAt: this.#clock.now() + this.settings.challengeTtlMs,
      attemptsLeft: this.settings.challengeTries,
      rememberMe,
    });
    return token;
  }

  /**
   * Finishes a login with its mfa_token and a TOTP or recovery code: a grant
   * exactly like a password login's, with `amr` saying how. A try of the token
   * and a slot of the account's lockout budget are taken before the code is
   * judged, so parallel guesses cannot exceed either.
   */
  async verify(mfaToken: string, proof: SecondFactorProof, start: StartOptions): Promise<SecondStepGrant> {
    const tokenHash = sha256(mfaToken);
    const challenge = await this.#challenges.takeTry(tokenHash, this.#clock.now());
    if (!challenge) throw fail('MFA_TOKEN_INVALID');
    const user = await this.#users.findById(challenge.userId);
    if (!user) throw fail('MFA_TOKEN_INVALID');
    if (user.status !== 'active') throw fail('USER_DISABLED');
    const ok = await this.#judged(user.id, () => ('code' in proof ? this.#checkTotp(user.id, proof.code) : this.#useRecoveryCode(user.id, proof.recoveryCode)));
    if (!ok) {
      // Out of tries: nothing more to guess against.
      if (challenge.attemptsLeft <= 0) await this.#challenges.consume(tokenHash);
      throw fail('MFA_CODE_INVALID');
    }
    // A right code wins the token once; a concurrent winner already has the session.
    if (!(await this.#challenges.consume(tokenHash))) throw fail('MFA_TOKEN_INVALID');
    if (!('code' in proof)) await this.#audit.record('mfa.recovery_code_used', user.id, `${await this.#factors.countRecoveryCodes(user.id)} left`);
    return this.#finish(user, { ...start, rememberMe: challenge.rememberMe }, ['pwd', 'otp', 'mfa']);
  }

  /** The end of a two-step login: the same steps as a password login's end. */
  async #finish(user: User, start: StartOptions, amr: string[]): Promise<SecondStepGrant> {
    const now = this.#clock.now();
    await this.#users.recordLogin(user.id, now);
    const updated: User = { ...user, lastLoginAt: now, loginCount: user.loginCount + 1 };
    const grant = await this.#sessions.start(updated, { ...start, amr });
    await this.#audit.record('login.succeeded', user.id, amr.join(' '));
    return { ...grant, user: updated };
  }

  /**
   * Runs a code check inside the account's budgets: a wrong code fails a slot
   * of the password lockout (it locks the account like wrong passwords) and of
   * the second-factor budget (not cleared by a right password).
   */
  async #judged(userId: number, check: () => Promise<boolean>): Promise<boolean> {
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
  async #checkTotp(userId: number, code: string, pending = false): Promise<boolean> {
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
    return this.#factors.useRecoveryCode(userId, recoveryHash(userId, normalized));
  }

  /** Starts TOTP enrolment: a new secret, not asked at login until a right code confirms it. */
  async beginTotp(user: User): Promise<{ secret: string; otpauthUri: string }> {
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

  /** The pending enrolment's secret again (a setup page shown anew after a wrong code); null when none is pending. */
  async pendingTotp(user: User): Promise<{ secret: string; otpauthUri: string } | null> {
    const factor = await this.#factors.getTotp(user.id);
    if (!factor || factor.confirmedAt !== null) return null;
    const secret = this.#box.open(factor.sealedSecret, totpContext(user.id));
    return { secret, otpauthUri: this.#uri(user, secret) };
  }

  #uri(user: User, secret: string): string {
    return generateURI({ issuer: this.settings.issuer, label: user.email ?? user.username ?? String(user.uuid), secret });
  }

  /** Confirms a pending TOTP with a right code; returns the account's 10 new recovery codes (shown once). */
  async confirmTotp(user: User, code: string): Promise<string[]> {
    const factor = await this.#factors.getTotp(user.id);
    if (!factor || factor.confirmedAt !== null) throw fail('MFA_STATE_CONFLICT', 'no TOTP enrolment is pending');
    if (!(await this.#judged(user.id, () => this.#checkTotp(user.id, code, true)))) throw fail('MFA_CODE_INVALID');
    if (!(await this.#factors.confirmTotp(user.id, this.#clock.now()))) throw fail('MFA_STATE_CONFLICT', 'no TOTP enrolment is pending');
    const codes = await this.#newRecoveryCodes(user.id);
    await this.#audit.record('mfa.enrolled', user.id, 'totp');
    return codes;
  }

  /** Removes TOTP (and with it the recovery codes), after the account's password. */
  async removeTotp(user: User, password: string): Promise<void> {
    await this.#checkPassword(user, password);
    if (!(await this.#factors.deleteTotp(user.id))) throw fail('MFA_STATE_CONFLICT', 'TOTP is not enrolled');
    await this.#factors.replaceRecoveryCodes(user.id, [], this.#clock.now());
    await this.#audit.record('mfa.removed', user.id, 'totp');
  }

  /** 10 new recovery codes after the account's password; the old ones stop working. */
  async regenerateRecoveryCodes(user: User, password: string): Promise<string[]> {
    await this.#checkPassword(user, password);
    const totp = await this.#factors.getTotp(user.id);
    if (totp?.confirmedAt == null) throw fail('MFA_STATE_CONFLICT', 'recovery codes come with an enrolled second factor');
    const codes = await this.#newRecoveryCodes(user.id);
    await this.#audit.record('mfa.recovery_codes_regenerated', user.id);
    return codes;
  }

  async status(userId: number): Promise<SecondFactorStatus> {
    const [totp, recoveryCodesLeft, passkeys] = await Promise.all([
      this.#factors.getTotp(userId),
      this.#factors.countRecoveryCodes(userId),
      this.#factors.listPasskeys(userId),
    ]);
    return { totp: totp === null ? 'none' : totp.confirmedAt === null ? 'pending' : 'active', recoveryCodesLeft, passkeys };
  }

  /** Starts adding a passkey to the account. */
  passkeyRegistrationOptions(user: User) {
    return this.#passkeys.registrationOptions(user);
  }

  /** Finishes adding a passkey: the browser's answer to the ceremony, checked, then stored under `name`. */
  async addPasskey(user: User, ceremonyId: string, response: RegistrationResponseJSON, name: string): Promise<Passkey> {
    const passkey = await this.#passkeys.verifyRegistration(user, ceremonyId, response, name.trim().slice(0, 64) || 'Passkey');
    await this.#factors.addPasskey(passkey);
    await this.#audit.record('mfa.enrolled', user.id, 'passkey');
    return passkey;
  }

  async renamePasskey(user: User, id: string, name: string): Promise<void> {
    if (!(await this.#factors.renamePasskey(user.id, id, name.trim().slice(0, 64) || 'Passkey'))) throw fail('NOT_FOUND');
  }

  /** Removes one of the account's passkeys, after its password. */
  async removePasskey(user: User, id: string, password: string): Promise<void> {
    await this.#checkPassword(user, password);
    if (!(await this.#factors.deletePasskey(user.id, id))) throw fail('NOT_FOUND');
    await this.#audit.record('mfa.removed', user.id, 'passkey');
  }

  /** Starts a passkey ceremony, for a sign-in with the passkey alone or for the second step of a login. */
  passkeyOptions() {
    return this.#passkeys.authenticationOptions();
  }

  /** The second step with a passkey of the account: judged like a code (tries, lockout budgets). */
  async verifyPasskey(mfaToken: string, ceremonyId: string, response: AuthenticationResponseJSON, start: StartOptions): Promise<SecondStepGrant> {
    const tokenHash = sha256(mfaToken);
    const challenge = await this.#challenges.takeTry(tokenHash, this.#clock.now());
    if (!challenge) throw fail('MFA_TOKEN_INVALID');
    const user = await this.#users.findById(challenge.userId);
    if (!user) throw fail('MFA_TOKEN_INVALID');
    if (user.status !== 'active') throw fail('USER_DISABLED');
    let assertion: PasskeyAssertion | null = null;
    const ok = await this.#judged(user.id, async () => {
      assertion = await this.#passkeys.verifyAuthentication(ceremonyId, response);
      return assertion?.passkey.userId === user.id;
    });
    if (!ok || !assertion) {
      if (challenge.attemptsLeft <= 0) await this.#challenges.consume(tokenHash);
      throw fail('MFA_CODE_INVALID');
    }
    if (!(await this.#challenges.consume(tokenHash))) throw fail('MFA_TOKEN_INVALID');
    return this.#finish(user, { ...start, rememberMe: challenge.rememberMe }, ['pwd', keyAmr((assertion as PasskeyAssertion).passkey), 'mfa']);
  }

  /**
   * A sign-in with a passkey alone (discoverable credential): a full login when
   * the authenticator verified its user (PIN or biometrics): the key and that
   * check are two factors.
   */
  async signInWithPasskey(ceremonyId: string, response: AuthenticationResponseJSON, start: StartOptions): Promise<SecondStepGrant> {
    const assertion = await this.#passkeys.verifyAuthentication(ceremonyId, response);
    if (!assertion?.userVerified) throw fail('INVALID_CREDENTIALS');
    const user = await this.#users.findById(assertion.passkey.userId);
    if (!user) throw fail('INVALID_CREDENTIALS');
    if (user.status !== 'active') throw fail('USER_DISABLED');
    return this.#finish(user, start, [keyAmr(assertion.passkey), 'mfa']);
  }

  /** Operator reset (`gatehouse users mfa-reset`, the admin API): every factor and recovery code goes. */
  async reset(userId: number): Promise<void> {
    await this.#factors.deleteAllForUser(userId);
    await this.#audit.record('mfa.reset', userId, 'by an operator');
  }

  async #newRecoveryCodes(userId: number): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODES }, () => {
      const raw = Array.from({ length: 10 }, () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]).join('');
      return `${raw.slice(0, 5)}-${raw.slice(5)}`;
    });
    await this.#factors.replaceRecoveryCodes(
      userId,
      codes.map((c) => recoveryHash(userId, c.replace('-', ''))),
      this.#clock.now(),
    );
    return codes;
  }

  /** A password confirmation for removing or regenerating factors: wrong ones count toward the lockout. */
  async #checkPassword(user: User, password: string): Promise<void> {
    const ok = await this.#lockout.guard('password', user.id, async () => (await this.#hasher.verify(user.passwordHash, password)).ok);
    if (!ok) throw fail('PASSWORD_INCORRECT');
  }
}

/** The secret box context of an account's TOTP secret: a sealed secret copied to another account does not open. */
function totpContext(userId: number): string {
  return `totp:${userId}`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

/** Recovery codes are random (~49 bits), so a fast hash suffices; the account id keeps equal codes apart. */
function recoveryHash(userId: number, normalized: string): string {
  return sha256(`gatehouse recovery code\0${userId}\0${normalized}`);
}
