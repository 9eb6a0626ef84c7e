import { fail } from '../errors.ts';
import type { MembershipOf, Organization } from '../ports/organization-store.ts';
import { type Actor, type OrgDeps, type Reached, orgDetail, orgEvent, reach } from './access.ts';
import { checkName, checkSlug, demand } from './rules.ts';

/** Organisations themselves: made (the maker its first owner), read, renamed, deleted, listed. */
export class Organizations {
  readonly #deps: OrgDeps;

  constructor(deps: OrgDeps) {
    this.#deps = deps;
  }

  /** Makes an organisation; `owner` becomes its first owner (the operator names one: an organisation always has an owner). */
  async create(input: { name: string; slug: string }, owner: Actor & object, by: Actor = owner): Promise<Organization> {
    const { store, clock, ids, events, audit } = this.#deps;
    const now = clock.now();
    const org: Organization = {
      id: ids.uuid(),
      name: checkName(input.name),
      slug: checkSlug(input.slug),
      createdBy: by?.id ?? null,
      createdAt: now,
      updatedAt: now,
    };
    const membership = { orgId: org.id, userId: owner.id, roles: ['owner'], createdAt: now, updatedAt: now };
    const made = await store.create(org, membership, [
      orgEvent(events, 'organization.created', org, by),
      orgEvent(events, 'organization.member.added', org, by, { member: owner.uuid, roles: ['owner'] }),
    ]);
    if (!made) throw fail('SLUG_TAKEN', undefined, 'slug');
    await audit.record('org.created', owner.id, orgDetail(org, `slug=${org.slug}`), by?.id ?? null);
    return org;
  }

  /** The organisation and the actor's roles there; NOT_FOUND for a non-member. */
  get(orgId: string, actor: Actor): Promise<Reached> {
    return reach(this.#deps.store, orgId, actor);
  }

  /** Renames (owners and admins). */
  async update(orgId: string, change: { name?: string; slug?: string }, actor: Actor): Promise<Organization> {
    const { store, clock, events, audit } = this.#deps;
    const { org, roles } = await reach(store, orgId, actor);
    demand(roles, 'update');
    const next = { ...(change.name !== undefined && { name: checkName(change.name) }), ...(change.slug !== undefined && { slug: checkSlug(change.slug) }) };
    const changed = Object.keys(next).filter((k) => next[k as keyof typeof next] !== org[k as keyof typeof next]);
    if (changed.length === 0) return org;
    const at = clock.now();
    const updated = await store.update(orgId, next, at, [orgEvent(events, 'organization.updated', { ...org, ...next }, actor, { changed })]);
    if (updated === 'slug_taken') throw fail('SLUG_TAKEN', undefined, 'slug');
    if (!updated) throw fail('NOT_FOUND', 'no such organisation');
    await audit.record('org.updated', actor?.id ?? null, orgDetail(org, `changed=${changed.join(',')}`), actor?.id ?? null);
    return updated;
  }

  /** Deletes it with its memberships and invitations (owners). */
  async delete(orgId: string, actor: Actor): Promise<void> {
    const { store, events, audit } = this.#deps;
    const { org, roles } = await reach(store, orgId, actor);
    demand(roles, 'delete');
    if (!(await store.remove(orgId, [orgEvent(events, 'organization.deleted', org, actor)]))) throw fail('NOT_FOUND', 'no such organisation');
    await audit.record('org.deleted', actor?.id ?? null, orgDetail(org, `slug=${org.slug}`), actor?.id ?? null);
  }

  /** The organisations an account belongs to, with its roles in each. */
  mine(userId: number, limit: number, offset: number): Promise<MembershipOf[]> {
    return this.#deps.store.ofUser(userId, limit, offset);
  }

  /** Every organisation (the operator, the console). */
  list(limit: number, offset: number, search?: string): Promise<Organization[]> {
    return this.#deps.store.list(limit, offset, search);
  }

  /** One organisation by its uuid, or by its slug (the CLI), whoever asks: for operators only. */
  async find(idOrSlug: string): Promise<Organization | null> {
    const { store } = this.#deps;
    if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrSlug)) return store.get(idOrSlug.toLowerCase());
    return store.bySlug(idOrSlug);
  }
}
