import type { Clock } from './ports/clock.ts';
import type { IdSource } from './ports/ids.ts';
import type { User } from './ports/user-store.ts';
import type { EventsOf, OutboxEvent, WebhookStore } from './ports/webhook-store.ts';
import { rfc3339, userView } from './user-view.ts';

/**
 * The events an app can subscribe to, and when each is sent. Every body is
 * `{type, timestamp, data}`; `data.user` is the account as the staff API shows
 * it (core/user-view.ts). docs/webhooks.md and the OpenAPI document's
 * `webhooks` are written from this table (a test compares).
 */
export const EVENT_TYPES = {
  'user.created': 'an account was made: a registration on any path, `gatehouse users create`, an import',
  'user.updated': "an account's profile, email or roles changed (`data.changed` names the fields)",
  'user.deleted': 'an account was deleted (`data.user` as it was)',
  'user.disabled': 'an account was disabled: it cannot sign in, its tokens are refused',
  'user.enabled': 'a disabled account was enabled again',
  'user.locked': 'too many wrong passwords or codes locked an account for a while (`data.locked_until`)',
  'email.verified': "an account's email address was verified (by its owner's link or code, or by staff)",
  'phone.verified': "an account's phone number was verified",
  'password.changed': "an account's password changed: by its owner, a reset link, or an operator",
  'mfa.enrolled': 'a second factor was added (`data.factor`: `totp` or `passkey`)',
  'mfa.removed': 'a second factor was removed (`data.factor`: `totp`, `passkey`, or `all` for an operator reset)',
  'session.revoked': 'sessions of an account were ended all at once (`data.sessions_ended`): sign-out everywhere, a password change, disabling, staff',
  'webhook.test': 'sent by `gatehouse webhooks test`, the staff API and the console, to one endpoint only',
} as const;

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
