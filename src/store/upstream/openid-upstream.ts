import { createHash } from 'node:crypto';
import { createRemoteJWKSet, customFetch, type JWTPayload, jwtVerify } from 'jose';
import * as client from 'openid-client';
import type { ProvedIdentity } from '../../core/ports/identity-store.ts';
import type { UpstreamClientConfig, UpstreamProtocol, UpstreamSecrets } from '../../core/ports/upstream.ts';

/** A provider's discovery document (and the client built on it) is read again after this long. */
const DISCOVERY_TTL_MS = 10 * 60_000;
/** Microsoft Entra ID's global cloud: a provider here is keyed by tenant and object id (see {@link provedByMicrosoft}). */
const MICROSOFT = 'https://login.microsoftonline.com';

/** How the upstream clients reach providers: the global fetch, or a test's (these machines reach no provider). */
export type UpstreamFetch = (url: string, init: RequestInit) => Promise<Response>;

/**
 * The `oidc` kind with openid-client: discovery from the issuer, the
 * authorization code flow with PKCE (S256), state and nonce, the id_token
 * verified against the provider's JWKS (signature, `iss`, `aud`, `exp`,
 * `nonce`). An `http://` issuer (a test, a provider on the same host) is
 * allowed only because the operator configured it so.
 *
 * Microsoft Entra ID (an issuer at https://login.microsoftonline.com): the
 * multi-tenant issuers (`common`, `organizations`) discover the issuer
 * template `https://login.microsoftonline.com/{tenantid}/v2.0`, which
 * openid-client accepts for that origin and checks each id_token's `iss`
 * against with the token's own `tid`; the native endpoint does the same check
 * here. The identity is keyed by that `iss` (one tenant's) and `oid`.
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
      {
        // Kept by the Configuration: the token request and the JWKS go through it too.
        [client.customFetch]: this.#options.fetch,
        // The id_token from the token endpoint is verified against the provider's JWKS too, not only trusted for
        // coming over TLS (which OpenID Connect would allow): the provider's own keys are the proof.
        execute: [client.enableNonRepudiationChecks, ...(provider.issuer.startsWith('http://') ? [client.allowInsecureRequests] : [])],
      },
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
    // For Microsoft's multi-tenant issuers openid-client has checked `iss` against the template with the token's `tid`.
    return isMicrosoft(config.provider.issuer) ? provedByMicrosoft(claims) : proved(claims);
  }

  async verifyIdToken(config: UpstreamClientConfig, idToken: string, expected: { audiences: string[]; nonce: string }): Promise<ProvedIdentity> {
    const metadata = (await this.#config(config)).serverMetadata();
    if (!metadata.jwks_uri) throw new Error('the provider publishes no jwks_uri');
    let jwks = this.#jwks.get(metadata.jwks_uri);
    if (!jwks) {
      jwks = createRemoteJWKSet(new URL(metadata.jwks_uri), { [customFetch]: this.#options.fetch });
      this.#jwks.set(metadata.jwks_uri, jwks);
    }
    const microsoft = isMicrosoft(config.provider.issuer);
    // Microsoft's `common` and `organizations` discover `https://login.microsoftonline.com/{tenantid}/v2.0`: no one
    // issuer; `iss` is checked against the token's own `tid` once the signature is (provedByMicrosoft).
    const template = microsoft && metadata.issuer.includes('{tenantid}');
    // Signature by a key of the provider's JWKS, `iss`, `aud`, `exp` (and `nbf`), with a minute of leeway.
    const { payload } = await jwtVerify(idToken, jwks, {
      issuer: template ? undefined : metadata.issuer,
      audience: expected.audiences,
      clockTolerance: 60,
    });
    // Apple's native flow sends the nonce's SHA-256 hex to the provider; Google's the nonce itself.
    const hashed = createHash('sha256').update(expected.nonce).digest('hex');
    if (typeof payload.nonce !== 'string' || (payload.nonce !== expected.nonce && payload.nonce !== hashed)) throw new Error('the id_token has another nonce');
    if (typeof payload.sub !== 'string' || typeof payload.iss !== 'string') throw new Error('the id_token names no subject');
    const claims = payload as JWTPayload & { iss: string; sub: string };
    return microsoft ? provedByMicrosoft(claims, template ? metadata.issuer : undefined) : proved(claims);
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
  /** How providers are reached (discovery, the token endpoint, the JWKS); the global fetch by default. */
  fetch?: UpstreamFetch;
}

/** A provider of Microsoft Entra ID's global cloud (one tenant's issuer, `common`, `organizations` or `consumers`). */
function isMicrosoft(issuer: string): boolean {
  return URL.parse(issuer)?.origin === MICROSOFT;
}

/**
 * What a Microsoft id_token says of the person: keyed by its `iss` (its own
 * tenant's issuer, checked against `tid`) and `oid`, the person's object id in
 * that tenant — the same for every app, where `sub` is pairwise per app
 * registration. Its `email` is neither verified nor stable (an administrator
 * or the person sets it): never verified here, so it neither links an account
 * nor passes `--domain`. `template`: the multi-tenant issuer
 * (`https://login.microsoftonline.com/{tenantid}/v2.0`) `iss` must be with
 * the token's own `tid` — what openid-client checks on the pages, and this
 * does for the native endpoint.
 */
function provedByMicrosoft(claims: { iss: string; sub: string; [claim: string]: unknown }, template?: string): ProvedIdentity {
  if (typeof claims.tid !== 'string' || !claims.tid) throw new Error('the Microsoft id_token names no tenant (tid)');
  if (template !== undefined && claims.iss !== template.replace('{tenantid}', claims.tid)) throw new Error("the id_token's iss is not its tid's issuer");
  if (typeof claims.oid !== 'string' || !claims.oid) throw new Error('the Microsoft id_token names no object id (oid; the profile scope asks for it)');
  return { ...proved(claims), subject: claims.oid, emailVerified: false };
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
