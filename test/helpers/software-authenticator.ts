import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { isoCBOR } from '@simplewebauthn/server/helpers';

/** The options a ceremony hands out, as far as an authenticator reads them. */
interface CreationOptions {
  challenge: string;
  rp: { id?: string };
  user: { id: string };
}
interface RequestOptions {
  challenge: string;
}

interface Credential {
  id: Buffer;
  privateKey: KeyObject;
  publicKey: KeyObject;
  userHandle: string;
  counter: number;
  backedUp: boolean;
}

/** What the authenticator reports about one ceremony. */
export interface CeremonyFlags {
  /** User verified (PIN, biometrics): the UV flag. */
  userVerified?: boolean;
  /** A synced (multi-device) credential: the BE and BS flags. */
  backedUp?: boolean;
  /** Register with this credential id instead of a new random one (a clash with an existing one). */
  credentialId?: Buffer;
}

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();

/**
 * A WebAuthn authenticator in Node, for tests that need one without a browser:
 * an ES256 key per credential, authenticator data built by hand (RP ID hash,
 * flags, counter, attested credential data with a COSE key), attestation
 * `none`, and assertions signed over authenticatorData ‖ SHA-256(clientDataJSON)
 * as WebAuthn §6.3.3 says. What it sends is what a browser's
 * `navigator.credentials` would, in @simplewebauthn's JSON form.
 */
export class SoftwareAuthenticator {
  readonly #origin: string;
  readonly #rpId: string;
  readonly credentials: Credential[] = [];

  constructor(origin: string) {
    this.#origin = origin;
    this.#rpId = new URL(origin).hostname;
  }

  #clientData(type: 'webauthn.create' | 'webauthn.get', challenge: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin: this.#origin, crossOrigin: false }));
  }

  #flags(flags: CeremonyFlags, attested: boolean): number {
    const uv = flags.userVerified ?? true;
    return 0x01 | (uv ? 0x04 : 0) | (flags.backedUp ? 0x18 : 0) | (attested ? 0x40 : 0);
  }

  register(options: CreationOptions, flags: CeremonyFlags = {}): RegistrationResponseJSON {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const id = flags.credentialId ?? randomBytes(32);
    const jwk = publicKey.export({ format: 'jwk' });
    const cose = isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ]),
    );
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(id.length);
    const authData = Buffer.concat([
      sha256(options.rp.id ?? this.#rpId),
      Buffer.from([this.#flags(flags, true)]),
      Buffer.alloc(4), // signCount 0
      Buffer.alloc(16), // AAGUID
      idLength,
      id,
      Buffer.from(cose),
    ]);
    const attestationObject = isoCBOR.encode(
      new Map<string, unknown>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]) as never,
    );
    this.credentials.push({ id, privateKey, publicKey, userHandle: options.user.id, counter: 0, backedUp: flags.backedUp ?? false });
    return {
      id: b64url(id),
      rawId: b64url(id),
      type: 'public-key',
      response: {
        clientDataJSON: b64url(this.#clientData('webauthn.create', options.challenge)),
        attestationObject: b64url(attestationObject),
        transports: ['internal'],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** An assertion by the credential at `index` (the newest by default). */
  authenticate(options: RequestOptions, flags: CeremonyFlags = {}, index = this.credentials.length - 1): AuthenticationResponseJSON {
    const credential = this.credentials[index];
    if (!credential) throw new Error('no such credential');
    credential.counter += 1;
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(credential.counter);
    const authData = Buffer.concat([sha256(this.#rpId), Buffer.from([this.#flags({ ...flags, backedUp: credential.backedUp }, false)]), counter]);
    const clientData = this.#clientData('webauthn.get', options.challenge);
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientData)]), credential.privateKey);
    return {
      id: b64url(credential.id),
      rawId: b64url(credential.id),
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientData),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        userHandle: credential.userHandle,
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }
}
