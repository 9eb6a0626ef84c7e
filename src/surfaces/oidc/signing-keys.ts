import type { JWK } from 'jose';
import type { OidcPayloadStore } from '../../core/ports/oidc-payload-store.ts';

/**
 * Where the provider's signing keys come from: the core's key set, the same
 * keys as `/.well-known/jwks.json`. Always includes an RS256 key (what every
 * relying party must accept); ES256 and EdDSA for the apps that ask for them.
 */
export interface SigningKeySource {
  privateJwks(): Promise<{ keys: JWK[] }>;
}

/** The provider's cookie-signing keys, shared by every instance through the same storage. */
export async function sharedCookieKeys(store: OidcPayloadStore, now: () => number): Promise<string[]> {
  const found = await store.find('GatehouseCookieKeys', 'current', now());
  if (found) return found.payload.keys as string[];
  const keys = [Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')];
  await store.upsert('GatehouseCookieKeys', 'current', { payload: { keys }, expiresAt: null });
  return ((await store.find('GatehouseCookieKeys', 'current', now()))?.payload.keys as string[]) ?? keys;
}
