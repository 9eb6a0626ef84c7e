/** What an upstream provider speaks. Only `oidc` is built so far; the others are reserved names (issue 34). */
export type ProviderKind = 'oidc' | 'github' | 'apple' | 'wechat';

/** An upstream identity provider people may sign in with (`gatehouse providers add`). */
export interface IdentityProvider {
  /** The operator's name for it, in URLs: `/idp/{id}/callback`. `[a-z0-9-]`, at most 32. */
  id: string;
  kind: ProviderKind;
  /** The button's words: "Corp SSO". */
  name: string;
  /** The OpenID issuer (discovery is read from `{issuer}/.well-known/openid-configuration`). */
  issuer: string;
  clientId: string;
  /** The client secret, sealed by the secret box for the context `idp-secret:<id>`; null for a public client. */
  sealedClientSecret: string | null;
  /** More client ids whose id_tokens the native endpoint accepts (native apps). */
  audiences: string[];
  /** A first sign-in may create an account (`--no-signup`: only linked accounts sign in). */
  signup: boolean;
  /** Only these email domains may sign up or sign in with it; empty: any. */
  domains: string[];
  /** The upstream's own second factor (its `amr`) counts as Gatehouse's. */
  trustMfa: boolean;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

/**
 * An account's identity at a provider, keyed by the issuer and the subject the
 * provider gave it — never by email, which a provider may let anyone set.
 */
export interface LinkedIdentity {
  providerId: string;
  issuer: string;
  subject: string;
  userId: number;
  /** The email the provider asserted at the last sign-in (shown on /account; never matched on). */
  email: string | null;
  emailVerified: boolean;
  createdAt: number;
  lastUsedAt: number | null;
}

/**
 * One request to an upstream provider, kept on the server from the redirect to
 * the callback (a cross-site POST callback carries no SameSite cookie): its
 * `state` is the id, with the nonce and the PKCE verifier. After the callback
 * it becomes a ticket: `proved` holds the identity the provider vouched for,
 * spent once by the page that shows the outcome.
 */
export interface UpstreamRequest {
  /** The `state` sent upstream (and, once proved, the ticket's id). */
  id: string;
  providerId: string;
  nonce: string;
  codeVerifier: string;
  /** The signed-in account that asked to link another identity; null for a sign-in. */
  linkFor: number | null;
  /** Where the outcome is shown: `/account`, or an OpenID sign-in's interaction uid. */
  returnTo: string;
  /** The browser that started it (a random value in its cookie); the outcome is shown only to it. */
  browser: string;
  proved: ProvedIdentity | null;
  expiresAt: number;
}

/** What a provider vouched for at a callback: verified, not yet used. */
export interface ProvedIdentity {
  issuer: string;
  subject: string;
  email: string | null;
  emailVerified: boolean;
  /** The upstream's `amr` (recorded; counted only for a provider trusted for it). */
  amr: string[];
  name: string | null;
}

/** Providers, linked identities and upstream requests in flight (durable: SQL or memory). */
export interface IdentityStore {
  /** False when a provider of that id exists. */
  addProvider(provider: IdentityProvider): Promise<boolean>;
  /** Every provider, oldest first. */
  providers(): Promise<IdentityProvider[]>;
  provider(id: string): Promise<IdentityProvider | null>;
  /** Removes the provider and every identity linked through it; false when there was none. */
  removeProvider(id: string): Promise<boolean>;

  /** Links; false when that issuer and subject are linked already (to any account). */
  link(identity: LinkedIdentity): Promise<boolean>;
  identity(issuer: string, subject: string): Promise<LinkedIdentity | null>;
  /** An account's identities, oldest first. */
  identitiesOf(userId: number): Promise<LinkedIdentity[]>;
  /** A sign-in with it: the last use and the email the provider asserts now. */
  touch(issuer: string, subject: string, at: number, email: string | null, emailVerified: boolean): Promise<void>;
  /** False when the account has no such identity. */
  unlink(userId: number, issuer: string, subject: string): Promise<boolean>;

  saveRequest(request: UpstreamRequest): Promise<void>;
  /** Takes (deletes) a request not expired at `now`: exactly one caller gets it. */
  takeRequest(id: string, now: number): Promise<UpstreamRequest | null>;
  /** Forgets requests expired at `now`. */
  purgeRequests(now: number): Promise<number>;
}
