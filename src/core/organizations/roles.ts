import type { Audit } from '../audit.ts';
import { fail } from '../errors.ts';
import type { Clock } from '../ports/clock.ts';
import type { CustomRole, OrganizationStore } from '../ports/organization-store.ts';
import type { User } from '../ports/user-store.ts';
import { BUILT_IN_ROLES, isBuiltIn, normaliseRoles } from './rules.ts';

/** A role or permission name: lower-case, digits and `_ - : .`, up to 64 (`invoices:read`). */
const NAME = /^[a-z][a-z0-9_:.-]{0,63}$/;

/** Custom roles are the installation's: an organisation's owners and admins assign them, only superusers define them. */
function superuserOnly(actor: User | null): void {
  if (actor !== null && !(actor.isSuperuser && actor.status === 'active')) throw fail('FORBIDDEN', 'only superusers define organisation roles');
}

/** The catalog an app reads: the built-in roles, then the custom ones with their permissions. */
export interface RoleEntry {
  name: string;
  description: string;
  builtIn: boolean;
  permissions: string[];
}

const BUILT_IN_DESCRIPTIONS: Record<(typeof BUILT_IN_ROLES)[number], string> = {
  owner: 'everything, including deleting the organisation and giving or taking the owner role',
  admin: 'manages members and invitations (not owners) and renames the organisation',
  member: 'reads the organisation and its members',
};

/**
 * The roles and permissions catalog. Custom roles are defined by superusers
 * only (the CLI, the staff API): an organisation's owners and admins assign
 * them, never mint them, so no organisation admin can grant itself a
 * permission an app trusts.
 */
export class RoleCatalog {
  readonly #store: OrganizationStore;
  readonly #clock: Clock;
  readonly #audit: Audit;

  constructor(deps: { store: OrganizationStore; clock: Clock; audit: Audit }) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#audit = deps.audit;
  }

  async list(): Promise<RoleEntry[]> {
    const custom = await this.#store.roles();
    return [
      ...BUILT_IN_ROLES.map((name) => ({ name, description: BUILT_IN_DESCRIPTIONS[name], builtIn: true, permissions: [] })),
      ...custom.map((r) => ({ name: r.name, description: r.description, builtIn: false, permissions: r.permissions })),
    ];
  }

  /** Defines (or redefines) a custom role: a superuser, or the operator (`actor` null); FORBIDDEN for anyone else. */
  async define(name: string, permissions: readonly string[], description: string, actor: User | null): Promise<CustomRole> {
    superuserOnly(actor);
    if (!NAME.test(name)) throw fail('VALIDATION_FAILED', 'a role name is lower-case letters, digits and _ - : . (up to 64)', 'name');
    if (isBuiltIn(name)) throw fail('VALIDATION_FAILED', `${name} is a built-in role`, 'name');
    for (const p of permissions) if (!NAME.test(p)) throw fail('VALIDATION_FAILED', `not a permission name: ${p}`, 'permissions');
    const now = this.#clock.now();
    const existing = (await this.#store.roles()).find((r) => r.name === name);
    const role: CustomRole = { name, description, permissions: [...new Set(permissions)].sort(), createdAt: existing?.createdAt ?? now, updatedAt: now };
    await this.#store.putRole(role);
    await this.#audit.record('role.defined', null, `role=${name} permissions=${role.permissions.join(',')}`, actor?.id ?? null);
    return role;
  }

  /** Removes a custom role (and takes it from every member and invitation): a superuser, or the operator. */
  async remove(name: string, actor: User | null): Promise<void> {
    superuserOnly(actor);
    if (isBuiltIn(name)) throw fail('VALIDATION_FAILED', `${name} is a built-in role`, 'name');
    if (!(await this.#store.removeRole(name))) throw fail('NOT_FOUND', `no role ${name}`);
    await this.#audit.record('role.removed', null, `role=${name}`, actor?.id ?? null);
  }

  /** Roles as assigned: each known (built-in or defined), at least one; VALIDATION_FAILED otherwise. */
  async check(roles: readonly string[]): Promise<string[]> {
    if (roles.length === 0) throw fail('VALIDATION_FAILED', 'at least one role', 'roles');
    const custom = new Set((await this.#store.roles()).map((r) => r.name));
    for (const role of roles) if (!isBuiltIn(role) && !custom.has(role)) throw fail('VALIDATION_FAILED', `no such role: ${role}`, 'roles');
    return normaliseRoles(roles);
  }

  /** The app permissions these roles carry (the union of their custom roles'), sorted. */
  async permissionsOf(roles: readonly string[]): Promise<string[]> {
    const custom = await this.#store.roles();
    const granted = new Set<string>();
    for (const role of custom) if (roles.includes(role.name)) for (const p of role.permissions) granted.add(p);
    return [...granted].sort();
  }
}
