import { fail } from '../errors.ts';
import type { FactorStore } from '../ports/factor-store.ts';
import type { User } from '../ports/user-store.ts';
import type { FactorKind } from './factor-changes.ts';
import { coveredBy, type RequiredPolicy, type SecondFactorMethod } from './settings.ts';

/** What an account has enrolled, and the rules that follow from it (MFA_REQUIRED). */
export class FactorCount {
  readonly #factors: FactorStore;
  readonly #required: RequiredPolicy;

  constructor(factors: FactorStore, required: RequiredPolicy) {
    this.#factors = factors;
    this.#required = required;
  }

  /** The methods an account can finish a login with; empty when it has no second factor. */
  async methods(userId: number): Promise<SecondFactorMethod[]> {
    const [totp, passkeys] = await Promise.all([this.#factors.getTotp(userId), this.#factors.listPasskeys(userId)]);
    const methods: SecondFactorMethod[] = [];
    if (totp?.confirmedAt != null) methods.push('totp', 'recovery_code');
    if (passkeys.length > 0) methods.push('webauthn');
    return methods;
  }

  /** Whether MFA_REQUIRED covers the account (it must enrol before anything else; check `methods` for whether it has). */
  mustEnrol(user: User): boolean {
    return coveredBy(this.#required, user);
  }

  /** MFA_REQUIRED covers the account: removing this factor must leave another (LAST_FACTOR_REQUIRED otherwise). */
  async keepOne(user: User, removing: FactorKind): Promise<void> {
    if (!this.mustEnrol(user)) return;
    const [totp, passkeys] = await Promise.all([this.#factors.getTotp(user.id), this.#factors.listPasskeys(user.id)]);
    const left = (removing === 'totp' ? 0 : totp?.confirmedAt != null ? 1 : 0) + (removing === 'passkey' ? passkeys.length - 1 : passkeys.length);
    if (left < 1) throw fail('LAST_FACTOR_REQUIRED');
  }
}
