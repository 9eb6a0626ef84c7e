import { defineSurface, mountedAt } from '../shared/surface.ts';
import { V1_USERS_ERRORS } from './errors.ts';
import { v1UsersRoutes } from './routes.ts';

/** Seed 003: profile and settings in the `{status, message, data}` envelope. */
export const v1Users = defineSurface({
  name: 'v1-users',
  summary: 'profile and settings in `{status, message, data}`',
  mounts: ['/api/v1/users/*'],
  plugin: mountedAt('/api/v1/users', v1UsersRoutes),
  errors: { 'v1-users': V1_USERS_ERRORS },
});
