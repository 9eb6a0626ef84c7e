import { defineSurface, mountedAt } from '../shared/surface.ts';
import { V1_ENVELOPE_ERRORS, V1_PLAIN_ERRORS } from './errors.ts';
import { v1AuthRoutes } from './routes.ts';

/**
 * `/api/v1/auth`: seed 004's plain style with Chinese messages, or seed 003's
 * envelope style, chosen per listener (the main one in `V1_AUTH_STYLE`, the
 * `ENVELOPE_PORT` one always in envelope style).
 */
export const v1Auth = defineSurface({
  name: 'v1-auth',
  summary: 'form and JSON login, lockout, forgot/reset password, own sessions; style per listener (above)',
  mounts: ['/api/v1/auth/*'],
  plugin: mountedAt('/api/v1/auth', v1AuthRoutes),
  errors: { 'v1-auth plain': V1_PLAIN_ERRORS, 'v1-auth envelope': V1_ENVELOPE_ERRORS },
});
