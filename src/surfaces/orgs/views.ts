import type { Member } from '../../core/organizations/memberships.ts';
import type { Invitation, MembershipOf, Organization } from '../../core/ports/organization-store.ts';
import type { RoleEntry } from '../../core/organizations/roles.ts';
import { zuluUtc } from '../shared/timestamps.ts';

export const orgView = (o: Organization) => ({ id: o.id, name: o.name, slug: o.slug, created_at: zuluUtc(o.createdAt) });

export const myOrgView = (m: MembershipOf) => ({
  id: m.organization.id,
  name: m.organization.name,
  slug: m.organization.slug,
  roles: m.roles,
  joined_at: zuluUtc(m.createdAt),
});

export const memberView = ({ user, membership }: Member) => ({
  user: { uuid: user.uuid, email: user.email, username: user.username, full_name: user.fullName },
  roles: membership.roles,
  joined_at: zuluUtc(membership.createdAt),
});

export const invitationView = (i: Invitation) => ({
  id: i.id,
  email: i.email,
  roles: i.roles,
  created_at: zuluUtc(i.createdAt),
  expires_at: zuluUtc(i.expiresAt),
});

export const roleView = (r: RoleEntry) => ({ name: r.name, description: r.description, built_in: r.builtIn, permissions: r.permissions });

/** One page: `limit + 1` were read, so a next page is known without counting. */
export function page<T, V>(rows: T[], limit: number, offset: number, view: (row: T) => V) {
  return { items: rows.slice(0, limit).map(view), limit, offset, next_offset: rows.length > limit ? offset + limit : null };
}
