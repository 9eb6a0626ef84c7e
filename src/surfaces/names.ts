/**
 * The names `SURFACES` accepts, in the order the surfaces are registered. Kept
 * apart from `registry.ts` so reading settings (every CLI command does) loads
 * no route, schema or Fastify plugin; `registry.ts` checks it lists exactly
 * these names.
 */
export const SURFACE_NAMES = ['users', 'catalog', 'auth', 'v1-auth', 'v1-users', 'admin', 'pages', 'account', 'jwks', 'oidc', 'console'] as const;

export type SurfaceName = (typeof SURFACE_NAMES)[number];
