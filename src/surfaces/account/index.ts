import { defineSurface } from '../shared/surface.ts';
import { accountRoutes } from './routes.ts';

/** The self-service account page: sign-in with the second factor, profile, two-step verification, devices, password. */
export const account = defineSurface({
  name: 'account',
  summary:
    'HTML page /account: sign in (password, a texted or mailed code, or an upstream identity provider, then the second factor), profile, two-step verification, devices, password',
  mounts: ['/account', '/account/*', '/idp/*'],
  plugin: accountRoutes,
  // HTML answers: failures are pages, worded per code in routes.ts.
  errors: {},
});
