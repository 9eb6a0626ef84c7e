import type { IdentityProvider, ProvedIdentity } from './identity-store.ts';

/** A provider as the protocol client needs it: its record and its client secret opened. */
export interface UpstreamClientConfig {
  provider: IdentityProvider;
  clientSecret: string | null;
  redirectUri: string;
}

/** What one authorization request carries, kept on the server until its callback. */
export interface UpstreamSecrets {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/**
 * The protocol spoken with upstream providers (discovery, the authorization
 * URL, the code exchange and the id_token's verification). Implementation:
 * store/upstream/openid-upstream.ts (openid-client). Every failure — the
 * provider down, a wrong state or nonce, a replayed code, an id_token for
 * another audience or expired — is thrown as an Error whose message says why
 * (for the log; never a secret); the core answers UPSTREAM_FAILED.
 */
export interface UpstreamProtocol {
  authorizationUrl(config: UpstreamClientConfig, secrets: UpstreamSecrets): Promise<URL>;
  /** `callback`: the callback URL as the browser reached it (its query: code, state, or error). */
  finish(config: UpstreamClientConfig, callback: URL, secrets: UpstreamSecrets): Promise<ProvedIdentity>;
  /**
   * An id_token a native app got from the provider's own SDK: its signature by
   * a key of the provider's JWKS, its issuer, expiry, and `aud` one of
   * `audiences`; its `nonce` claim equal to `nonce` or to its SHA-256 hex.
   */
  verifyIdToken(config: UpstreamClientConfig, idToken: string, expected: { audiences: string[]; nonce: string }): Promise<ProvedIdentity>;
}

/**
 * The provider proved the person but named no key that stays theirs across the
 * provider's apps (WeChat without `unionid`): refused (UPSTREAM_FAILED on the
 * field `unionid`, a page asking the operator to fix the app's set-up), so one
 * person never becomes two accounts when a key appears later.
 */
export class UpstreamUnkeyed extends Error {}
