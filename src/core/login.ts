import type { AccountService } from './accounts.ts';
import type { Admission } from './admission.ts';
import { fail } from './errors.ts';
import type { Audit } from './audit.ts';
import type { Lockout } from './lockout.ts';
import { hasPassword, type PasswordHasher } from './passwords.ts';
import type { Clock } from './ports/clock.ts';
import type { User, UserStore } from './ports/user-store.ts';
import type { FirstFactor, SecondStep, SecondStepRequest } from './second-factors/second-step.ts';
import type { Grant, SessionService, StartOptions } from './sessions.ts';

/** How a surface names the account: seed 000 by email, seed 002 by username, seed 004 by either. */
export type LoginBy = 'email' | 'username' | 'either';

export interface LoginRequest extends StartOptions, SecondStepRequest {
  by: LoginBy;
  identifier: string;
  password: string;
}

/** What a finished first step gives: a grant, the account, and whether its session may only enrol a first factor. */
export type LoginGrant = Grant & { user: User; enrolment: boolean };

/**
 * Password login. Order matters for safety: an unknown account still spends a
 * hash (no timing oracle), a slot of the account's lockout budget is reserved
 * before its password is checked (a locked account is refused), and a right
 * password on an outdated hash upgrades the hash.
 */
export class LoginService {
  readonly #accounts: AccountService;
  readonly #users: UserStore;
  readonly #hasher: PasswordHasher;
  readonly #lockout: Lockout;
  readonly #sessions: SessionService;
  readonly #clock: Clock;
  readonly #audit: Audit;
  readonly #admission: Admission;
  readonly #secondFactors: Pick<SecondStep, 'gate'>;

  constructor(deps: {
    accounts: AccountService;
    users: UserStore;
    hasher: PasswordHasher;
    lockout: Lockout;
    sessions: SessionService;
    clock: Clock;
    audit: Audit;
    admission: Admission;
    secondFactors: Pick<SecondStep, 'gate'>;
  }) {
    this.#secondFactors = deps.secondFactors;
    this.#audit = deps.audit;
    this.#admission = deps.admission;
    this.#accounts = deps.accounts;
    this.#users = deps.users;
    this.#hasher = deps.hasher;
    this.#lockout = deps.lockout;
    this.#sessions = deps.sessions;
    this.#clock = deps.clock;
  }

  /**
   * `enrolment` says the session is an enrolment session (an account
   * MFA_REQUIRED covers, with no factor yet, on the hosted sign-in): it may set
   * up the first factor and do nothing else (core/sessions.ts).
   */
  async login(request: LoginRequest): Promise<LoginGrant> {
    const user = await this.#find(request.by, request.identifier);
    if (!user) {
      await this.#hasher.verifyDummy(request.password);
      await this.#audit.record('login.failed', null, 'unknown account');
      throw fail('INVALID_CREDENTIALS');
    }
    if (!hasPassword(user)) {
      // No password can be right (an account a sign-in code made): nothing to guess, so nothing is
      // counted, and no one can lock its owner out of code sign-ins with made-up passwords. The same
      // answer in the same time as a wrong password.
      await this.#hasher.verifyDummy(request.password);
      await this.#audit.record('login.failed', user.id, 'no password set');
      throw fail('INVALID_CREDENTIALS');
    }
    // A slot of the account's lockout budget is taken before the hash runs, so
    // parallel guesses on every surface and instance check at most the rule's count.
    const attempt = await this.#lockout.reserve('password', user.id);
    let result: Awaited<ReturnType<PasswordHasher['verify']>>;
    try {
      result = await this.#hasher.verify(user.passwordHash, request.password);
    } catch (error) {
      await attempt.release();
      throw error;
    }
    if (!result.ok) {
      const locked = await attempt.failed();
      await this.#audit.record('login.failed', user.id, 'wrong password');
      if (locked) await this.#audit.record('account.locked', user.id);
      throw fail('INVALID_CREDENTIALS');
    }
    await attempt.succeeded();
    return this.admit(user, request, 'pwd', () => (result.needsRehash ? this.#hasher.hash(request.password) : Promise.resolve(undefined)));
  }

  /**
   * The end of every first step — a password here, a sign-in code
   * (one-time-codes.ts) — once it was judged right: the admission rule, the
   * second-factor gate, last login, a core session, `login.succeeded`. One
   * order in one place, so every way in ends alike. `newHash` (a password's
   * re-hash) runs only when the account is let in.
   */
  async admit(
    user: User,
    request: StartOptions & SecondStepRequest,
    firstFactor: FirstFactor,
    newHash: () => Promise<string | undefined> = async () => undefined,
    /** What the audit's `login.succeeded` says of the way in (an upstream sign-in names its provider). */
    how?: string,
  ): Promise<LoginGrant> {
    // Only after the first factor was right: the answer tells nothing to someone without it.
    this.#admission.check(user);
    // Second factor: the one gate every login path passes (second-factors/second-step.ts). An enrolled
    // account stops here with MFA_REQUIRED (and an mfa_token where the path has a second step).
    const { amr, enrolment } = await this.#secondFactors.gate(user, request, firstFactor);
    const now = this.#clock.now();
    const hash = await newHash();
    await this.#users.recordLogin(user.id, now, hash);
    const updated: User = { ...user, lastLoginAt: now, loginCount: user.loginCount + 1, passwordHash: hash ?? user.passwordHash };
    const grant = await this.#sessions.start(updated, { ...request, amr, enrolment });
    await this.#audit.record('login.succeeded', user.id, enrolment ? 'enrolment session' : (how ?? (firstFactor === 'pwd' ? null : `by ${firstFactor} code`)));
    return { ...grant, user: updated, enrolment };
  }

  #find(by: LoginBy, identifier: string): Promise<User | null> {
    if (by === 'email') return this.#accounts.findByEmail(identifier);
    if (by === 'username') return this.#accounts.findByUsername(identifier);
    return this.#accounts.findByLogin(identifier);
  }
}
