import { createHash } from 'node:crypto';
import { invitationMail } from '../../texts/mail.ts';
import { fail } from '../errors.ts';
import type { Lockout } from '../lockout.ts';
import type { Mailer } from '../ports/mailer.ts';
import type { Invitation, Membership, Organization } from '../ports/organization-store.ts';
import type { User } from '../ports/user-store.ts';
import { type Actor, type OrgDeps, orgDetail, orgEvent, reach } from './access.ts';
import { demand, demandOwnerFor } from './rules.ts';

/** Seven days, as Logto's and Keycloak's invitation links. */
export const INVITATION_TTL_MS = 7 * 86_400_000;

export interface InvitationSettings {
  /** The hosted accept page; `{token}` is replaced. */
  acceptUrlTemplate: string;
}

export const DEFAULT_INVITATIONS: InvitationSettings = { acceptUrlTemplate: 'http://127.0.0.1:8000/account/invitations?token={token}' };

const sha256 = (token: string) => createHash('sha256').update(token).digest('base64url');

/** A plausible address, lower-cased (the exact check is the verified address at acceptance). */
function checkEmail(email: string): string {
  const lower = email.trim().toLowerCase();
  if (lower.length > 254 || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(lower)) throw fail('VALIDATION_FAILED', 'not an email address', 'email');
  return lower;
}

/**
 * Invitations: mailed with a link to the hosted accept page, the token kept
 * only as its hash, single use, for seven days; accepted only by an account
 * whose verified email is the invited address (a forwarded link lets no one
 * else in). Owners and admins invite (owners alone invite owners), at most
 * `org-invite`'s budget an hour per organisation, held in the attempt store
 * so parallel requests on any instance cannot pass it.
 */
export class Invitations {
  readonly #deps: OrgDeps;
  readonly #lockout: Lockout;
  readonly #mailer: Mailer;
  readonly #settings: InvitationSettings;

  constructor(deps: OrgDeps & { lockout: Lockout; mailer: Mailer }, settings: InvitationSettings = DEFAULT_INVITATIONS) {
    this.#deps = deps;
    this.#lockout = deps.lockout;
    this.#mailer = deps.mailer;
    this.#settings = settings;
  }

  async invite(orgId: string, input: { email: string; roles: readonly string[] }, actor: Actor): Promise<Invitation> {
    const { store, clock, ids, events, audit } = this.#deps;
    const { org, roles: actorRoles } = await reach(store, orgId, actor);
    demand(actorRoles, 'manage_invitations');
    const roles = await this.#deps.roles.check(input.roles);
    demandOwnerFor(actorRoles, [], roles);
    const email = checkEmail(input.email);
    // A slot of the organisation's hourly budget, kept: a mail asked for is a mail counted.
    const slot = await this.#lockout.reserve('org-invite', orgId);
    await slot.failed();
    const token = ids.token(32);
    const now = clock.now();
    const invitation: Invitation = {
      id: `inv_${ids.token(12)}`,
      orgId,
      email,
      roles,
      tokenHash: sha256(token),
      invitedBy: actor?.id ?? null,
      createdAt: now,
      expiresAt: now + INVITATION_TTL_MS,
    };
    await store.addInvitation(invitation, [orgEvent(events, 'organization.invitation.created', org, actor, { invitation: invitation.id, email, roles })]);
    await this.#mailer.send({ to: email, ...this.#mail(org, token) });
    await audit.record('org.invitation_sent', actor?.id ?? null, orgDetail(org, `invitation=${invitation.id} roles=${roles.join(',')}`), actor?.id ?? null);
    return invitation;
  }

  /** Pending invitations (owners and admins). */
  async list(orgId: string, actor: Actor, limit: number, offset: number): Promise<Invitation[]> {
    const { store, clock } = this.#deps;
    const { roles } = await reach(store, orgId, actor);
    demand(roles, 'manage_invitations');
    return store.invitations(orgId, clock.now(), limit, offset);
  }

  async revoke(orgId: string, id: string, actor: Actor): Promise<void> {
    const { store, events, audit, clock } = this.#deps;
    const { org, roles } = await reach(store, orgId, actor);
    demand(roles, 'manage_invitations');
    const invitation = (await store.invitations(orgId, clock.now(), 1000, 0)).find((i) => i.id === id);
    if (!invitation) throw fail('NOT_FOUND', 'no such invitation');
    demandOwnerFor(roles, [], invitation.roles);
    const event = orgEvent(events, 'organization.invitation.revoked', org, actor, { invitation: id, email: invitation.email, roles: invitation.roles });
    if (!(await store.revokeInvitation(orgId, id, [event]))) throw fail('NOT_FOUND', 'no such invitation');
    await audit.record('org.invitation_revoked', actor?.id ?? null, orgDetail(org, `invitation=${id}`), actor?.id ?? null);
  }

  /** What a link's token invites to, when it is still live (the accept page shows it before accepting). */
  async peek(token: string): Promise<{ invitation: Invitation; org: Organization } | null> {
    const { store, clock } = this.#deps;
    const invitation = await store.invitationByHash(sha256(token));
    if (!invitation || invitation.expiresAt <= clock.now()) return null;
    const org = await store.get(invitation.orgId);
    return org ? { invitation, org } : null;
  }

  /** Accepts with the mailed token: the account's verified email must be the invited address. */
  async accept(token: string, user: User): Promise<{ org: Organization; membership: Membership }> {
    const live = await this.peek(token);
    if (!live) throw fail('INVITATION_INVALID');
    return this.#spend(live.invitation, live.org, user);
  }

  /**
   * The invitee's answer on its own page (/account), by the invitation's id:
   * only an invitation to its verified address is found, so the address is
   * the proof, as the token is in the mail.
   */
  async answer(id: string, user: User, accept: boolean): Promise<Organization> {
    const { store, events, audit } = this.#deps;
    const invitation = (await this.pendingFor(user)).find((i) => i.id === id);
    const org = invitation ? await store.get(invitation.orgId) : null;
    if (!invitation || !org) throw fail('INVITATION_INVALID');
    if (accept) return (await this.#spend(invitation, org, user)).org;
    const event = orgEvent(events, 'organization.invitation.revoked', org, user, { invitation: id, email: invitation.email, roles: invitation.roles });
    if (!(await store.revokeInvitation(org.id, id, [event]))) throw fail('INVITATION_INVALID');
    await audit.record('org.invitation_revoked', user.id, orgDetail(org, `invitation=${id} declined`), user.id);
    return org;
  }

  async #spend(invitation: Invitation, org: Organization, user: User): Promise<{ org: Organization; membership: Membership }> {
    const { store, clock, events, audit } = this.#deps;
    if (user.email?.toLowerCase() !== invitation.email) throw fail('INVITATION_EMAIL_MISMATCH');
    if (!user.isEmailVerified) throw fail('EMAIL_NOT_VERIFIED');
    const membership = await store.accept(invitation.tokenHash, user.id, clock.now(), (joined) => [
      orgEvent(events, 'organization.member.added', org, user, { member: user.uuid, roles: joined.roles }),
    ]);
    if (!membership) throw fail('INVITATION_INVALID');
    await audit.record('org.invitation_accepted', user.id, orgDetail(org, `invitation=${invitation.id} roles=${membership.roles.join(',')}`), user.id);
    return { org, membership };
  }

  /** The organisation an invitation is to (null once it is gone). */
  organizationOf(invitation: Invitation): Promise<Organization | null> {
    return this.#deps.store.get(invitation.orgId);
  }

  /** Invitations waiting for this account's verified address (its /account page). */
  async pendingFor(user: User): Promise<Invitation[]> {
    if (!user.email || !user.isEmailVerified) return [];
    return this.#deps.store.invitationsFor(user.email.toLowerCase(), this.#deps.clock.now());
  }

  #mail(org: Organization, token: string) {
    const link = this.#settings.acceptUrlTemplate.replaceAll('{token}', encodeURIComponent(token));
    return invitationMail(org.name, link, INVITATION_TTL_MS / 86_400_000);
  }
}
