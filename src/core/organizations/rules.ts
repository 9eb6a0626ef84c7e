import { fail } from '../errors.ts';

/** The roles every organisation has; custom roles (core/organizations/roles.ts) add app permissions beside them. */
export const BUILT_IN_ROLES = ['owner', 'admin', 'member'] as const;
export type BuiltInRole = (typeof BUILT_IN_ROLES)[number];

export const isBuiltIn = (role: string): role is BuiltInRole => (BUILT_IN_ROLES as readonly string[]).includes(role);

/** What a member may do in its organisation through Gatehouse. */
export type OrgAction = 'read' | 'update' | 'delete' | 'manage_members' | 'manage_invitations';

/**
 * The built-in roles' rights: owners everything, admins everything but deleting
 * the organisation, everyone else reads. Changing anything about an owner
 * (granting, taking, removing) is `touchesOwner` below: owners only.
 */
const RIGHTS: Record<BuiltInRole, readonly OrgAction[]> = {
  owner: ['read', 'update', 'delete', 'manage_members', 'manage_invitations'],
  admin: ['read', 'update', 'manage_members', 'manage_invitations'],
  member: ['read'],
};

/** Whether a member with these roles may do this (every member reads). */
export function may(roles: readonly string[], action: OrgAction): boolean {
  if (action === 'read') return true;
  return roles.some((role) => isBuiltIn(role) && RIGHTS[role].includes(action));
}

/** Refuses with ORG_FORBIDDEN unless the roles allow the action. */
export function demand(roles: readonly string[], action: OrgAction): void {
  if (!may(roles, action)) throw fail('ORG_FORBIDDEN');
}

/** Only owners give or take the owner role, or change or remove an owner. */
export function demandOwnerFor(actorRoles: readonly string[], before: readonly string[], after: readonly string[] | null): void {
  const touches = before.includes('owner') || (after?.includes('owner') ?? false);
  if (touches && !actorRoles.includes('owner')) throw fail('ORG_FORBIDDEN', 'only owners give, take or remove the owner role');
}

/** A slug: lower-case letters, digits and single hyphens, 2 to 64 long. */
export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){1,63}$/;

export function checkSlug(slug: string): string {
  if (!SLUG_PATTERN.test(slug)) throw fail('VALIDATION_FAILED', 'a slug is 2 to 64 lower-case letters, digits and single hyphens', 'slug');
  return slug;
}

export function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length < 1 || trimmed.length > 100) throw fail('VALIDATION_FAILED', 'a name is 1 to 100 characters', 'name');
  return trimmed;
}

/** The roles given, without repeats, in a stable order (built-in first). */
export function normaliseRoles(roles: readonly string[]): string[] {
  const unique = [...new Set(roles)];
  return [...BUILT_IN_ROLES.filter((r) => unique.includes(r)), ...unique.filter((r) => !isBuiltIn(r)).sort()];
}
