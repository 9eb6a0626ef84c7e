import { createHash, timingSafeEqual } from 'node:crypto';
import type { Audit } from './audit.ts';
import { fail } from './errors.ts';
import { ID_TOKEN_ALGS, type App, type AppStore, type IdTokenAlg } from './ports/app-store.ts';
import type { Clock } from './ports/clock.ts';
import type { IdSource } from './ports/ids.ts';

export interface NewApp {
  name: string;
  redirectUris: readonly string[];
  /** A public client (a single-page or native app): no secret, PKCE alone. */
  isPublic?: boolean;
  /** RS256 (the default, what every relying party accepts), ES256 or EdDSA. */
  idTokenAlg?: IdTokenAlg;
  /** The API scopes `client_credentials` may grant it; none by default. */
  scopes?: readonly string[];
}

/** The scopes that speak for a signed-in user: never an app's own (client_credentials) scope. */
export const USER_SCOPES: ReadonlySet<string> = new Set(['openid', 'offline_access', 'email', 'phone', 'profile', 'address']);

/** A scope token (RFC 6749 §3.3: printable ASCII but space, double quote and backslash), at most 64 characters. */
const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]{1,64}$/;

/**
 * The apps that sign their users in with Gatehouse (OpenID Connect clients).
 * A secret is 32 random bytes, shown once; only its SHA-256 is stored: it is
 * random, so a slow password hash adds nothing but cost on every token request.
 */
export class AppService {
  readonly #store: AppStore;
  readonly #clock: Clock;
  readonly #ids: IdSource;
  readonly #audit: Audit;

  constructor(deps: { store: AppStore; clock: Clock; ids: IdSource; audit: Audit }) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#ids = deps.ids;
    this.#audit = deps.audit;
  }

  /** Registers an app; the secret (null for a public app) is in the answer and nowhere else. */
  async register(input: NewApp): Promise<{ app: App; secret: string | null }> {
    const name = input.name.trim();
    if (!name || name.length > 100) throw fail('VALIDATION_FAILED', 'the name must be 1 to 100 characters', 'name');
    if (input.redirectUris.length === 0 || input.redirectUris.length > 20) throw fail('VALIDATION_FAILED', 'give 1 to 20 redirect URIs', 'redirect_uri');
    for (const uri of input.redirectUris) checkRedirectUri(uri);
    const idTokenAlg = input.idTokenAlg ?? 'RS256';
    if (!ID_TOKEN_ALGS.includes(idTokenAlg)) throw fail('VALIDATION_FAILED', `the id_token algorithm is one of ${ID_TOKEN_ALGS.join(', ')}`, 'id_token_alg');
    const scopes = [...new Set(input.scopes ?? [])];
    if (scopes.length > 20) throw fail('VALIDATION_FAILED', 'give at most 20 scopes', 'scope');
    for (const scope of scopes) checkApiScope(scope);
    if (scopes.length > 0 && input.isPublic) throw fail('VALIDATION_FAILED', 'a public app has no secret, so no client_credentials and no API scopes', 'scope');
    const secret = input.isPublic ? null : this.#ids.token(32);
    const app: App = {
      clientId: this.#ids.token(16),
      name,
      secretHash: secret === null ? null : hashSecret(secret),
      redirectUris: [...new Set(input.redirectUris)],
      idTokenAlg,
      scopes,
      createdAt: this.#clock.now(),
    };
    await this.#store.create(app);
    await this.#audit.record('app.registered', null, app.clientId);
    return { app, secret };
  }

  find(clientId: string): Promise<App | null> {
    return this.#store.find(clientId);
  }

  list(): Promise<App[]> {
    return this.#store.list();
  }

  async remove(clientId: string): Promise<void> {
    if (!(await this.#store.delete(clientId))) throw fail('NOT_FOUND', 'no app has this client id');
    await this.#audit.record('app.removed', null, clientId);
  }

  /** Replaces an app's redirect URIs (1 to 20, each checked as at registration). */
  async setRedirectUris(clientId: string, redirectUris: readonly string[]): Promise<App> {
    if (redirectUris.length === 0 || redirectUris.length > 20) throw fail('VALIDATION_FAILED', 'give 1 to 20 redirect URIs', 'redirect_uri');
    for (const uri of redirectUris) checkRedirectUri(uri);
    const uris = [...new Set(redirectUris)];
    if (!(await this.#store.setRedirectUris(clientId, uris))) throw fail('NOT_FOUND', 'no app has this client id');
    await this.#audit.record('app.redirect_uris_changed', null, clientId);
    return (await this.#store.find(clientId))!;
  }

  /** A new secret for a confidential app; the old one stops working at once. */
  async rotateSecret(clientId: string): Promise<string> {
    const app = await this.#store.find(clientId);
    if (!app) throw fail('NOT_FOUND', 'no app has this client id');
    if (app.secretHash === null) throw fail('VALIDATION_FAILED', 'a public app has no secret', 'client_id');
    const secret = this.#ids.token(32);
    await this.#store.setSecretHash(clientId, hashSecret(secret));
    await this.#audit.record('app.secret_rotated', null, clientId);
    return secret;
  }
}

/** Whether `secret` is the app's, compared in constant time. */
export function secretMatches(secretHash: string | null, secret: string): boolean {
  if (secretHash === null) return false;
  const a = Buffer.from(secretHash);
  const b = Buffer.from(hashSecret(secret));
  return a.length === b.length && timingSafeEqual(a, b);
}

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

/** An API scope: a scope token that is not one of the user's. */
function checkApiScope(scope: string): void {
  if (!SCOPE.test(scope)) throw fail('VALIDATION_FAILED', `not a scope (1 to 64 printable characters, no space, quote or backslash): ${scope}`, 'scope');
  if (USER_SCOPES.has(scope)) throw fail('VALIDATION_FAILED', `${scope} is a user's scope, not an API scope`, 'scope');
}

/** An absolute http(s) URL without a fragment (OAuth 2.0 §3.1.2); plain http only for loopback, as OAuth 2.1 allows for native apps. */
function checkRedirectUri(uri: string): void {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw fail('VALIDATION_FAILED', `not an absolute URL: ${uri}`, 'redirect_uri');
  }
  if (url.hash || uri.includes('#')) throw fail('VALIDATION_FAILED', 'a redirect URI has no fragment', 'redirect_uri');
  const loopback = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
    throw fail('VALIDATION_FAILED', 'a redirect URI is https (http only on localhost / 127.0.0.1)', 'redirect_uri');
}
