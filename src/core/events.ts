import type { Clock } from './ports/clock.ts';
import type { IdSource } from './ports/ids.ts';
import type { User } from './ports/user-store.ts';
import type { EventsOf, OutboxEvent, WebhookStore } from './ports/webhook-store.ts';
import { rfc3339, type UserView, userView } from './user-view.ts';

/**
 * The events an app can subscribe to: when each is sent, and what its `data`
 * holds beside `user` (an example). Every body is `{type, timestamp, data}`;
 * `data.user` is the account as the staff API shows it (core/user-view.ts).
 * docs/webhooks.md and the OpenAPI document's `webhooks` are written from this
 * table (a test compares).
 */
export const EVENT_TYPES = {
  'user.created': { when: 'an account was made: a registration on any path, `gatehouse users create`, an import', data: {} },
  'user.updated': {
    when: "an account's profile, email, verified flags or roles changed; `changed` names the fields (the staff API's names)",
    data: { changed: ['email', 'is_email_verified'] },
  },
  'user.deleted': { when: 'an account was deleted; `user` as it was', data: {} },
  'user.disabled': { when: 'an account was disabled: it cannot sign in, its tokens are refused', data: {} },
  'user.enabled': { when: 'a disabled account was enabled again', data: {} },
  'user.locked': { when: 'wrong passwords or codes locked an account until `locked_until`', data: { locked_until: '2026-01-01T12:15:00Z' } },
  'email.verified': { when: "an account's email address was verified (its owner's link or code, or staff)", data: {} },
  'phone.verified': { when: "an account's phone number was verified", data: {} },
  'password.changed': { when: "an account's password changed: by its owner, a reset link, or an operator", data: {} },
  'mfa.enrolled': { when: 'a second factor was added; `factor` is `totp` or `passkey`', data: { factor: 'totp' } },
  'mfa.removed': { when: 'a second factor was removed; `factor` is `totp`, `passkey`, or `all` (an operator reset)', data: { factor: 'passkey' } },
  'session.revoked': {
    when: "an account's sessions were ended at once: sign-out everywhere, a new password or factor, enabling again, staff; `current_kept` when the session that asked stays",
    data: { sessions_ended: 3, current_kept: false },
  },
  'organization.created': {
    when: 'an organisation was made; `actor` is the account that made it (its first owner)',
    data: { actor: 'c1d2e3f4-0000-4000-8000-000000000001' },
  },
  'organization.updated': {
    when: "an organisation's name or slug changed; `changed` names the fields",
    data: { actor: 'c1d2e3f4-0000-4000-8000-000000000001', changed: ['name'] },
  },
  'organization.deleted': {
    when: 'an organisation was deleted with its memberships and invitations; `organization` as it was',
    data: { actor: 'c1d2e3f4-0000-4000-8000-000000000001' },
  },
  'organization.member.added': {
    when: 'an account joined an organisation (an accepted invitation, or an operator); `member` is its uuid, `roles` its roles there',
    data: { actor: 'c1d2e3f4-0000-4000-8000-000000000001', member: 'd4e5f6a7-0000-4000-8000-000000000002', roles: ['admin'] },
  },
  'organization.member.updated': {
    when: "a member's roles in an organisation changed; `roles` are the new ones",
    data: { actor: 'c1d2e3f4-0000-4000-8000-000000000001', member: 'd4e5f6a7-0000-4000-8000-000000000002', roles: ['member'] },
  },
  'organization.member.removed': {
    when: 'a member left or was removed (`actor` is the member when it left)',
    data: { actor: 'c1d2e3f4-0000-4000-8000-000000000001', member: 'd4e5f6a7-0000-4000-8000-000000000002', roles: ['member'] },
  },
  'organization.invitation.created': {
    when: 'an invitation to an organisation was mailed',
    data: { actor: 'c1d2e3f4-0000-4000-8000-000000000001', invitation: 'inv_3nqvU0lQ1XwKc2Yb', email: 'bob@example.com', roles: ['admin'] },
  },
  'organization.invitation.revoked': {
    when: 'an invitation not yet accepted was revoked',
    data: { actor: 'c1d2e3f4-0000-4000-8000-000000000001', invitation: 'inv_3nqvU0lQ1XwKc2Yb', email: 'bob@example.com', roles: ['admin'] },
  },
  'webhook.test': {
    when: 'sent by `gatehouse webhooks test`, the staff API and the console, to one endpoint only; no `user`',
    data: { endpoint_id: 'ep_3nqvU0lQ1XwKc2Yb', message: 'a test event sent by an operator' },
  },
} as const satisfies Record<string, { when: string; data: Record<string, unknown> }>;

export type EventType = keyof typeof EVENT_TYPES;

export const isEventType = (type: string): type is EventType => Object.hasOwn(EVENT_TYPES, type);

/** What an event says beside the account. */
export type EventData = Record<string, unknown>;

/**
 * Makes events and writes them to the outbox. A change stored in the database
 * passes `of(…)` to its store call, so the events are written in the same
 * transaction as the change; a change whose state lives elsewhere (sessions
 * and lockouts in Redis) calls `publish` once the change is made and before
 * its answer is sent.
 */
export class Events {
  readonly #ids: IdSource;
  readonly #clock: Clock;
  readonly #store: Pick<WebhookStore, 'publish'>;

  constructor(deps: { ids: IdSource; clock: Clock; store: Pick<WebhookStore, 'publish'> }) {
    this.#ids = deps.ids;
    this.#clock = deps.clock;
    this.#store = deps.store;
  }

  /** One event: a fresh id (`msg_…`, the `webhook-id` of every attempt) and its body. */
  make(type: EventType, data: EventData): OutboxEvent {
    const at = this.#clock.now();
    return { id: `msg_${this.#ids.token(18)}`, type, createdAt: at, body: JSON.stringify({ type, timestamp: rfc3339(at), data }) };
  }

  /** An event about an account, `data.user` from the record as written. */
  about(type: EventType, user: User, extra: EventData = {}): OutboxEvent {
    return this.make(type, { user: userView(user), ...extra });
  }

  /** For a store call: these events about the account it writes, in its transaction. */
  of(...events: Array<EventType | [EventType, EventData]>): EventsOf<User> {
    return (user) => events.map((e) => (typeof e === 'string' ? this.about(e, user) : this.about(e[0], user, e[1])));
  }

  /** Writes events on their own: for changes not stored in the database, once made and before the answer. */
  publish(...events: OutboxEvent[]): Promise<void> {
    return this.#store.publish(events);
  }
}

/** An organisation as webhooks show it (`data.organization`). */
export interface OrganizationEventView {
  id: string;
  name: string;
  slug: string;
}

/** Organisation events carry `organization` (and uuids of accounts) instead of `user`. */
export const isOrganizationEvent = (type: EventType): boolean => type.startsWith('organization.');

const EXAMPLE_ORGANIZATION: OrganizationEventView = { id: '5f1e2d3c-0000-4000-8000-00000000a000', name: 'Acme', slug: 'acme' };

/** The account every example body shows. */
const EXAMPLE_USER: UserView = {
  id: 42,
  uuid: '0b6c7a52-3a1d-4f0e-9b8e-2f4d5c6a7b8c',
  email: 'ada@example.com',
  username: 'ada',
  full_name: 'Ada Lovelace',
  status: 'active',
  is_email_verified: true,
  is_phone_verified: false,
  is_superuser: false,
  is_staff: false,
  created_at: '2026-01-01T11:58:00Z',
  last_login_at: null,
  login_count: 0,
};

/** One example body of each type (docs/webhooks.md, the OpenAPI document). */
export function exampleBody(type: EventType): { type: EventType; timestamp: string; data: Record<string, unknown> } {
  const { data } = EVENT_TYPES[type];
  const subject = type === 'webhook.test' ? {} : isOrganizationEvent(type) ? { organization: EXAMPLE_ORGANIZATION } : { user: EXAMPLE_USER };
  return { type, timestamp: '2026-01-01T12:00:00Z', data: { ...subject, ...data } };
}
