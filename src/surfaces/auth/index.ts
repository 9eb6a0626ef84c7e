import { defineSurface, mountedAt } from '../shared/surface.ts';
import { AUTH_ERRORS } from './errors.ts';
import { authRoutes } from './routes.ts';

/** Seed 002: username login, a refresh token handed to the client (never rotated). */
export const auth = defineSurface({
  name: 'auth',
  summary: 'username login, a refresh token kept by the client',
  mounts: ['/api/auth/*', '/api/user/me'],
  plugin: mountedAt('/api', authRoutes),
  errors: { auth: AUTH_ERRORS },
});
