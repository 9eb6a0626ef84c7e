import Provider, { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import { secretMatches } from '../../core/apps.ts';
import type { Core } from '../../core/core.ts';
import type { User } from '../../core/ports/user-store.ts';
import { ACR_MFA, ACR_VALUES, demandsSecondFactor } from './acr.ts';
import { adapterClass, SessionBinding } from './adapter.ts';
import { API_SCOPES_METADATA, API_TOKEN_TTL, apiResourceIndicators } from './api-resource.ts';
import { ISSUER_PATH } from './issuer-path.ts';
import { organizationTokenClaims } from './organization-tokens.ts';
import type { SigningKeySource } from './signing-keys.ts';

/**
 * The claims of each scope, from the user base. `openid` also gives how and when the user signed in (`acr`, `amr`,
 * `auth_time`): the sign-in's, so they reach the id_token (userinfo answers the account's claims only).
 */
const CLAIMS = {
  openid: ['sub', 'acr', 'amr', 'auth_time'],
  email: ['email', 'email_verified'],
  phone: ['phone_number', 'phone_number_verified'],
  profile: ['name', 'given_name', 'family_name', 'preferred_username'],
  organizations: ['organizations'],
};

/** How many organisations the `organizations` claim lists at most (the first by id): a token is not a directory. */
const ORGANIZATIONS_IN_A_TOKEN = 100;

/** The `organizations` claim: `[{id, slug, roles}]` of the account's memberships. */
async function organizationsOf(core: Core, user: User): Promise<Array<{ id: string; slug: string; roles: string[] }>> {
  const memberships = await core.orgs.organizations.mine(user.id, ORGANIZATIONS_IN_A_TOKEN, 0);
  return memberships.map((m) => ({ id: m.organization.id, slug: m.organization.slug, roles: m.roles }));
}

function claimsOf(user: User): Record<string, unknown> {
  const name = user.fullName ?? ([user.firstName, user.lastName].filter(Boolean).join(' ') || undefined);
  return {
    sub: user.uuid,
    email: user.email ?? undefined,
    email_verified: user.email ? user.isEmailVerified : undefined,
    phone_number: user.phone ?? undefined,
    phone_number_verified: user.phone ? user.isPhoneVerified : undefined,
    name,
    given_name: user.firstName ?? undefined,
    family_name: user.lastName ?? undefined,
    preferred_username: user.username ?? undefined,
  };
}

/**
 * oidc-provider's interaction policy with one check more on the login prompt:
 * an app whose `acr_values` demand the second factor sends a session signed
 * in without one through the sign-in again (or gets `login_required` with
 * `prompt=none`). `max_age` is the library's own check, against the core
 * sign-in's time (routes.ts gives it as the login's `ts`).
 */
function interactionPolicyWithAcr() {
  const policy = interactionPolicy.base();
  policy
    .get('login')!
    .checks.add(
      new interactionPolicy.Check('gatehouse_second_factor', 'the app asks for a sign-in with a second factor', 'login_required', (ctx) =>
        demandsSecondFactor(ctx.oidc.params?.acr_values) && ctx.oidc.acr !== ACR_MFA
          ? interactionPolicy.Check.REQUEST_PROMPT
          : interactionPolicy.Check.NO_NEED_TO_PROMPT,
      ),
    );
  return policy;
}

const ownToken = async (_ctx: unknown, client: { clientId: string }, token: { clientId?: string }) => token.clientId === client.clientId;

export interface OidcPages {
  logout(ctx: KoaContextWithOIDC, form: string): Promise<void>;
  loggedOut(ctx: KoaContextWithOIDC): Promise<void>;
  error(ctx: KoaContextWithOIDC, out: Record<string, string>): Promise<void>;
}

export interface BuiltProvider {
  provider: Provider;
  binding: SessionBinding;
}

/**
 * The OpenID Connect provider (oidc-provider): authorization code with PKCE
 * S256 for every client, refresh tokens, userinfo, RP-initiated logout,
 * revocation, introspection, client_credentials. Its storage is the
 * OidcPayloadStore port; its accounts are the core's, honoured only while the
 * core session of the sign-in lives (adapter.ts).
 */
export async function buildProvider(
  core: Core,
  issuer: string,
  apiResource: string,
  keys: SigningKeySource,
  pages: OidcPages,
  trustProxy: boolean,
): Promise<BuiltProvider> {
  const now = () => core.clock.now();
  const deps = { oidc: core.oidc, apps: core.apps, now };
  const binding = new SessionBinding(core.oidc);
  const jwks = await keys.privateJwks();
  const provider = new Provider(issuer, {
    adapter: adapterClass(deps, binding),
    jwks,
    cookies: { keys: await core.oidc.cookieKeys() },
    claims: CLAIMS,
    // The id_token carries the granted scopes' claims too: apps that read only the id_token see the email and name.
    conformIdTokenClaims: false,
    scopes: ['openid', 'offline_access', 'email', 'phone', 'profile', 'organizations'],
    // An app's API scopes (client_credentials), from its registration; see api-resource.ts.
    extraClientMetadata: { properties: [API_SCOPES_METADATA] },
    // organization=<uuid>: one organisation's access token (organization-tokens.ts), with its claims.
    extraParams: ['organization'],
    extraTokenClaims: (_ctx: KoaContextWithOIDC, token: Parameters<typeof organizationTokenClaims>[1]) => organizationTokenClaims(core, token),
    // A secret only in the Authorization header (client_secret_basic), or none (public apps, PKCE): a secret in the
    // body is not read at all, so the request is unauthenticated and refused (invalid_client).
    clientAuthMethods: ['client_secret_basic', 'none'],
    // OAuth 2.1: PKCE for every client, public or confidential, S256 only.
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      // An app revokes and introspects its own tokens only.
      revocation: { enabled: true, allowedPolicy: ownToken },
      introspection: { enabled: true, allowedPolicy: ownToken },
      userinfo: { enabled: true },
      clientCredentials: { enabled: true },
      // client_credentials gives RFC 9068 JWT access tokens for the API resource; the user flows are unchanged.
      resourceIndicators: apiResourceIndicators(apiResource, core),
      rpInitiatedLogout: { enabled: true, logoutSource: pages.logout, postLogoutSuccessSource: pages.loggedOut },
    },
    enabledJWA: { idTokenSigningAlgValues: ['RS256', 'ES256', 'EdDSA'], userinfoSigningAlgValues: ['RS256', 'ES256', 'EdDSA'] },
    responseTypes: ['code'],
    // id_tokens say how the user signed in: acr (one of these) and amr (the core sign-in's).
    acrValues: ACR_VALUES,
    interactions: {
      policy: interactionPolicyWithAcr(),
      url: (_ctx: unknown, interaction: { uid: string }) => `${ISSUER_PATH}/interaction/${interaction.uid}`,
    },
    renderError: pages.error,
    // An account is found only while the core session of the sign-in lives.
    findAccount: async (ctx: KoaContextWithOIDC, sub: string, token?: { sessionUid?: string }) => {
      let user: User | null = null;
      const sessionUid = token ? token.sessionUid : ctx.oidc.session?.uid;
      const fresh = ctx.oidc.entities.Interaction?.result?.gatehouse as { sid: string; expiresAt: number } | undefined;
      if (!token && fresh && sessionUid) {
        // The sign-in that just finished: bind the provider session to the core session it created.
        await binding.bind(sessionUid, fresh.sid, fresh.expiresAt);
        user = await core.sessions.liveUser(fresh.sid);
      } else if (sessionUid) {
        user = await binding.liveUser(sessionUid);
      }
      if (!user || user.uuid !== sub) return undefined;
      const claims = claimsOf(user);
      const account = user;
      return {
        accountId: sub,
        // The memberships are read when the scope asks for them, at the time the id_token or userinfo is made.
        claims: async (_use: string, scope: string) =>
          scope.split(' ').includes('organizations') ? { ...claims, organizations: await organizationsOf(core, account) } : claims,
      };
    },
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      ClientCredentials: API_TOKEN_TTL,
      IdToken: 3600,
      Interaction: 3600,
      Grant: 14 * 24 * 3600,
      RefreshToken: 14 * 24 * 3600,
      Session: 14 * 24 * 3600,
    },
  });
  provider.proxy = trustProxy;
  // Stored is the secret's hash (apps.ts): compare the presented secret against it.
  provider.Client.prototype.compareClientSecret = function (this: { clientSecret?: string }, actual: string) {
    return secretMatches(this.clientSecret ?? null, actual);
  };
  // RP-initiated logout ends the core session of that sign-in too: one logout ends them all.
  provider.use(async (ctx, next) => {
    await next();
    const session = ctx.oidc?.session;
    if (ctx.oidc?.route === 'end_session_confirm' && session?.destroyed && session.uid) await core.oidc.signedOut(session.uid);
  });
  return { provider, binding };
}
