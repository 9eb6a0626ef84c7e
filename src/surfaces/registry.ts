import { admin } from './admin/index.ts';
import { auth } from './auth/index.ts';
import { catalog } from './catalog/index.ts';
import { account } from './account/index.ts';
import type { SURFACE_NAMES } from './names.ts';
import { staffConsole } from './console/index.ts';
import { oidc } from './oidc/index.ts';
import { jwks } from './jwks/index.ts';
import { pages } from './pages/index.ts';
import { users } from './users/index.ts';
import { v1Auth } from './v1-auth/index.ts';
import { v1Users } from './v1-users/index.ts';
import { orgs } from './orgs/index.ts';

/**
 * Every contract Gatehouse serves, in the order they are registered. Adding a
 * contract is one folder under `src/surfaces/`, its name in `names.ts` and one
 * entry here: `SURFACES` values, the README table and the server follow.
 */
export const SURFACES = [users, catalog, auth, v1Auth, v1Users, orgs, admin, pages, account, jwks, oidc, staffConsole] as const;

// The compiler holds this list and names.ts to the same names in the same order.
type Names<T extends readonly { name: string }[]> = { [I in keyof T]: T[I]['name'] };
const sameNames: Names<typeof SURFACES> extends typeof SURFACE_NAMES ? (typeof SURFACE_NAMES extends Names<typeof SURFACES> ? true : never) : never = true;
void sameNames;

/** The README's surfaces table, written from the descriptors. */
export function surfacesTable(): string {
  const rows = SURFACES.map((s) => `| \`${s.name}\` | ${s.mounts.map((m) => `\`${m}\``).join(', ')} | ${s.summary} |`);
  return ['| surface | paths | for clients of |', '|---|---|---|', ...rows].join('\n');
}
