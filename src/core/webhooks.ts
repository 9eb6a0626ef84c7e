import type { Audit } from './audit.ts';
import { fail } from './errors.ts';
import { type Events, isEventType, EVENT_TYPES } from './events.ts';
import type { Clock } from './ports/clock.ts';
import type { IdSource } from './ports/ids.ts';
import type { WebhookSender } from './ports/webhook-sender.ts';
import type { WebhookDelivery, WebhookEndpoint, WebhookStore } from './ports/webhook-store.ts';
import type { SecretBox } from './secret-box.ts';

/** How long a rotated-away secret keeps signing beside the new one: receivers have a day to switch. */
export const SECRET_OVERLAP_MS = 24 * 3600_000;

export interface NewEndpoint {
  url: string;
  /** The event types it wants; none: every type. */
  eventTypes?: readonly string[];
  description?: string;
}

/** The sealing context of a webhook secret: a sealed value copied into another row does not open there. */
export const webhookSecretContext = (secretId: string): string => `webhook-secret:${secretId}`;

/**
 * Webhook endpoints: where an app wants Gatehouse's events POSTed. A secret
 * (`whsec_…`, the Standard Webhooks format) is shown once and kept sealed, not
 * hashed: Gatehouse signs with it. Every change is audited.
 */
export class WebhookService {
  readonly #store: WebhookStore;
  readonly #box: SecretBox;
  readonly #clock: Clock;
  readonly #ids: IdSource;
  readonly #audit: Audit;
  readonly #events: Events;
  readonly #sender: Pick<WebhookSender, 'refusal'>;

  constructor(deps: {
    store: WebhookStore;
    box: SecretBox;
    clock: Clock;
    ids: IdSource;
    audit: Audit;
    events: Events;
    sender: Pick<WebhookSender, 'refusal'>;
  }) {
    this.#store = deps.store;
    this.#box = deps.box;
    this.#clock = deps.clock;
    this.#ids = deps.ids;
    this.#audit = deps.audit;
    this.#events = deps.events;
    this.#sender = deps.sender;
  }

  /** Adds an endpoint; its secret is in the answer only. */
  async add(input: NewEndpoint): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    const url = input.url.trim();
    const refused = url.length > 2048 ? 'at most 2048 characters' : this.#sender.refusal(url);
    if (refused) throw fail('VALIDATION_FAILED', `the URL cannot be delivered to: ${refused}`, 'url');
    const eventTypes = [...new Set(input.eventTypes ?? [])];
    for (const type of eventTypes)
      if (!isEventType(type) || type === 'webhook.test')
        throw fail('VALIDATION_FAILED', `not an event type: ${type} (one of ${Object.keys(EVENT_TYPES).join(', ')})`, 'events');
    const description = (input.description ?? '').trim();
    if (description.length > 200) throw fail('VALIDATION_FAILED', 'the description is at most 200 characters', 'description');
    const now = this.#clock.now();
    const endpoint: WebhookEndpoint = {
      id: `ep_${this.#ids.token(12)}`,
      url,
      description,
      eventTypes,
      enabled: true,
      disabledReason: null,
      failingSince: null,
      createdAt: now,
      updatedAt: now,
    };
    const { secret, stored } = this.#newSecret(endpoint.id, now);
    await this.#store.addEndpoint(endpoint, stored);
    await this.#audit.record('webhook.added', null, endpoint.id);
    return { endpoint, secret };
  }

  /** `whsec_` and 32 random bytes in base64: the Standard Webhooks secret format every library reads. */
  #newSecret(endpointId: string, now: number) {
    const secret = `whsec_${Buffer.from(this.#ids.token(32), 'base64url').toString('base64')}`;
    const id = `wsk_${this.#ids.token(12)}`;
    return { secret, stored: { id, endpointId, sealedSecret: this.#box.seal(secret, webhookSecretContext(id)), createdAt: now, expiresAt: null } };
  }

  list(): Promise<WebhookEndpoint[]> {
    return this.#store.endpoints();
  }

  /** The endpoint; NOT_FOUND when there is none. */
  async find(id: string): Promise<WebhookEndpoint> {
    const endpoint = await this.#store.endpoint(id);
    if (!endpoint) throw fail('NOT_FOUND', 'no webhook endpoint has this id');
    return endpoint;
  }

  async remove(id: string): Promise<void> {
    if (!(await this.#store.removeEndpoint(id))) throw fail('NOT_FOUND', 'no webhook endpoint has this id');
    await this.#audit.record('webhook.removed', null, id);
  }

  /** A new secret, shown once; the old one signs beside it for {@link SECRET_OVERLAP_MS}. */
  async rotateSecret(id: string): Promise<string> {
    const now = this.#clock.now();
    const { secret, stored } = this.#newSecret(id, now);
    if (!(await this.#store.rotateSecret(stored, now + SECRET_OVERLAP_MS))) throw fail('NOT_FOUND', 'no webhook endpoint has this id');
    await this.#audit.record('webhook.secret_rotated', null, id);
    return secret;
  }

  /** Enables an endpoint again (after a 410 or a day of failures), or disables it; its waiting deliveries resume when enabled. */
  async setEnabled(id: string, enabled: boolean): Promise<WebhookEndpoint> {
    if (!(await this.#store.setEnabled(id, enabled, 'operator', this.#clock.now()))) throw fail('NOT_FOUND', 'no webhook endpoint has this id');
    await this.#audit.record(enabled ? 'webhook.enabled' : 'webhook.disabled', null, id);
    return this.find(id);
  }

  /** Sends a `webhook.test` event to this endpoint only; returns its id (the `webhook-id`). */
  async test(id: string): Promise<string> {
    const endpoint = await this.find(id);
    if (!endpoint.enabled) throw fail('VALIDATION_FAILED', 'the endpoint is disabled: enable it first', 'id');
    const event = this.#events.make('webhook.test', { endpoint_id: id, message: 'a test event sent by an operator' });
    await this.#store.publish([event], id);
    await this.#audit.record('webhook.tested', null, id);
    return event.id;
  }

  /** An endpoint's recent deliveries, newest first. */
  async deliveries(id: string, limit = 50): Promise<WebhookDelivery[]> {
    await this.find(id);
    return this.#store.deliveries(id, limit);
  }

  /** Sends a delivery again now (same `webhook-id`), whatever became of it. */
  async replay(endpointId: string, deliveryId: number): Promise<WebhookDelivery> {
    const found = await this.#store.delivery(deliveryId);
    if (found?.endpointId !== endpointId || !(await this.#store.replay(deliveryId, this.#clock.now())))
      throw fail('NOT_FOUND', 'this endpoint has no delivery with this id');
    const delivery = (await this.#store.delivery(deliveryId))!;
    await this.#audit.record('webhook.replayed', null, `${delivery.endpointId} ${delivery.eventId}`);
    return delivery;
  }

  /** Deliveries waiting (the outbox depth, for metrics). */
  pending(): Promise<number> {
    return this.#store.pendingCount();
  }
}
