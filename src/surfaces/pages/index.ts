import { defineSurface } from '../shared/surface.ts';
import { pageRoutes } from './routes.ts';

/** The pages behind the links in Gatehouse's mail (reset, verify), and `/`. */
export const pages = defineSurface({
  name: 'pages',
  summary: 'HTML pages: / (what this server is), /reset-password and /verify-email (the links in mail)',
  mounts: ['/', '/reset-password', '/verify-email'],
  settings: ['PUBLIC_URL'],
  plugin: pageRoutes,
  // HTML answers: failures are pages, worded per code in routes.ts.
  errors: {},
});
