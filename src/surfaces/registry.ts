import { admin } from './admin/index.ts';
import { auth } from './auth/index.ts';
import { catalog } from './catalog/index.ts';
import { account } from './account/index.ts';
import { staffConsole } from './console/index.ts';
import { oidc } from './oidc/index.ts';
import { jwks } from './jwks/index.ts';
import { pages } from './pages/index.ts';
import { users } from './users/index.ts';
import { v1Auth } from './v1-auth/index.ts';
import { v1Users } from './v1-users/index.ts';

/**
 * Every contract Gatehouse serves, in the order they are registered. Adding a
 * contract is one folder under `src/surfaces/` and one entry here: `SURFACES`
 * values, the README table and the server follow from this list.
 */
export const SURFACES = [users, catalog, auth, v1Auth, v1Users, admin, pages, account, jwks, oidc, staffConsole] as const;

export type SurfaceName = (typeof SURFACES)[number]['name'];

export const SURFACE_NAMES: readonly SurfaceName[] = SURFACES.map((s) => s.name);
