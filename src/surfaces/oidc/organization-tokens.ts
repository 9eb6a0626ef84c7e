import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import type { Core } from '../../core/core.ts';
import { isGatehouseError } from '../../core/errors.ts';

/**
 * `organization=<uuid>` on an authorization request (as Auth0's): the sign-in's
 * access token is then an RFC 9068 JWT for that organisation only, carrying
 * `org_id`, `org_roles` and `permissions`. The organisation rides as the
 * request's resource indicator (`urn:gatehouse:organization:<uuid>`), so the
 * code, the grant and every refresh token keep it; membership is checked each
 * time a token is made (the code exchange, every refresh): a member removed
 * gets `invalid_grant`.
 */
export const ORGANIZATION_RESOURCE = 'urn:gatehouse:organization:';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const organizationOf = (indicator: string): string | null =>
  indicator.startsWith(ORGANIZATION_RESOURCE) ? indicator.slice(ORGANIZATION_RESOURCE.length) : null;

/** The resource an authorization request naming an organisation asks for (undefined: it names none). */
export function requestedOrganization(ctx: KoaContextWithOIDC): string | undefined {
  const organization = ctx.oidc.params?.organization;
  if (ctx.oidc.route !== 'authorization' || typeof organization !== 'string' || organization === '') return undefined;
  if (!UUID.test(organization)) throw new errors.InvalidRequest('organization must be an organisation uuid');
  return `${ORGANIZATION_RESOURCE}${organization}`;
}

/** What the account's membership gives in the token: its roles there and their permissions; null when it is no member. */
async function membershipClaims(core: Core, orgId: string, accountId: string) {
  const user = await core.accounts.findByUuid(accountId);
  if (!user) return null;
  try {
    const { roles, permissions } = await core.orgs.members.mine(orgId, user);
    return { org_id: orgId, org_roles: roles, permissions };
  } catch (error) {
    if (isGatehouseError(error) && error.code === 'NOT_FOUND') return null;
    throw error;
  }
}

/** The organisation's resource server: a JWT for the API's audience (membership is checked as the token is made, below). */
export function organizationResourceServer(audience: string) {
  return { scope: 'organizations', audience, accessTokenFormat: 'jwt' as const, jwt: { sign: { alg: 'RS256' as const } } };
}

/**
 * The claims an organisation's access token carries (oidc-provider's
 * `extraTokenClaims`), read as the token is made: at the code exchange and at
 * every refresh the account must be a member now, or the grant is refused
 * (`invalid_grant`) before any token of it is handed out.
 */
export async function organizationTokenClaims(core: Core, token: { accountId?: string; resourceServer?: { identifier(): string } }) {
  const orgId = token.resourceServer ? organizationOf(token.resourceServer.identifier()) : null;
  if (!orgId || !token.accountId) return undefined;
  const claims = await membershipClaims(core, orgId, token.accountId);
  if (!claims) throw new errors.InvalidGrant('the account is not a member of the organization');
  return claims;
}
