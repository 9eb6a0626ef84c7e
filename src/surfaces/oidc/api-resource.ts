import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { USER_SCOPES } from '../../core/apps.ts';
import type { Core } from '../../core/core.ts';
import { organizationOf, organizationResourceServer, requestedOrganization } from './organization-tokens.ts';

/** Where an app's API scopes ride in its client metadata (oidc-provider's `extraClientMetadata`). */
export const API_SCOPES_METADATA = 'gatehouse_api_scopes';

/** How long a client_credentials JWT access token lives: it cannot be revoked, so a removed app's tokens end soon. */
export const API_TOKEN_TTL = 600;

/** The client_credentials request being answered, the only one the API resource serves. */
const isClientCredentials = (ctx: KoaContextWithOIDC) => ctx.oidc.route === 'token' && ctx.oidc.params?.grant_type === 'client_credentials';

/**
 * The API resource (RFC 8707) behind `client_credentials`: its tokens are RFC
 * 9068 JWT access tokens (`typ: at+jwt`) for the audience `resource`, signed
 * with the published keys, carrying only API scopes the app was registered
 * with; any other requested scope is `invalid_scope`, any other resource
 * `invalid_target`. The user flows name no resource: their access tokens stay
 * opaque, for userinfo, bound to the core session (adapter.ts) — except a
 * sign-in asking for one organisation (with `core`: organization-tokens.ts).
 */
export function apiResourceIndicators(resource: string, core?: Core) {
  return {
    enabled: true,
    // A sign-in asking for one organisation (organization=<uuid>) asks for its resource (organization-tokens.ts).
    defaultResource: async (ctx: KoaContextWithOIDC, _client: unknown, oneOf?: string[]) =>
      oneOf ?? (isClientCredentials(ctx) ? resource : core ? requestedOrganization(ctx) : undefined),
    // The code and refresh tokens of such a sign-in keep making the organisation's tokens; the others stay opaque.
    useGrantedResource: async (_ctx: KoaContextWithOIDC, model: { resource?: string | string[] }) =>
      typeof model.resource === 'string' && organizationOf(model.resource) !== null,
    getResourceServerInfo: async (ctx: KoaContextWithOIDC, indicator: string, client: Record<string, unknown>) => {
      const orgId = organizationOf(indicator);
      if (orgId !== null && core) return organizationResourceServer(resource);
      if (indicator !== resource || !isClientCredentials(ctx)) throw new errors.InvalidTarget();
      const registered = Array.isArray(client[API_SCOPES_METADATA]) ? (client[API_SCOPES_METADATA] as string[]) : [];
      // Never a user's scope, whatever a row says: those speak for a signed-in user, and here nobody signed in.
      const granted = new Set(registered.filter((scope) => !USER_SCOPES.has(scope)));
      const requested = typeof ctx.oidc.params?.scope === 'string' ? ctx.oidc.params.scope.split(' ').filter(Boolean) : [];
      for (const scope of requested) if (!granted.has(scope)) throw new errors.InvalidScope('requested scope is not allowed', scope);
      return {
        scope: [...granted].join(' '),
        audience: resource,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      };
    },
  };
}
