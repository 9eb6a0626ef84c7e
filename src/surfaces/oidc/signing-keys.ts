import type { JWK } from 'jose';

/**
 * Where the provider's signing keys come from: the core's key set, the same
 * keys as `/.well-known/jwks.json`. Always includes an RS256 key (what every
 * relying party must accept); ES256 and EdDSA for the apps that ask for them.
 */
export interface SigningKeySource {
  privateJwks(): Promise<{ keys: JWK[] }>;
}
