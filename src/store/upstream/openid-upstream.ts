import { createHash } from 'node:crypto';
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import * as client from 'openid-client';
import type { ProvedIdentity } from '../../core/ports/identity-store.ts';
import type { UpstreamClientConfig, UpstreamProtocol, UpstreamSecrets } from '../../core/ports/upstream.ts';

/** A provider's discovery document (and the client built on it) is read again after this long. */
const DISCOVERY_TTL_MS = 10 * 60_000;

/**
 * The `oidc` kind with openid-client: discovery from the issuer, the
 * authorization code flow with PKCE (S256), state and nonce, the id_token
 * verified against the provider's JWKS (signature, `iss`, `aud`, `exp`,
 * `nonce`). An `http://` issuer (a test, a provider on the same host) is
 * allowed only because the operator configured it so.
 */
export class OpenIdUpstream implements UpstreamProtocol {
  readonly #options: OpenIdOptions;
  readonly #configs = new Map<string, { at: number; config: Promise<client.Configuration> }>();
  readonly #jwks = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

  constructor(options: OpenIdOptions = {}) {
    this.#options = options;
  }

  async #config(upstream: UpstreamClientConfig): Promise<client.Configuration> {
    const { provider, clientSecret } = upstream;
    const key = JSON.stringify([provider.id, provider.issuer, provider.clientId, provider.updatedAt]);
    const cached = this.#configs.get(key);
    if (cached && Date.now() - cached.at < DISCOVERY_TTL_MS) return cached.config;
    const config = client.discovery(
      new URL(provider.issuer),
      provider.clientId,
      undefined,
      this.#options.clientAuth?.(upstream) ?? (clientSecret === null ? client.None() : client.ClientSecretBasic(clientSecret)),
      provider.issuer.startsWith('http://') ? { execute: [client.allowInsecureRequests] } : undefined,
    );
    this.#configs.set(key, { at: Date.now(), config });
    // A failed discovery is not remembered: the next sign-in tries again.
    config.catch(() => this.#configs.delete(key));
    return config;
  }

  async authorizationUrl(config: UpstreamClientConfig, secrets: UpstreamSecrets): Promise<URL> {
    const pkce: Record<string, string> =
      this.#options.pkce === false ? {} : { code_challenge: await client.calculatePKCECodeChallenge(secrets.codeVerifier), code_challenge_method: 'S256' };
    return client.buildAuthorizationUrl(await this.#config(config), {
      redirect_uri: config.redirectUri,
      scope: this.#options.scope ?? 'openid email profile',
      ...this.#options.authorizationParameters,
      ...pkce,
      state: secrets.state,
      nonce: secrets.nonce,
    });
  }

  async finish(config: UpstreamClientConfig, callback: URL, secrets: UpstreamSecrets): Promise<ProvedIdentity> {
    const tokens = await client.authorizationCodeGrant(await this.#config(config), callback, {
      pkceCodeVerifier: this.#options.pkce === false ? undefined : secrets.codeVerifier,
      expectedState: secrets.state,
      expectedNonce: secrets.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims) throw new Error('the provider sent no id_token');
    return proved(claims);
  }

  async verifyIdToken(config: UpstreamClientConfig, idToken: string, expected: { audiences: string[]; nonce: string }): Promise<ProvedIdentity> {
    const metadata = (await this.#config(config)).serverMetadata();
    if (!metadata.jwks_uri) throw new Error('the provider publishes no jwks_uri');
    let jwks = this.#jwks.get(metadata.jwks_uri);
    if (!jwks) {
      jwks = createRemoteJWKSet(new URL(metadata.jwks_uri));
      this.#jwks.set(metadata.jwks_uri, jwks);
    }
    // Signature by a key of the provider's JWKS, `iss`, `aud`, `exp` (and `nbf`), with a minute of leeway.
    const { payload } = await jwtVerify(idToken, jwks, { issuer: metadata.issuer, audience: expected.audiences, clockTolerance: 60 });
    // Apple's native flow sends the nonce's SHA-256 hex to the provider; Google's the nonce itself.
    const hashed = createHash('sha256').update(expected.nonce).digest('hex');
    if (typeof payload.nonce !== 'string' || (payload.nonce !== expected.nonce && payload.nonce !== hashed)) throw new Error('the id_token has another nonce');
    if (typeof payload.sub !== 'string' || typeof payload.iss !== 'string') throw new Error('the id_token names no subject');
    return proved(payload as JWTPayload & { iss: string; sub: string });
  }
}

/** How a kind built on OpenID Connect (Apple) differs from the generic `oidc`. */
export interface OpenIdOptions {
  /** The client's authentication at the token endpoint; by default client_secret_basic with the client secret (or none without one). */
  clientAuth?: (config: UpstreamClientConfig) => client.ClientAuth;
  /** The scopes asked for; by default `openid email profile`. */
  scope?: string;
  /** More parameters of the authorization request (Apple's `response_mode=form_post`). */
  authorizationParameters?: Record<string, string>;
  /** False for a provider that documents no PKCE (Apple): its state and nonce remain. */
  pkce?: boolean;
}

/** What an id_token's claims say of the person. */
function proved(claims: { iss: string; sub: string; [claim: string]: unknown }): ProvedIdentity {
  const email = typeof claims.email === 'string' && claims.email.includes('@') ? claims.email.trim().toLowerCase() : null;
  return {
    issuer: claims.iss,
    subject: claims.sub,
    email,
    // Only an explicit `true` (some providers send the string "true").
    emailVerified: email !== null && (claims.email_verified === true || claims.email_verified === 'true'),
    amr: Array.isArray(claims.amr) ? claims.amr.filter((m): m is string => typeof m === 'string') : [],
    name: typeof claims.name === 'string' ? claims.name.slice(0, 200) : null,
  };
}
