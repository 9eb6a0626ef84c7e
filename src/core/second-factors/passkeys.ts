import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import { fail } from '../errors.ts';
import type { FactorStore, Passkey } from '../ports/factor-store.ts';
import type { IdentityStore } from '../ports/identity-store.ts';
import { keepsWayIn } from '../ways-in.ts';
import type { Caller, Grant, StartOptions } from '../sessions.ts';
import type { FactorChanges } from './factor-changes.ts';
import type { FactorCount } from './factor-count.ts';
import { keyAmr, type PasskeyCeremonies } from './passkey-ceremonies.ts';
import type { StepUp, StepUpProof } from './step-up.ts';

/** A passkey just added, and (for an enrolment session) the normal session replacing it. */
export interface PasskeyAdded {
  passkey: Passkey;
  grant: Grant | null;
}

/** A name as stored: trimmed, at most 64 characters, "Passkey" when empty. */
const passkeyName = (name: string) => name.trim().slice(0, 64) || 'Passkey';

/**
 * An account's passkeys as second factors (WebAuthn, passkey-ceremonies.ts):
 * added after a step-up (the ceremony's options are handed out only then, and
 * the ceremony is bound to the account), renamed, removed after a step-up.
 */
export class PasskeyFactors {
  readonly #factors: FactorStore;
  readonly #ceremonies: PasskeyCeremonies;
  readonly #stepUp: StepUp;
  readonly #changes: FactorChanges;
  readonly #count: FactorCount;
  readonly #identities: Pick<IdentityStore, 'identitiesOf'>;

  constructor(deps: {
    factors: FactorStore;
    ceremonies: PasskeyCeremonies;
    stepUp: StepUp;
    changes: FactorChanges;
    count: FactorCount;
    identities: Pick<IdentityStore, 'identitiesOf'>;
  }) {
    this.#identities = deps.identities;
    this.#factors = deps.factors;
    this.#ceremonies = deps.ceremonies;
    this.#stepUp = deps.stepUp;
    this.#changes = deps.changes;
    this.#count = deps.count;
  }

  /** Starts adding a passkey, after a step-up. */
  async registrationOptions(caller: Caller, proof: StepUpProof) {
    await this.#stepUp.require(caller, 'add-factor', proof);
    return this.#ceremonies.registrationOptions(caller.user);
  }

  /**
   * Finishes adding a passkey: the browser's answer to a ceremony started for
   * this account, checked, then stored. A credential id already registered (to
   * any account) is refused like an answer that does not verify.
   */
  async add(
    caller: Caller,
    ceremonyId: string,
    response: RegistrationResponseJSON,
    name: string,
    start: StartOptions & { renew?: boolean },
  ): Promise<PasskeyAdded> {
    const { user } = caller;
    const passkey = await this.#ceremonies.verifyRegistration(user, ceremonyId, response, passkeyName(name));
    const first = (await this.#count.methods(user.id)).length === 0;
    if (await this.#factors.findPasskey(passkey.id)) throw fail('MFA_CODE_INVALID', 'the passkey could not be verified');
    try {
      await this.#factors.addPasskey(passkey, this.#changes.event('mfa.enrolled', user, 'passkey'));
    } catch (error) {
      // Registered at the same moment by another request: the same answer as above.
      if (await this.#factors.findPasskey(passkey.id)) throw fail('MFA_CODE_INVALID', 'the passkey could not be verified');
      throw error;
    }
    const grant = await this.#changes.added(caller, 'passkey', first, ['pwd', keyAmr(passkey), 'mfa'], start);
    return { passkey, grant };
  }

  async rename(caller: Caller, id: string, name: string): Promise<void> {
    if (!(await this.#factors.renamePasskey(caller.user.id, id, passkeyName(name)))) throw fail('NOT_FOUND');
  }

  /** Removes one of the account's passkeys, after a step-up. */
  async remove(caller: Caller, id: string, proof: StepUpProof): Promise<void> {
    const { user } = caller;
    const owned = (await this.#factors.listPasskeys(user.id)).some((p) => p.id === id);
    if (!owned) throw fail('NOT_FOUND');
    await this.#count.keepOne(user, 'passkey');
    // A passkey may be how an account without a password signs in: the last way in stays (as an identity's unlink).
    const held = { passkeys: (await this.#factors.listPasskeys(user.id)).length, identities: (await this.#identities.identitiesOf(user.id)).length };
    if (!keepsWayIn(user, held, 'passkey')) throw fail('LAST_WAY_IN');
    await this.#stepUp.require(caller, 'remove-factor', proof);
    if (!(await this.#factors.deletePasskey(user.id, id, this.#changes.event('mfa.removed', user, 'passkey')))) throw fail('NOT_FOUND');
    await this.#changes.removed(user, 'passkey');
  }
}
