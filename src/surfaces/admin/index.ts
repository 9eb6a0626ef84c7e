import { defineSurface, mountedAt } from '../shared/surface.ts';
import { ADMIN_ERRORS } from './errors.ts';
import { adminRoutes } from './routes.ts';

/** The staff API: superusers list, disable and enable accounts and end their sessions. */
export const admin = defineSurface({
  name: 'admin',
  summary: 'staff: list and search accounts, disable/enable, verify, change email, end sessions; superusers: register OpenID Connect apps, identity providers',
  mounts: ['/api/admin/*'],
  plugin: mountedAt('/api/admin', adminRoutes),
  errors: { admin: ADMIN_ERRORS },
});
