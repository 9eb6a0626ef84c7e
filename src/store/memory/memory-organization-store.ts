import type { CustomRole, Invitation, MemberChange, Membership, MembershipOf, Organization, OrganizationStore } from '../../core/ports/organization-store.ts';
import type { OutboxEvent } from '../../core/ports/webhook-store.ts';
import { normaliseRoles } from '../../core/organizations/rules.ts';

const byKey = (orgId: string, userId: number) => `${orgId}\u0000${userId}`;
const copy = <T>(value: T): T => structuredClone(value);

/** Organisations in process memory; each call is one synchronous step, so the last-owner check cannot interleave. */
export class MemoryOrganizationStore implements OrganizationStore {
  readonly #orgs = new Map<string, Organization>();
  readonly #members = new Map<string, Membership>();
  readonly #roles = new Map<string, CustomRole>();
  readonly #invitations = new Map<string, Invitation>();
  /** Writes events to the outbox beside a change (set by memoryStores). */
  events: (events: readonly OutboxEvent[]) => void = () => {};

  async create(org: Organization, owner: Membership, events: readonly OutboxEvent[]): Promise<boolean> {
    if ([...this.#orgs.values()].some((o) => o.slug === org.slug)) return false;
    this.#orgs.set(org.id, copy(org));
    this.#members.set(byKey(org.id, owner.userId), copy(owner));
    this.events(events);
    return true;
  }

  async get(id: string): Promise<Organization | null> {
    const org = this.#orgs.get(id);
    return org ? copy(org) : null;
  }

  async bySlug(slug: string): Promise<Organization | null> {
    const org = [...this.#orgs.values()].find((o) => o.slug === slug);
    return org ? copy(org) : null;
  }

  async update(id: string, change: { name?: string; slug?: string }, at: number, events: readonly OutboxEvent[]): Promise<Organization | null | 'slug_taken'> {
    const org = this.#orgs.get(id);
    if (!org) return null;
    if (change.slug !== undefined && [...this.#orgs.values()].some((o) => o.slug === change.slug && o.id !== id)) return 'slug_taken';
    Object.assign(org, change, { updatedAt: at });
    this.events(events);
    return copy(org);
  }

  async remove(id: string, events: readonly OutboxEvent[]): Promise<boolean> {
    if (!this.#orgs.delete(id)) return false;
    for (const [key, m] of this.#members) if (m.orgId === id) this.#members.delete(key);
    for (const [key, i] of this.#invitations) if (i.orgId === id) this.#invitations.delete(key);
    this.events(events);
    return true;
  }

  async list(limit: number, offset: number, search?: string): Promise<Organization[]> {
    const needle = search?.toLowerCase();
    return [...this.#orgs.values()]
      .filter((o) => !needle || o.slug.includes(needle) || o.name.toLowerCase().includes(needle))
      .sort((a, b) => (a.slug < b.slug ? -1 : 1))
      .slice(offset, offset + limit)
      .map(copy);
  }

  async ofUser(userId: number, limit: number, offset: number): Promise<MembershipOf[]> {
    return [...this.#members.values()]
      .filter((m) => m.userId === userId)
      .sort((a, b) => (a.orgId < b.orgId ? -1 : 1))
      .slice(offset, offset + limit)
      .map((m) => ({ ...copy(m), organization: copy(this.#orgs.get(m.orgId)!) }));
  }

  async membership(orgId: string, userId: number): Promise<Membership | null> {
    const m = this.#members.get(byKey(orgId, userId));
    return m ? copy(m) : null;
  }

  async members(orgId: string, limit: number, offset: number): Promise<Membership[]> {
    return [...this.#members.values()]
      .filter((m) => m.orgId === orgId)
      .sort((a, b) => a.userId - b.userId)
      .slice(offset, offset + limit)
      .map(copy);
  }

  async addMember(member: Membership, events: readonly OutboxEvent[]): Promise<boolean> {
    const key = byKey(member.orgId, member.userId);
    if (this.#members.has(key) || !this.#orgs.has(member.orgId)) return false;
    this.#members.set(key, copy(member));
    this.events(events);
    return true;
  }

  #otherOwners(orgId: string, userId: number): number {
    return [...this.#members.values()].filter((m) => m.orgId === orgId && m.userId !== userId && m.roles.includes('owner')).length;
  }

  async setRoles(orgId: string, userId: number, roles: string[], at: number, events: readonly OutboxEvent[]): Promise<MemberChange> {
    const m = this.#members.get(byKey(orgId, userId));
    if (!m) return 'missing';
    if (m.roles.includes('owner') && !roles.includes('owner') && this.#otherOwners(orgId, userId) === 0) return 'last_owner';
    m.roles = [...roles];
    m.updatedAt = at;
    this.events(events);
    return 'done';
  }

  async removeMember(orgId: string, userId: number, events: readonly OutboxEvent[]): Promise<MemberChange> {
    const key = byKey(orgId, userId);
    const m = this.#members.get(key);
    if (!m) return 'missing';
    if (m.roles.includes('owner') && this.#otherOwners(orgId, userId) === 0) return 'last_owner';
    this.#members.delete(key);
    this.events(events);
    return 'done';
  }

  async soleOwnerships(userId: number): Promise<string[]> {
    return [...this.#members.values()]
      .filter((m) => m.userId === userId && m.roles.includes('owner') && this.#otherOwners(m.orgId, userId) === 0)
      .map((m) => m.orgId);
  }

  /** The account was deleted: its memberships go (a foreign-key cascade in SQL). */
  forgetUser(userId: number): void {
    for (const [key, m] of this.#members) if (m.userId === userId) this.#members.delete(key);
  }

  async roles(): Promise<CustomRole[]> {
    return [...this.#roles.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map(copy);
  }

  async putRole(role: CustomRole): Promise<void> {
    this.#roles.set(role.name, copy(role));
  }

  async removeRole(name: string): Promise<boolean> {
    if (!this.#roles.delete(name)) return false;
    for (const m of this.#members.values()) m.roles = m.roles.filter((r) => r !== name);
    for (const i of this.#invitations.values()) i.roles = i.roles.filter((r) => r !== name);
    return true;
  }

  async addInvitation(invitation: Invitation, events: readonly OutboxEvent[]): Promise<void> {
    this.#invitations.set(invitation.id, copy(invitation));
    this.events(events);
  }

  async invitations(orgId: string, now: number, limit: number, offset: number): Promise<Invitation[]> {
    return [...this.#invitations.values()]
      .filter((i) => i.orgId === orgId && i.expiresAt > now)
      .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1))
      .slice(offset, offset + limit)
      .map(copy);
  }

  async invitationsFor(email: string, now: number): Promise<Invitation[]> {
    return [...this.#invitations.values()].filter((i) => i.email === email && i.expiresAt > now).map(copy);
  }

  async invitationByHash(tokenHash: string): Promise<Invitation | null> {
    const found = [...this.#invitations.values()].find((i) => i.tokenHash === tokenHash);
    return found ? copy(found) : null;
  }

  async revokeInvitation(orgId: string, id: string, events: readonly OutboxEvent[]): Promise<boolean> {
    const i = this.#invitations.get(id);
    if (!i || i.orgId !== orgId) return false;
    this.#invitations.delete(id);
    this.events(events);
    return true;
  }

  async accept(tokenHash: string, userId: number, at: number, events: (membership: Membership) => readonly OutboxEvent[]): Promise<Membership | null> {
    const i = [...this.#invitations.values()].find((x) => x.tokenHash === tokenHash);
    if (!i || i.expiresAt <= at || !this.#orgs.has(i.orgId)) return null;
    // An accepted invitation is spent: it goes (a second accept finds nothing).
    this.#invitations.delete(i.id);
    const key = byKey(i.orgId, userId);
    const existing = this.#members.get(key);
    const membership: Membership = existing
      ? { ...existing, roles: normaliseRoles([...existing.roles, ...i.roles]), updatedAt: at }
      : { orgId: i.orgId, userId, roles: [...i.roles], createdAt: at, updatedAt: at };
    this.#members.set(key, membership);
    this.events(events(membership));
    return copy(membership);
  }
}
