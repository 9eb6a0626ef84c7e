import { defineSurface, mountedAt } from '../shared/surface.ts';
import { USERS_ERRORS } from './errors.ts';
import { usersRoutes } from './routes.ts';

/** Seeds 000 and 001: email login, server-side refresh by (possibly expired) access token. */
export const users = defineSurface({
  name: 'users',
  summary: 'email login, refresh by (possibly expired) access token, FastAPI-style errors',
  mounts: ['/api/users/*'],
  plugin: mountedAt('/api/users', usersRoutes),
  errors: { users: USERS_ERRORS },
});
