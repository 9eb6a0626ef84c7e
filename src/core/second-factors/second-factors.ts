import type { Admission } from '../admission.ts';
import type { Audit } from '../audit.ts';
import type { Events } from '../events.ts';
import type { Lockout } from '../lockout.ts';
import type { PasswordHasher } from '../passwords.ts';
import type { Clock } from '../ports/clock.ts';
import type { FactorStore, MfaChallengeStore, Passkey } from '../ports/factor-store.ts';
import type { IdentityStore } from '../ports/identity-store.ts';
import type { IdSource } from '../ports/ids.ts';
import type { Mailer } from '../ports/mailer.ts';
import type { User, UserStore } from '../ports/user-store.ts';
import type { SecretBox } from '../secret-box.ts';
import type { SessionService } from '../sessions.ts';
import { CodeCheck } from './code-check.ts';
import { FactorChanges } from './factor-changes.ts';
import { FactorCount } from './factor-count.ts';
import { PasskeyCeremonies } from './passkey-ceremonies.ts';
import { PasskeyFactors } from './passkeys.ts';
import { SecondStep } from './second-step.ts';
import type { SecondFactorMethod, SecondFactorSettings } from './settings.ts';
import { StepUp } from './step-up.ts';
import { TotpFactors } from './totp.ts';

/** What `GET /mfa` shows. */
export interface SecondFactorStatus {
  totp: 'none' | 'pending' | 'active';
  recoveryCodesLeft: number;
  passkeys: Passkey[];
}

/**
 * Second factors, one job a part: the second step of a login (`step`), the
 * authenticator app and its recovery codes (`totp`), passkeys (`passkeys`),
 * and the step-up every change to them needs (`stepUp`).
 */
export class SecondFactors {
  readonly step: SecondStep;
  readonly totp: TotpFactors;
  readonly passkeys: PasskeyFactors;
  readonly stepUp: StepUp;
  readonly settings: SecondFactorSettings;
  readonly #count: FactorCount;
  readonly #factors: FactorStore;
  readonly #audit: Audit;
  readonly #users: UserStore;
  readonly #changes: FactorChanges;

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
      mailer: Mailer;
      events: Events;
      admission: Admission;
      clock: Clock;
      ids: IdSource;
      report: (error: unknown, what: string) => void;
      /** The account's upstream identities: a way in that a passkey's removal must not leave the account without. */
      identities: Pick<IdentityStore, 'identitiesOf'>;
    },
    settings: SecondFactorSettings,
  ) {
    this.settings = settings;
    this.#factors = deps.factors;
    this.#audit = deps.audit;
    this.#users = deps.users;
    this.#count = new FactorCount(deps.factors, settings.required);
    const codes = new CodeCheck(deps);
    const ceremonies = new PasskeyCeremonies(deps, settings.webauthn);
    const changes = new FactorChanges(deps);
    this.#changes = changes;
    this.stepUp = new StepUp({ ...deps, codes }, { maxAgeMs: settings.stepUpMaxAgeMs, legacyLogin: settings.legacyLogin });
    const parts = { ...deps, codes, ceremonies, changes, count: this.#count, stepUp: this.stepUp };
    this.step = new SecondStep(parts, settings);
    this.totp = new TotpFactors(parts, settings.issuer);
    this.passkeys = new PasskeyFactors(parts);
  }

  /** The methods an account can finish a login with; empty when it has no second factor. */
  methods(userId: number): Promise<SecondFactorMethod[]> {
    return this.#count.methods(userId);
  }

  /** Whether MFA_REQUIRED covers the account (it must enrol before anything else; check `methods` for whether it has). */
  mustEnrol(user: User): boolean {
    return this.#count.mustEnrol(user);
  }

  async status(userId: number): Promise<SecondFactorStatus> {
    const [totp, recoveryCodesLeft, passkeys] = await Promise.all([
      this.#factors.getTotp(userId),
      this.#factors.countRecoveryCodes(userId),
      this.#factors.listPasskeys(userId),
    ]);
    return { totp: totp === null ? 'none' : totp.confirmedAt === null ? 'pending' : 'active', recoveryCodesLeft, passkeys };
  }

  /** Operator reset (`gatehouse users mfa-reset`, the admin API, the console): every factor and recovery code goes. */
  async reset(userId: number): Promise<void> {
    const user = await this.#users.findById(userId);
    await this.#factors.deleteAllForUser(userId, user ? this.#changes.event('mfa.removed', user, 'all') : undefined);
    await this.#audit.record('mfa.reset', userId, 'by an operator');
  }
}
