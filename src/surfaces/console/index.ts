import { defineSurface } from '../shared/surface.ts';
import { consoleRoutes } from './routes.ts';

/** The staff console: accounts, sessions, the audit trail and health, in the browser. */
export const staffConsole = defineSurface({
  name: 'console',
  summary: 'staff console (HTML): /admin — accounts, sessions, lockouts, the audit trail (CSV) and health, for staff and superusers',
  mounts: ['/admin', '/admin/*'],
  plugin: consoleRoutes,
  // HTML answers: failures are pages, each core code placed by the pages' one table (shared/html/sign-in/refusals.ts).
  errors: {},
});
