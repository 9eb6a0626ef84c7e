import { defineSurface, mountedAt } from '../shared/surface.ts';
import { ORGS_ENVELOPE_ERRORS, ORGS_PLAIN_ERRORS } from './errors.ts';
import { orgsRoutes } from './routes.ts';

/**
 * `/api/v1/orgs`: organisations, members, invitations and the roles catalog
 * for apps; plain on the main listener, the envelope on `ENVELOPE_PORT`'s
 * (the style per listener, as `/api/v1/auth`).
 */
export const orgs = defineSurface({
  name: 'orgs',
  summary: 'organisations, their members and roles, invitations; style per listener (as v1-auth)',
  mounts: ['/api/v1/orgs/*'],
  plugin: mountedAt('/api/v1/orgs', orgsRoutes),
  errors: { 'orgs plain': ORGS_PLAIN_ERRORS, 'orgs envelope': ORGS_ENVELOPE_ERRORS },
});
