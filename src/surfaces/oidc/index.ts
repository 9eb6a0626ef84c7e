import { defineSurface } from '../shared/surface.ts';
import { oidcRoutes } from './routes.ts';

/**
 * Sign in with Gatehouse: an OpenID Connect provider (oidc-provider) at
 * PUBLIC_URL/oidc, its sign-in being the core login.
 */
export const oidc = defineSurface({
  name: 'oidc',
  summary: 'OpenID Connect provider at /oidc (discovery at /oidc/.well-known/openid-configuration): sign in with Gatehouse',
  mounts: ['/oidc/*'],
  // The core's signing keys: id_tokens RS256 by default, ES256 or EdDSA for the apps that ask.
  plugin: oidcRoutes((core) => ({ privateJwks: () => core.signingKeys.privateJwks(['RS256', 'ES256', 'EdDSA']) })),
  // HTML and the provider's own OAuth error bodies: no core code reaches a JSON map.
  errors: {},
  start: async (core) => {
    // Expired codes, tokens and sessions are purged every ten minutes (core/oidc.ts).
    const stop = core.oidc.startPurging();
    return async () => stop();
  },
});
