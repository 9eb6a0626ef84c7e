import { defineSurface } from '../shared/surface.ts';
import { pageRoutes } from './routes.ts';

/** The pages behind the links in Gatehouse's mail (reset, verify), and `/`. */
export const pages = defineSurface({
  name: 'pages',
  summary: "people following the links in Gatehouse's mail",
  mounts: ['/', '/reset-password', '/verify-email'],
  plugin: pageRoutes,
  // HTML answers: failures are pages, worded per code in routes.ts.
  errors: {},
});
