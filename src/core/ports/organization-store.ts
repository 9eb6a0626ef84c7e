import type { OutboxEvent } from './webhook-store.ts';

/** A customer of an app: its members and their roles. Addressed by uuid; the slug is unique. */
export interface Organization {
  id: string;
  name: string;
  slug: string;
  /** The account that made it (null when an operator did, or that account is gone). */
  createdBy: number | null;
  createdAt: number;
  updatedAt: number;
}

/** One account in one organisation, with its roles there (built-in and custom names). */
export interface Membership {
  orgId: string;
  userId: number;
  roles: string[];
  createdAt: number;
  updatedAt: number;
}

/** A membership with its organisation: "my organisations". */
export interface MembershipOf extends Membership {
  organization: Organization;
}

/** A named set of permissions an app defines (`invoices:read`); defined by superusers only. */
export interface CustomRole {
  name: string;
  description: string;
  permissions: string[];
  createdAt: number;
  updatedAt: number;
}

/** A mailed invitation: the token stored only as its hash, single use, until `expiresAt`. */
export interface Invitation {
  /** `inv_…` */
  id: string;
  orgId: string;
  /** Lower-cased. */
  email: string;
  roles: string[];
  tokenHash: string;
  invitedBy: number | null;
  createdAt: number;
  expiresAt: number;
}

/** How a change that could take an organisation's last owner away went. */
export type MemberChange = 'done' | 'missing' | 'last_owner';

/**
 * Organisations, memberships, custom roles and invitations. Every change that
 * takes `events` writes them to the webhook outbox in its own transaction,
 * only when it changed something. The last-owner rule is checked inside the
 * change's transaction (the organisation's row locked), so two owners demoting
 * each other at once leave one.
 */
export interface OrganizationStore {
  /** Makes the organisation with its first member (the owner); false when the slug is taken. */
  create(org: Organization, owner: Membership, events: readonly OutboxEvent[]): Promise<boolean>;
  get(id: string): Promise<Organization | null>;
  bySlug(slug: string): Promise<Organization | null>;
  /** Renames; `slug_taken` when another has the slug, null when there is no such organisation. */
  update(id: string, change: { name?: string; slug?: string }, at: number, events: readonly OutboxEvent[]): Promise<Organization | null | 'slug_taken'>;
  /** Deletes it with its memberships and invitations; false when there was none. */
  remove(id: string, events: readonly OutboxEvent[]): Promise<boolean>;
  /** Every organisation, by slug; `search` matches the name or the slug. */
  list(limit: number, offset: number, search?: string): Promise<Organization[]>;

  /** One account's memberships with their organisations (by organisation id). */
  ofUser(userId: number, limit: number, offset: number): Promise<MembershipOf[]>;
  membership(orgId: string, userId: number): Promise<Membership | null>;
  /** An organisation's members, by account id. */
  members(orgId: string, limit: number, offset: number): Promise<Membership[]>;
  /** Adds a member; false when the account already is one. */
  addMember(member: Membership, events: readonly OutboxEvent[]): Promise<boolean>;
  /** Sets a member's roles; `last_owner` when that would leave the organisation without an owner. */
  setRoles(orgId: string, userId: number, roles: string[], at: number, events: readonly OutboxEvent[]): Promise<MemberChange>;
  /** Removes a member; `last_owner` when it is the only owner. */
  removeMember(orgId: string, userId: number, events: readonly OutboxEvent[]): Promise<MemberChange>;
  /** The organisations this account is the only owner of (its deletion is refused while there are any). */
  soleOwnerships(userId: number): Promise<string[]>;

  /** The custom roles, by name. */
  roles(): Promise<CustomRole[]>;
  /** Defines a custom role or replaces its description and permissions. */
  putRole(role: CustomRole): Promise<void>;
  /** Removes a custom role, and takes it from every membership and invitation; false when there was none. */
  removeRole(name: string): Promise<boolean>;

  addInvitation(invitation: Invitation, events: readonly OutboxEvent[]): Promise<void>;
  /** An organisation's invitations not accepted nor expired at `now`, newest first. */
  invitations(orgId: string, now: number, limit: number, offset: number): Promise<Invitation[]>;
  /** Invitations for this address not accepted nor expired at `now`. */
  invitationsFor(email: string, now: number): Promise<Invitation[]>;
  invitationByHash(tokenHash: string): Promise<Invitation | null>;
  /** Deletes an invitation not yet accepted; false when there was none. */
  revokeInvitation(orgId: string, id: string, events: readonly OutboxEvent[]): Promise<boolean>;
  /**
   * Spends the invitation (one caller wins, whatever the number of parallel
   * accepts) and makes the account a member with its roles (added to the roles
   * it already has there); null when it was not live at `at`.
   */
  accept(tokenHash: string, userId: number, at: number, events: (membership: Membership) => readonly OutboxEvent[]): Promise<Membership | null>;
}
