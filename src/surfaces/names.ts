/**
 * The names `SURFACES` accepts, in the order the surfaces are registered. Kept
 * apart from `registry.ts` so reading settings (every CLI command does) loads
 * no route, schema or Fastify plugin; `registry.ts` checks it lists exactly
 * these names.
 */
export const SURFACE_NAMES = ['users', 'catalog', 'auth', 'v1-auth', 'v1-users', 'orgs', 'admin', 'pages', 'account', 'jwks', 'oidc', 'console'] as const;

export type SurfaceName = (typeof SURFACE_NAMES)[number];

/** What the settings say that decides which surfaces another one needs. */
export interface SurfaceNeeds {
  /** MFA_REQUIRED: accounts it covers set up their factor on /account. */
  mfaRequired: 'off' | 'staff' | 'all';
  /** RESET_URL_TEMPLATE and VERIFY_URL_TEMPLATE both point at an app's own pages: the mailed links need no `pages`. */
  mailLinksElsewhere: boolean;
}

/** The surfaces that mail a link (a reset or a verification), whose page `pages` serves unless the templates point elsewhere. */
const MAILS_LINKS: readonly SurfaceName[] = ['users', 'auth', 'v1-auth', 'admin', 'console'];

/**
 * What each surface needs served beside it, and why — declared here, beside
 * the names, so that reading the settings checks it (a one-line start-up
 * error) without loading a route: a surface that sends people to another's
 * page must not send them to a 404.
 */
export function surfaceRequires(name: SurfaceName, needs: SurfaceNeeds): Array<{ surface: SurfaceName; why: string }> {
  const required: Array<{ surface: SurfaceName; why: string }> = [];
  if (name === 'console') required.push({ surface: 'account', why: 'staff set up their second factor there' });
  if (name === 'orgs') required.push({ surface: 'account', why: 'the invitation mail links to /account/invitations' });
  if (name === 'oidc' && needs.mfaRequired !== 'off')
    required.push({ surface: 'account', why: 'with MFA_REQUIRED, accounts set up their second factor there' });
  if (MAILS_LINKS.includes(name) && !needs.mailLinksElsewhere)
    required.push({ surface: 'pages', why: 'the links it mails open /reset-password and /verify-email (or set RESET_URL_TEMPLATE and VERIFY_URL_TEMPLATE)' });
  return required;
}
