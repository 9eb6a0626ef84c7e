import { createPrivateKey } from 'node:crypto';
import type { AccountService } from './accounts.ts';
import type { Audit } from './audit.ts';
import { fail, GatehouseError } from './errors.ts';
import type { Lockout } from './lockout.ts';
import type { LoginGrant, LoginService } from './login.ts';
import type { Clock } from './ports/clock.ts';
import type { IdentityProvider, IdentityStore, LinkedIdentity, ProvedIdentity, ProviderKind, UpstreamRequest } from './ports/identity-store.ts';
import type { IdSource } from './ports/ids.ts';
import { type UpstreamClientConfig, type UpstreamProtocol, UpstreamUnkeyed } from './ports/upstream.ts';
import type { User } from './ports/user-store.ts';
import type { SecretBox } from './secret-box.ts';
import { showsSecondFactor } from './second-factors/amr.ts';
import type { SecondStepRequest } from './second-factors/second-step.ts';
import type { StartOptions } from './sessions.ts';
import { rfc3339 } from './user-view.ts';
import { keepsWayIn } from './ways-in.ts';

/** From the button to the callback, and from the callback to the page that shows the outcome. */
const REQUEST_TTL_MS = 10 * 60_000;
/** The kinds built so far; the others are named in the port and refused here (issue 34). */
const BUILT_KINDS: readonly ProviderKind[] = ['oidc', 'github', 'apple', 'wechat'];
/** The issuer of a kind whose provider is one service, when the operator names none (tests and proxies name theirs). */
const DEFAULT_ISSUERS: Partial<Record<ProviderKind, string>> = {
  github: 'https://github.com',
  apple: 'https://appleid.apple.com',
  wechat: 'https://open.weixin.qq.com',
};
const BUTTONS_FOR_MS = 5000;
const PROVIDER_ID = /^[a-z0-9][a-z0-9-]{0,31}$/;
/** A provider's native apps and email domains: as many as an operator lists by hand. */
const MAX_AUDIENCES = 20;
const MAX_DOMAINS = 50;

/**
 * What happened with a provider, for the metrics (`gatehouse_identity_provider_events_total`): the provider
 * proved a person (a callback or a native id_token verified) or `failed` to (its error, a bad state, an exchange
 * or a token refused); a first sign-in made an account (`signed_up`); an identity was `linked` to an existing
 * account; a sign-in through it passed the login's end (`signed_in`; a second step may still follow).
 */
export type UpstreamOutcome = 'proved' | 'failed' | 'signed_up' | 'linked' | 'signed_in';

/** What `gatehouse providers add` and the admin API give. */
export interface NewProvider {
  id: string;
  kind: string;
  name: string;
  issuer: string;
  clientId: string;
  clientSecret: string | null;
  audiences?: string[];
  signup?: boolean;
  domains?: string[];
  trustMfa?: boolean;
  /** `--kind apple`: the key the client secret JWT is signed with (sealed in the client secret's place). */
  apple?: { teamId: string; keyId: string; privateKey: string };
}

/** A provider as operators see it: never its secret. */
export type ProviderView = Omit<IdentityProvider, 'sealedClientSecret'> & { hasClientSecret: boolean; redirectUri: string };

/** A provider as `gatehouse providers list --json` and `/api/admin/providers` answer it (snake_case, whole seconds). */
export function providerJson(p: ProviderView) {
  return {
    id: p.id,
    kind: p.kind,
    name: p.name,
    issuer: p.issuer,
    client_id: p.clientId,
    has_client_secret: p.hasClientSecret,
    audiences: p.audiences,
    signup: p.signup,
    domains: p.domains,
    trust_mfa: p.trustMfa,
    enabled: p.enabled,
    redirect_uri: p.redirectUri,
    created_at: rfc3339(p.createdAt),
  };
}

/**
 * An account with the email the provider gave exists and is not linked to
 * this identity: nothing is linked until the person proves that account (its
 * password and second factor, or a code to its verified email). `linkToken`
 * names the proved identity, kept on the server, for {@link Identities.completeLink}.
 */
export class IdentityLinkRequired extends GatehouseError {
  readonly linkToken: string;
  readonly email: string;
  readonly provider: string;
  constructor(linkToken: string, email: string, provider: string) {
    super('IDENTITY_LINK_REQUIRED');
    this.linkToken = linkToken;
    this.email = email;
    this.provider = provider;
  }
}

/** Where a callback's outcome is shown. */
export interface CallbackOutcome {
  /** Names the proved identity (one use, by the browser that started it). */
  ticket: string;
  returnTo: string;
  /** A signed-in account asked to link another identity (not a sign-in). */
  linking: boolean;
}

/**
 * Sign-in with upstream identity providers (issue 34): the providers
 * (their client secret sealed like the signing keys' private keys), the
 * authorization request kept on the server, the callback verified by the
 * protocol port, and the identity keyed by issuer and subject. Every sign-in
 * ends in the login's one end (`LoginService.admit`: admission, the second
 * factor, the session); an account with the provider's email is never linked
 * without its owner's proof.
 */
export class Identities {
  readonly #store: IdentityStore;
  readonly #box: SecretBox;
  readonly #upstream: UpstreamProtocol | null;
  readonly #accounts: AccountService;
  readonly #login: LoginService;
  readonly #lockout: Lockout;
  readonly #audit: Audit;
  readonly #clock: Clock;
  readonly #ids: IdSource;
  readonly #publicUrl: string;
  readonly #passkeyCount: (userId: number) => Promise<number>;
  readonly #observe: (provider: string, outcome: UpstreamOutcome) => void;
  #buttons: ReadonlyArray<{ id: string; name: string }> = [];
  #buttonsAt = Number.NEGATIVE_INFINITY;

  constructor(deps: {
    store: IdentityStore;
    box: SecretBox;
    upstream: UpstreamProtocol | null;
    accounts: AccountService;
    login: LoginService;
    lockout: Lockout;
    audit: Audit;
    clock: Clock;
    ids: IdSource;
    /** PUBLIC_URL: the callbacks are `{publicUrl}/idp/{id}/callback`. */
    publicUrl: string;
    /** How many passkeys the account has: a passkey signs in alone, so it is a way in of its own. */
    passkeyCount?: (userId: number) => Promise<number>;
    /** Told of each provider's outcomes (metrics); the provider's id is always one configured, never a URL's. */
    observe?: (provider: string, outcome: UpstreamOutcome) => void;
  }) {
    this.#observe = deps.observe ?? (() => {});
    this.#passkeyCount = deps.passkeyCount ?? (async () => 0);
    this.#store = deps.store;
    this.#box = deps.box;
    this.#upstream = deps.upstream;
    this.#accounts = deps.accounts;
    this.#login = deps.login;
    this.#lockout = deps.lockout;
    this.#audit = deps.audit;
    this.#clock = deps.clock;
    this.#ids = deps.ids;
    this.#publicUrl = deps.publicUrl.replace(/\/+$/, '');
  }

  /** The callback URL to register at the provider. */
  redirectUri(id: string): string {
    return `${this.#publicUrl}/idp/${encodeURIComponent(id)}/callback`;
  }

  /** Adds a provider; VALIDATION_FAILED naming the field at fault (an id taken, a kind not built, an issuer not http(s)). */
  async add(input: NewProvider): Promise<ProviderView> {
    if (!PROVIDER_ID.test(input.id)) throw fail('VALIDATION_FAILED', 'the id is 1 to 32 of a-z, 0-9 and -, starting with a letter or digit', 'id');
    if (!BUILT_KINDS.includes(input.kind as ProviderKind))
      throw fail('VALIDATION_FAILED', `kind ${JSON.stringify(input.kind)} is not available (built: ${BUILT_KINDS.join(', ')})`, 'kind');
    if (!input.name.trim()) throw fail('VALIDATION_FAILED', 'a name is needed (the button says it)', 'name');
    // GitHub: github.com unless a GitHub Enterprise Server is named; Apple, WeChat: theirs unless a test or proxy names another.
    const issuer = input.issuer || (DEFAULT_ISSUERS[input.kind as ProviderKind] ?? '');
    if (!/^https?:\/\/[^\s]+$/.test(issuer)) throw fail('VALIDATION_FAILED', 'the issuer is an http(s) URL', 'issuer');
    if (!input.clientId.trim()) throw fail('VALIDATION_FAILED', 'a client id is needed', 'client_id');
    // The admin API's schema says the same; the CLI and the console's textareas meet it here.
    const audiences = input.audiences ?? [];
    if (audiences.length > MAX_AUDIENCES || audiences.some((a) => a.length > 512))
      throw fail('VALIDATION_FAILED', `at most ${MAX_AUDIENCES} audiences of 512 characters`, 'audiences');
    const domains = input.domains ?? [];
    if (domains.length > MAX_DOMAINS || domains.some((d) => d.length > 253))
      throw fail('VALIDATION_FAILED', `at most ${MAX_DOMAINS} domains of 253 characters`, 'domains');
    const clientSecret = input.kind === 'apple' ? appleSecret(input) : input.clientSecret;
    if (input.kind === 'wechat' && !clientSecret) throw fail('VALIDATION_FAILED', "WeChat's AppSecret is needed (--client-secret-file)", 'client_secret');
    const now = this.#clock.now();
    const provider: IdentityProvider = {
      id: input.id,
      kind: input.kind as ProviderKind,
      name: input.name.trim(),
      issuer,
      clientId: input.clientId.trim(),
      sealedClientSecret: clientSecret ? this.#box.seal(clientSecret, secretContext(input.id)) : null,
      audiences: [...new Set(input.audiences ?? [])],
      signup: input.signup ?? true,
      domains: [...new Set((input.domains ?? []).map((d) => d.trim().toLowerCase().replace(/^@/, '')))].filter((d) => d !== ''),
      trustMfa: input.trustMfa ?? false,
      enabled: true,
      createdAt: now,
      updatedAt: now,
    };
    if (!(await this.#store.addProvider(provider))) throw fail('VALIDATION_FAILED', `a provider with the id ${input.id} exists`, 'id');
    this.#buttonsAt = Number.NEGATIVE_INFINITY;
    await this.#audit.record('provider.added', null, `${provider.id} (${provider.kind}, ${provider.issuer})`);
    return this.#view(provider);
  }

  async list(): Promise<ProviderView[]> {
    return (await this.#store.providers()).map((p) => this.#view(p));
  }

  /** One provider as operators see it; NOT_FOUND when there is none. */
  async find(id: string): Promise<ProviderView> {
    const provider = await this.#store.provider(id);
    if (!provider) throw fail('NOT_FOUND', `no provider ${id}`);
    return this.#view(provider);
  }

  /**
   * The sign-in pages' buttons, read again when older than 5 s (the pages are
   * drawn without waiting on storage; a provider added on another instance
   * shows within seconds, one added here at once).
   */
  async freshButtons(): Promise<void> {
    const now = this.#clock.now();
    if (Math.abs(now - this.#buttonsAt) < BUTTONS_FOR_MS) return;
    this.#buttonsAt = now;
    this.#buttons = (await this.#store.providers()).filter((p) => p.enabled).map((p) => ({ id: p.id, name: p.name }));
  }

  /** The enabled providers as of the last {@link freshButtons}. */
  buttons(): ReadonlyArray<{ id: string; name: string }> {
    return this.#buttons;
  }

  /** Removes a provider and every identity linked through it; NOT_FOUND when there is none. */
  async remove(id: string): Promise<void> {
    if (!(await this.#store.removeProvider(id))) throw fail('NOT_FOUND', `no provider ${id}`);
    this.#buttonsAt = Number.NEGATIVE_INFINITY;
    await this.#audit.record('provider.removed', null, id);
  }

  /**
   * The authorization URL the browser is sent to. The state, nonce and PKCE
   * verifier stay on the server, with the browser that asked (`browser`, a
   * random value of its cookie) and where the outcome is shown. `linkFor`: a
   * signed-in account linking another identity.
   */
  async begin(providerId: string, at: { browser: string; returnTo: string; linkFor?: number }): Promise<string> {
    const provider = await this.#enabled(providerId);
    const now = this.#clock.now();
    // Requests nobody came back from: forgotten as new ones are made (an indexed delete).
    await this.#store.purgeRequests(now);
    const request: UpstreamRequest = {
      id: this.#ids.token(32),
      providerId,
      nonce: this.#ids.token(32),
      codeVerifier: this.#ids.token(48),
      linkFor: at.linkFor ?? null,
      returnTo: at.returnTo,
      browser: at.browser,
      proved: null,
      expiresAt: now + REQUEST_TTL_MS,
    };
    await this.#store.saveRequest(request);
    const url = await this.#protocol()
      .authorizationUrl(this.#clientConfig(provider), { state: request.id, nonce: request.nonce, codeVerifier: request.codeVerifier })
      .catch((error: unknown) => {
        throw fail('UPSTREAM_FAILED', `${provider.id}: ${(error as Error).message}`, undefined, { cause: error });
      });
    return url.href;
  }

  /**
   * The provider sent the browser back: the request its `state` names is
   * taken (once), the code exchanged and the id_token verified (signature,
   * issuer, audience, expiry, nonce). The proved identity waits, under a new
   * one-use ticket, for the page that shows the outcome. UPSTREAM_FAILED for
   * anything wrong (the reason goes to the audit, never to the browser).
   */
  async callback(providerId: string, callbackUrl: URL): Promise<CallbackOutcome> {
    const now = this.#clock.now();
    const state = callbackUrl.searchParams.get('state') ?? '';
    const request = state ? await this.#store.takeRequest(state, now) : null;
    const refuse = async (why: string, cause?: unknown): Promise<never> => {
      // Counted under the provider the kept request names (the URL's id is anyone's to write).
      this.#observe(request?.providerId ?? 'unknown', 'failed');
      await this.#audit.record('login.failed', null, `identity provider ${providerId}: ${why}`);
      // A provider that keys nobody (WeChat without unionid) is the operator's set-up to fix: the page says so.
      throw fail('UPSTREAM_FAILED', undefined, cause instanceof UpstreamUnkeyed ? 'unionid' : undefined, { cause });
    };
    if (!request || request.providerId !== providerId || request.proved !== null) return refuse('unknown, used or expired state');
    const provider = await this.#store.provider(providerId);
    if (!provider?.enabled) return refuse('provider removed or disabled');
    if (callbackUrl.searchParams.has('error')) return refuse(`the provider answered ${callbackUrl.searchParams.get('error')?.slice(0, 64)}`);
    let proved: ProvedIdentity;
    try {
      proved = await this.#protocol().finish(this.#clientConfig(provider), callbackUrl, {
        state: request.id,
        nonce: request.nonce,
        codeVerifier: request.codeVerifier,
      });
    } catch (error) {
      return refuse((error as Error).message.slice(0, 200), error);
    }
    this.#observe(provider.id, 'proved');
    const ticket: UpstreamRequest = { ...request, id: this.#ids.token(32), proved, expiresAt: now + REQUEST_TTL_MS };
    await this.#store.saveRequest(ticket);
    return { ticket: ticket.id, returnTo: request.returnTo, linking: request.linkFor !== null };
  }

  /**
   * Signs in with a proved identity (the callback's ticket, in the browser
   * that started it): the linked account, or a new one (no password; the
   * email verified only when the provider asserts it). An account already
   * holding the email is not linked: IdentityLinkRequired. Then the login's
   * one end: the lock, the admission rule, the second factor, the session.
   */
  async signIn(ticket: string, browser: string | undefined, request: StartOptions & SecondStepRequest): Promise<LoginGrant> {
    const { provider, proved } = await this.#proved(ticket, browser, null);
    return this.#signInProved(provider, proved, browser ?? '', request);
  }

  /**
   * A native app's sign-in (`POST /api/v1/auth/idp/{id}/token`): an id_token it
   * got from the provider's own SDK, verified against the provider's JWKS, for
   * the provider's client id or one of its `--audience` values, with the nonce
   * the app sent (or its SHA-256 hex, as Apple's native flow hashes it). Then
   * as a page's sign-in; an account holding the email and not linked to this
   * identity is IDENTITY_LINK_REQUIRED (an app has no page to prove it on).
   */
  async signInWithIdToken(providerId: string, idToken: string, nonce: string, request: StartOptions & SecondStepRequest): Promise<LoginGrant> {
    const provider = await this.#enabled(providerId);
    if (!nonce) throw fail('VALIDATION_FAILED', 'a nonce is required', 'nonce');
    let proved: ProvedIdentity;
    try {
      proved = await this.#protocol().verifyIdToken(this.#clientConfig(provider), idToken, { audiences: [provider.clientId, ...provider.audiences], nonce });
    } catch (error) {
      this.#observe(provider.id, 'failed');
      await this.#audit.record('login.failed', null, `identity provider ${providerId} (native): ${(error as Error).message.slice(0, 200)}`);
      throw fail('UPSTREAM_FAILED', undefined, undefined, { cause: error });
    }
    this.#observe(provider.id, 'proved');
    return this.#signInProved(provider, proved, null, request);
  }

  /** `browser` null: no page to prove an existing account on (a native app): the link is refused, not kept. */
  async #signInProved(
    provider: IdentityProvider,
    proved: ProvedIdentity,
    browser: string | null,
    request: StartOptions & SecondStepRequest,
    retried = false,
  ): Promise<LoginGrant> {
    const linked = await this.#store.identity(proved.issuer, proved.subject);
    let user: User | null;
    if (linked) {
      user = await this.#accounts.findById(linked.userId);
      if (!user) throw fail('UPSTREAM_FAILED');
      this.#allowed(provider, proved);
      await this.#store.touch(proved.issuer, proved.subject, this.#clock.now(), proved.email, proved.emailVerified);
    } else {
      this.#allowed(provider, proved);
      const holder = proved.email ? await this.#accounts.findByEmail(proved.email) : null;
      if (holder) {
        // Never linked silently (pre-account takeover): the person proves the account first.
        if (browser === null) throw fail('IDENTITY_LINK_REQUIRED');
        const pending: UpstreamRequest = {
          id: this.#ids.token(32),
          providerId: provider.id,
          nonce: '',
          codeVerifier: '',
          linkFor: holder.id,
          returnTo: '',
          browser,
          proved,
          expiresAt: this.#clock.now() + REQUEST_TTL_MS,
        };
        await this.#store.saveRequest(pending);
        throw new IdentityLinkRequired(pending.id, holder.email ?? '', provider.name);
      }
      if (!provider.signup) throw fail('IDENTITY_NOT_ALLOWED');
      const made = await this.#firstSignIn(provider, proved);
      // The same identity's first sign-in in another request at the same moment made the account: this one goes there.
      if (!made) {
        if (retried) throw fail('UPSTREAM_FAILED', 'the identity was linked meanwhile');
        return this.#signInProved(provider, proved, browser, request, true);
      }
      user = made;
    }
    // A locked account gets what a password login gives it, once the provider proved the person.
    const wait = await this.#lockout.lockedFor('password', user.id);
    if (wait !== null) throw fail('ACCOUNT_LOCKED', undefined, undefined, { retryAfterSeconds: wait });
    const trusted = provider.trustMfa && showsSecondFactor(proved.amr);
    const grant = await this.#login.admit(user, { ...request, upstreamSecondFactor: trusted }, 'fed', undefined, `by identity provider ${provider.id}`);
    this.#observe(provider.id, 'signed_in');
    return grant;
  }

  /** A signed-in account linking another identity (from /account): the ticket must be its own request. */
  async linkToSignedIn(ticket: string, browser: string | undefined, user: User): Promise<void> {
    const { provider, proved } = await this.#proved(ticket, browser, user.id);
    const linked = await this.#store.identity(proved.issuer, proved.subject);
    if (linked?.userId === user.id) return;
    if (linked) throw fail('VALIDATION_FAILED', 'this identity is linked to another account', 'identity');
    await this.#linkTo(user.id, provider, proved);
  }

  /**
   * The person proved the account an upstream identity's email named (its
   * password and second factor, or a code): the identity is linked to it.
   * False when the pending link is gone, expired, or names another account.
   */
  async completeLink(linkToken: string, browser: string | undefined, user: User): Promise<boolean> {
    const pending = await this.#store.takeRequest(linkToken, this.#clock.now());
    if (!pending?.proved || pending.linkFor !== user.id || !browser || pending.browser !== browser) return false;
    const provider = await this.#store.provider(pending.providerId);
    if (!provider) return false;
    await this.#linkTo(user.id, provider, pending.proved);
    return true;
  }

  /** An account's identities with their providers' names, oldest first. */
  async identitiesOf(userId: number): Promise<Array<LinkedIdentity & { providerName: string }>> {
    const names = new Map((await this.#store.providers()).map((p) => [p.id, p.name]));
    return (await this.#store.identitiesOf(userId)).map((i) => ({ ...i, providerName: names.get(i.providerId) ?? i.providerId }));
  }

  /**
   * Unlinks one of the account's identities, as long as another way in
   * remains: a password, another identity, a passkey, or a verified email or
   * number (a sign-in code or a reset reaches it). LAST_WAY_IN otherwise.
   */
  async unlink(user: User, issuer: string, subject: string, by: 'owner' | 'staff' = 'owner'): Promise<void> {
    const mine = await this.#store.identitiesOf(user.id);
    const identity = mine.find((i) => i.issuer === issuer && i.subject === subject);
    if (!identity) throw fail('NOT_FOUND', 'the account has no such identity');
    if (!keepsWayIn(user, { passkeys: await this.#passkeyCount(user.id), identities: mine.length }, 'identity')) throw fail('LAST_WAY_IN');
    if (!(await this.#store.unlink(user.id, issuer, subject))) throw fail('NOT_FOUND', 'the account has no such identity');
    await this.#audit.record('identity.unlinked', user.id, `${identity.providerId}${by === 'staff' ? ' by staff' : ''}`);
  }

  /**
   * A first sign-in's account, linked to the identity; null when another request's first sign-in of the same
   * identity won the race (two tabs, a double click): that one's account is the person's. The loser's account,
   * if it got as far as being made (an identity without an email collides on nothing else), is undone — it
   * holds nothing, and left alone it would be an account with no way in.
   */
  async #firstSignIn(provider: IdentityProvider, proved: ProvedIdentity): Promise<User | null> {
    let made: User;
    try {
      made = await this.#accounts.registerByProvider({ email: proved.email, emailVerified: proved.emailVerified, name: proved.name, provider: provider.id });
    } catch (error) {
      // The email was taken a moment ago — by the winner of the race, or by anyone: the sign-in starts over and
      // meets either the linked identity or an account holding the email, which is never linked without its proof.
      if ((error as GatehouseError).code === 'EMAIL_TAKEN') return null;
      throw error;
    }
    if (await this.#tryLink(made.id, provider, proved)) {
      this.#observe(provider.id, 'signed_up');
      return made;
    }
    await this.#accounts.delete(made);
    return null;
  }

  async #linkTo(userId: number, provider: IdentityProvider, proved: ProvedIdentity): Promise<void> {
    // Linked to another account a moment ago (two first sign-ins at once): this one is refused.
    if (!(await this.#tryLink(userId, provider, proved))) throw fail('UPSTREAM_FAILED', 'the identity was linked meanwhile');
    this.#observe(provider.id, 'linked');
  }

  /** Links the identity to the account; false when it is linked (to any account) already. */
  async #tryLink(userId: number, provider: IdentityProvider, proved: ProvedIdentity): Promise<boolean> {
    const now = this.#clock.now();
    const linked = await this.#store.link({
      providerId: provider.id,
      issuer: proved.issuer,
      subject: proved.subject,
      userId,
      email: proved.email,
      emailVerified: proved.emailVerified,
      createdAt: now,
      lastUsedAt: now,
    });
    if (!linked) return false;
    await this.#audit.record('identity.linked', userId, provider.id);
    return true;
  }

  /** The ticket a callback left, taken once, in the browser that started it, for a sign-in (`linkFor` null) or that account's link. */
  async #proved(ticket: string, browser: string | undefined, linkFor: number | null): Promise<{ provider: IdentityProvider; proved: ProvedIdentity }> {
    const request = ticket ? await this.#store.takeRequest(ticket, this.#clock.now()) : null;
    if (!request?.proved || !browser || request.browser !== browser || request.linkFor !== linkFor) throw fail('UPSTREAM_FAILED');
    const provider = await this.#store.provider(request.providerId);
    if (!provider?.enabled) throw fail('UPSTREAM_FAILED');
    return { provider, proved: request.proved };
  }

  /** `--domain`: only these email domains, and only an email the provider asserts verified. */
  #allowed(provider: IdentityProvider, proved: ProvedIdentity): void {
    if (provider.domains.length === 0) return;
    const domain = proved.email?.split('@')[1];
    if (!proved.emailVerified || !domain || !provider.domains.includes(domain)) throw fail('IDENTITY_NOT_ALLOWED');
  }

  async #enabled(id: string): Promise<IdentityProvider> {
    const provider = await this.#store.provider(id);
    if (!provider?.enabled) throw fail('NOT_FOUND', `no provider ${id}`);
    return provider;
  }

  #protocol(): UpstreamProtocol {
    if (!this.#upstream) throw fail('UPSTREAM_FAILED', 'no upstream protocol client is configured');
    return this.#upstream;
  }

  #clientConfig(provider: IdentityProvider): UpstreamClientConfig {
    const clientSecret = provider.sealedClientSecret === null ? null : this.#box.open(provider.sealedClientSecret, secretContext(provider.id));
    return { provider, clientSecret, redirectUri: this.redirectUri(provider.id) };
  }

  #view(p: IdentityProvider): ProviderView {
    const { sealedClientSecret, ...rest } = p;
    return { ...rest, hasClientSecret: sealedClientSecret !== null, redirectUri: this.redirectUri(p.id) };
  }
}

/**
 * Apple's client secret is a JWT made per token request (store/upstream/apple-upstream.ts): what is sealed is
 * the key it is signed with, as JSON with its team and key ids. The key is checked here: a PKCS#8 EC P-256 key.
 */
function appleSecret(input: NewProvider): string {
  if (input.clientSecret) throw fail('VALIDATION_FAILED', 'Apple takes no client secret: give the team id, key id and private key', 'client_secret');
  const { teamId = '', keyId = '', privateKey = '' } = input.apple ?? {};
  if (!/^[A-Z0-9]{10}$/.test(teamId.trim())) throw fail('VALIDATION_FAILED', "the team id is Apple's 10 letters and digits", 'team_id');
  if (!/^[A-Z0-9]{10}$/.test(keyId.trim())) throw fail('VALIDATION_FAILED', "the key id is Apple's 10 letters and digits", 'key_id');
  let curve: string | undefined;
  try {
    curve = createPrivateKey({ key: privateKey, format: 'pem' }).asymmetricKeyDetails?.namedCurve;
  } catch {
    curve = undefined;
  }
  if (!privateKey.includes('BEGIN PRIVATE KEY') || curve !== 'prime256v1')
    throw fail('VALIDATION_FAILED', "the private key is Apple's .p8 file (a PKCS#8 PEM P-256 key)", 'private_key');
  return JSON.stringify({ teamId: teamId.trim(), keyId: keyId.trim(), privateKey });
}

/** The secret box's context of a provider's client secret (store/moving-in/copy-plan.ts reseals with it). */
const secretContext = (id: string) => `idp-secret:${id}`;
