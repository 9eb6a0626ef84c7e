import type { Audit } from '../audit.ts';
import { fail } from '../errors.ts';
import type { EventData, EventType, Events } from '../events.ts';
import type { Clock } from '../ports/clock.ts';
import type { IdSource } from '../ports/ids.ts';
import type { Organization, OrganizationStore } from '../ports/organization-store.ts';
import type { User, UserStore } from '../ports/user-store.ts';
import type { OutboxEvent } from '../ports/webhook-store.ts';
import type { RoleCatalog } from './roles.ts';

/** Who acts: a signed-in account (its roles in the organisation decide), or null for the operator (`gatehouse orgs`), who may do anything. */
export type Actor = User | null;

/** What the organisation services share. */
export interface OrgDeps {
  store: OrganizationStore;
  users: Pick<UserStore, 'findById' | 'findByUuid' | 'findByEmail'>;
  roles: RoleCatalog;
  audit: Audit;
  events: Events;
  clock: Clock;
  ids: IdSource;
}

/** An organisation as reached by an actor: its roles there (the operator's are the owner's). */
export interface Reached {
  org: Organization;
  roles: string[];
}

/** The organisation, if the actor is a member (or the operator); a non-member is told it does not exist (404). */
export async function reach(store: OrganizationStore, orgId: string, actor: Actor): Promise<Reached> {
  const org = await store.get(orgId);
  if (!org) throw fail('NOT_FOUND', 'no such organisation');
  if (actor === null) return { org, roles: ['owner'] };
  const membership = await store.membership(orgId, actor.id);
  if (!membership) throw fail('NOT_FOUND', 'no such organisation');
  return { org, roles: membership.roles };
}

/** An organisation event: `organization`, the actor's uuid (null: the operator), and what else it says. */
export function orgEvent(events: Events, type: EventType, org: Organization, actor: Actor, extra: EventData = {}): OutboxEvent {
  return events.make(type, { organization: { id: org.id, name: org.name, slug: org.slug }, actor: actor?.uuid ?? null, ...extra });
}

/** The audit's detail of an organisation change: the organisation first, then what changed. */
export const orgDetail = (org: Organization, more = ''): string => `org=${org.id}${more ? ` ${more}` : ''}`;
