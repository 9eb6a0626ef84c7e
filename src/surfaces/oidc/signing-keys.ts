import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { OidcPayloadStore } from '../../core/ports/oidc-payload-store.ts';

/**
 * Where the provider's signing keys come from: the core's key set (the same
 * keys as `/.well-known/jwks.json`) once it has one. Always includes an RS256
 * key (what every relying party must accept); ES256 and EdDSA for the apps
 * that ask for them.
 */
export interface SigningKeySource {
  privateJwks(): Promise<{ keys: JWK[] }>;
}

/**
 * TEMPORARY, until the core's signing keys (`core.signingKeys`) are wired in:
 * one RS256, ES256 and EdDSA key generated once and kept in the provider's own
 * storage, so every instance signs with the same keys. Private keys are stored
 * as they are; the core's key set encrypts them at rest.
 */
export function storedTemporaryKeys(store: OidcPayloadStore, now: () => number): SigningKeySource {
  let loaded: Promise<{ keys: JWK[] }> | undefined;
  const load = async () => {
    const found = await store.find('GatehouseSigningKeys', 'temporary', now());
    if (found) return found.payload as unknown as { keys: JWK[] };
    const keys: JWK[] = [];
    for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) {
      const { privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
      keys.push({ ...(await exportJWK(privateKey)), alg, use: 'sig', kid: `${alg.toLowerCase()}-${crypto.randomUUID().slice(0, 8)}` });
    }
    await store.upsert('GatehouseSigningKeys', 'temporary', { payload: { keys }, expiresAt: null });
    // Two instances starting at once: whichever write landed last is the set both use.
    return ((await store.find('GatehouseSigningKeys', 'temporary', now()))?.payload as unknown as { keys: JWK[] }) ?? { keys };
  };
  return {
    privateJwks() {
      loaded ??= load();
      return loaded;
    },
  };
}

/** The provider's cookie-signing keys, shared by every instance through the same storage. */
export async function sharedCookieKeys(store: OidcPayloadStore, now: () => number): Promise<string[]> {
  const found = await store.find('GatehouseCookieKeys', 'current', now());
  if (found) return found.payload.keys as string[];
  const keys = [Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')];
  await store.upsert('GatehouseCookieKeys', 'current', { payload: { keys }, expiresAt: null });
  return ((await store.find('GatehouseCookieKeys', 'current', now()))?.payload.keys as string[]) ?? keys;
}
