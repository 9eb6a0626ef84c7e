import { defineSurface } from '../shared/surface.ts';
import { jwksRoutes } from './routes.ts';

/** The public signing keys, for app backends that verify Gatehouse's tokens themselves. */
export const jwks = defineSurface({
  name: 'jwks',
  summary: 'the public signing keys (JWKS) app backends verify tokens with',
  mounts: ['/.well-known/jwks.json'],
  settings: ['JWT_ALGORITHM'],
  plugin: jwksRoutes,
  // One document that cannot fail: no core error reaches it.
  errors: {},
});
