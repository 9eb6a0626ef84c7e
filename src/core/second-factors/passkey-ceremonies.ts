import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { fail } from '../errors.ts';
import type { Clock } from '../ports/clock.ts';
import type { FactorStore, MfaChallengeStore, Passkey } from '../ports/factor-store.ts';
import type { IdSource } from '../ports/ids.ts';
import type { User } from '../ports/user-store.ts';

// Loaded at the first ceremony, not at start: the library and its ASN.1/X.509 stack cost ~0.1 s of start-up and
// several MiB that a server whose users never add a passkey would carry for nothing (docs/performance.md).
let library: Promise<typeof import('@simplewebauthn/server')> | undefined;
const webauthn = () => (library ??= import('@simplewebauthn/server'));

/** Where passkeys are valid: the relying party (PUBLIC_URL's host) and the origins a browser may use. */
export interface WebAuthnSettings {
  rpId: string;
  rpName: string;
  origins: string[];
}

/** A ceremony the browser runs with these options, then sends back with its id. */
export interface CeremonyStart<Options> {
  ceremonyId: string;
  options: Options;
}

/** A checked assertion: the credential, and whether the authenticator verified its user (PIN, biometrics). */
export interface PasskeyAssertion {
  passkey: Passkey;
  userVerified: boolean;
}

/** A WebAuthn ceremony lives 5 minutes, the browser's own timeout. */
const CEREMONY_MS = 300_000;

/**
 * The WebAuthn ceremonies (@simplewebauthn/server): options with a one-time
 * challenge kept server-side, and the checks of what the browser sends back.
 * What a checked credential or assertion means for a login is decided in
 * second-step.ts and passkeys.ts.
 */
export class PasskeyCeremonies {
  readonly #factors: FactorStore;
  readonly #challenges: MfaChallengeStore;
  readonly #clock: Clock;
  readonly #ids: IdSource;
  readonly #settings: WebAuthnSettings;

  constructor(deps: { factors: FactorStore; challenges: MfaChallengeStore; clock: Clock; ids: IdSource }, settings: WebAuthnSettings) {
    this.#factors = deps.factors;
    this.#challenges = deps.challenges;
    this.#clock = deps.clock;
    this.#ids = deps.ids;
    this.#settings = settings;
  }

  async #remember(challenge: string, userId: number | null): Promise<string> {
    const id = this.#ids.token(24);
    await this.#challenges.putCeremony({ id, challenge, userId, expiresAt: this.#clock.now() + CEREMONY_MS });
    return id;
  }

  async #take(ceremonyId: string) {
    const ceremony = await this.#challenges.takeCeremony(ceremonyId, this.#clock.now());
    if (!ceremony) throw fail('MFA_TOKEN_INVALID', 'the passkey ceremony is unknown, used or expired');
    return ceremony;
  }

  /** Options for adding a passkey: a discoverable credential (it can sign in alone), none already registered. */
  async registrationOptions(user: User): Promise<CeremonyStart<PublicKeyCredentialCreationOptionsJSON>> {
    const existing = await this.#factors.listPasskeys(user.id);
    const options = await (await webauthn()).generateRegistrationOptions({
      rpName: this.#settings.rpName,
      rpID: this.#settings.rpId,
      userName: user.email ?? user.username ?? user.uuid,
      userID: new TextEncoder().encode(user.uuid),
      attestationType: 'none',
      excludeCredentials: existing.map((p) => ({ id: p.id, transports: p.transports })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
    });
    return { ceremonyId: await this.#remember(options.challenge, user.id), options };
  }

  /** Checks a new credential against the ceremony started for this user; returns it, not yet stored. */
  async verifyRegistration(user: User, ceremonyId: string, response: RegistrationResponseJSON, name: string): Promise<Passkey> {
    const ceremony = await this.#take(ceremonyId);
    if (ceremony.userId !== user.id) throw fail('MFA_TOKEN_INVALID', 'the passkey ceremony was started for another account');
    let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
    try {
      verified = await (await webauthn()).verifyRegistrationResponse({
        response,
        expectedChallenge: ceremony.challenge,
        expectedOrigin: this.#settings.origins,
        expectedRPID: this.#settings.rpId,
        requireUserVerification: false,
      });
    } catch (error) {
      throw fail('MFA_CODE_INVALID', 'the passkey could not be verified', undefined, { cause: error });
    }
    if (!verified.verified) throw fail('MFA_CODE_INVALID', 'the passkey could not be verified');
    const { credential, credentialBackedUp } = verified.registrationInfo;
    return {
      id: credential.id,
      userId: user.id,
      publicKey: Buffer.from(credential.publicKey).toString('base64url'),
      counter: credential.counter,
      transports: credential.transports ?? [],
      name,
      backedUp: credentialBackedUp,
      createdAt: this.#clock.now(),
      lastUsedAt: null,
    };
  }

  /** Options for signing in or for the second step: the browser offers the account's discoverable passkeys. */
  async authenticationOptions(): Promise<CeremonyStart<PublicKeyCredentialRequestOptionsJSON>> {
    const options = await (await webauthn()).generateAuthenticationOptions({ rpID: this.#settings.rpId, userVerification: 'preferred' });
    return { ceremonyId: await this.#remember(options.challenge, null), options };
  }

  /** Checks an assertion: a known credential, its signature over the ceremony's challenge, a counter that moved on. */
  async verifyAuthentication(ceremonyId: string, response: AuthenticationResponseJSON): Promise<PasskeyAssertion | null> {
    const ceremony = await this.#take(ceremonyId);
    const passkey = typeof response?.id === 'string' ? await this.#factors.findPasskey(response.id) : null;
    if (!passkey) return null;
    let verified: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
    try {
      verified = await (await webauthn()).verifyAuthenticationResponse({
        response,
        expectedChallenge: ceremony.challenge,
        expectedOrigin: this.#settings.origins,
        expectedRPID: this.#settings.rpId,
        credential: { id: passkey.id, publicKey: Buffer.from(passkey.publicKey, 'base64url'), counter: passkey.counter, transports: passkey.transports },
        requireUserVerification: false,
      });
    } catch {
      return null;
    }
    if (!verified.verified) return null;
    await this.#factors.usePasskey(passkey.id, verified.authenticationInfo.newCounter, this.#clock.now());
    return { passkey, userVerified: verified.authenticationInfo.userVerified };
  }
}

/** RFC 8176: a synced passkey is a software-held key (`swk`), a device-bound one a hardware key (`hwk`). */
export function keyAmr(passkey: Passkey): string {
  return passkey.backedUp ? 'swk' : 'hwk';
}
