import { fail } from '../errors.ts';
import type { Membership, MemberChange, Organization } from '../ports/organization-store.ts';
import type { User } from '../ports/user-store.ts';
import { type Actor, type OrgDeps, orgDetail, orgEvent, reach } from './access.ts';
import { demand, demandOwnerFor } from './rules.ts';

/** A member with its account. */
export interface Member {
  membership: Membership;
  user: User;
}

/**
 * Members and their roles. Owners and admins manage members; only owners give
 * or take the owner role or touch an owner; anyone may leave; an organisation
 * always keeps an owner (LAST_OWNER, checked in the store's transaction).
 */
export class Memberships {
  readonly #deps: OrgDeps;

  constructor(deps: OrgDeps) {
    this.#deps = deps;
  }

  /** An organisation's members with their accounts (any member reads). */
  async list(orgId: string, actor: Actor, limit: number, offset: number): Promise<Member[]> {
    const { store, users } = this.#deps;
    await reach(store, orgId, actor);
    const page = await store.members(orgId, limit, offset);
    const members = await Promise.all(page.map(async (membership) => ({ membership, user: await users.findById(membership.userId) })));
    return members.filter((m): m is Member => m.user !== null);
  }

  /** The actor's own roles and the app permissions they carry. */
  async mine(orgId: string, actor: User): Promise<{ org: Organization; roles: string[]; permissions: string[] }> {
    const { org, roles } = await reach(this.#deps.store, orgId, actor);
    return { org, roles, permissions: await this.#deps.roles.permissionsOf(roles) };
  }

  /** Adds an account directly (the operator: `gatehouse orgs add-member`); apps invite instead. */
  async add(orgId: string, user: User, roles: readonly string[], actor: Actor): Promise<Membership> {
    const { store, clock, events, audit } = this.#deps;
    const { org, roles: actorRoles } = await reach(store, orgId, actor);
    demand(actorRoles, 'manage_members');
    const checked = await this.#deps.roles.check(roles);
    demandOwnerFor(actorRoles, [], checked);
    const now = clock.now();
    const membership = { orgId, userId: user.id, roles: checked, createdAt: now, updatedAt: now };
    if (!(await store.addMember(membership, [orgEvent(events, 'organization.member.added', org, actor, { member: user.uuid, roles: checked })])))
      throw fail('VALIDATION_FAILED', 'already a member', 'user');
    await audit.record('org.member_added', user.id, orgDetail(org, `roles=${checked.join(',')}`), actor?.id ?? null);
    return membership;
  }

  /** Sets a member's roles (owners and admins; owners only when the owner role is involved). */
  async setRoles(orgId: string, userUuid: string, roles: readonly string[], actor: Actor): Promise<Member> {
    const { store, clock, events, audit } = this.#deps;
    const { org, roles: actorRoles } = await reach(store, orgId, actor);
    demand(actorRoles, 'manage_members');
    const { user, membership } = await this.#member(orgId, userUuid);
    const checked = await this.#deps.roles.check(roles);
    demandOwnerFor(actorRoles, membership.roles, checked);
    const at = clock.now();
    const result = await store.setRoles(orgId, user.id, checked, at, [
      orgEvent(events, 'organization.member.updated', org, actor, { member: user.uuid, roles: checked }),
    ]);
    settle(result);
    await audit.record('org.member_updated', user.id, orgDetail(org, `roles=${checked.join(',')}`), actor?.id ?? null);
    return { user, membership: { ...membership, roles: checked, updatedAt: at } };
  }

  /** Removes a member: an owner or admin removing someone, or a member leaving (any member may). */
  async remove(orgId: string, userUuid: string, actor: Actor): Promise<void> {
    const { store, events, audit } = this.#deps;
    const { org, roles: actorRoles } = await reach(store, orgId, actor);
    const { user, membership } = await this.#member(orgId, userUuid);
    const leaving = actor !== null && actor.id === user.id;
    if (!leaving) {
      demand(actorRoles, 'manage_members');
      demandOwnerFor(actorRoles, membership.roles, null);
    }
    settle(
      await store.removeMember(orgId, user.id, [orgEvent(events, 'organization.member.removed', org, actor, { member: user.uuid, roles: membership.roles })]),
    );
    await audit.record('org.member_removed', user.id, orgDetail(org, leaving ? 'left' : `roles=${membership.roles.join(',')}`), actor?.id ?? null);
  }

  async #member(orgId: string, userUuid: string): Promise<{ user: User; membership: Membership }> {
    const user = await this.#deps.users.findByUuid(userUuid);
    const membership = user ? await this.#deps.store.membership(orgId, user.id) : null;
    if (!user || !membership) throw fail('NOT_FOUND', 'no such member');
    return { user, membership };
  }
}

function settle(result: MemberChange): void {
  if (result === 'last_owner') throw fail('LAST_OWNER');
  if (result === 'missing') throw fail('NOT_FOUND', 'no such member');
}
