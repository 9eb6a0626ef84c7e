import { defineSurface, mountedAt } from '../shared/surface.ts';
import { ADMIN_ERRORS } from './errors.ts';
import { adminRoutes } from './routes.ts';

/** The staff API: superusers list, disable and enable accounts and end their sessions. */
export const admin = defineSurface({
  name: 'admin',
  summary: 'staff API for superusers: list, search, disable, enable accounts, end their sessions; register OpenID Connect apps',
  mounts: ['/api/admin'],
  settings: [],
  plugin: mountedAt('/api/admin', adminRoutes),
  errors: { admin: ADMIN_ERRORS },
});
