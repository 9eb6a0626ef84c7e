import type {
  ClaimedDelivery,
  OutboxEvent,
  Settlement,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookSecret,
  WebhookStore,
} from '../../core/ports/webhook-store.ts';
import { currentFirst } from '../../core/ports/webhook-store.ts';

interface Held extends WebhookDelivery {
  claim: string | null;
}

/** Webhook endpoints and the outbox in memory; for unit tests and throwaway runs (nothing survives a restart). */
export class MemoryWebhookStore implements WebhookStore {
  readonly #endpoints = new Map<string, WebhookEndpoint>();
  readonly #secrets = new Map<string, WebhookSecret>();
  readonly #events = new Map<string, OutboxEvent>();
  readonly #deliveries = new Map<number, Held>();
  readonly #listeners: Array<() => void> = [];
  #nextId = 1;

  async addEndpoint(endpoint: WebhookEndpoint, secret: WebhookSecret): Promise<void> {
    if (this.#endpoints.has(endpoint.id)) throw new Error(`duplicate endpoint id ${endpoint.id}`);
    this.#endpoints.set(endpoint.id, structuredClone(endpoint));
    this.#secrets.set(secret.id, { ...secret });
  }

  async endpoints(): Promise<WebhookEndpoint[]> {
    return [...this.#endpoints.values()].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1)).map((e) => structuredClone(e));
  }

  async endpoint(id: string): Promise<WebhookEndpoint | null> {
    const e = this.#endpoints.get(id);
    return e ? structuredClone(e) : null;
  }

  async setEnabled(id: string, enabled: boolean, reason: string | null, at: number): Promise<boolean> {
    const e = this.#endpoints.get(id);
    if (!e) return false;
    Object.assign(e, { enabled, disabledReason: enabled ? null : reason, failingSince: null, updatedAt: at });
    return true;
  }

  async disableIfEnabled(id: string, reason: string, at: number): Promise<boolean> {
    const e = this.#endpoints.get(id);
    if (!e?.enabled) return false;
    Object.assign(e, { enabled: false, disabledReason: reason, updatedAt: at });
    return true;
  }

  async markFailing(id: string, at: number): Promise<number | null> {
    const e = this.#endpoints.get(id);
    if (!e) return null;
    e.failingSince ??= at;
    return e.failingSince;
  }

  async markHealthy(id: string): Promise<void> {
    const e = this.#endpoints.get(id);
    if (e) e.failingSince = null;
  }

  async removeEndpoint(id: string): Promise<boolean> {
    if (!this.#endpoints.delete(id)) return false;
    for (const [key, s] of this.#secrets) if (s.endpointId === id) this.#secrets.delete(key);
    for (const [key, d] of this.#deliveries) if (d.endpointId === id) this.#deliveries.delete(key);
    return true;
  }

  async secrets(endpointId: string, now: number): Promise<WebhookSecret[]> {
    return [...this.#secrets.values()]
      .filter((s) => s.endpointId === endpointId && (s.expiresAt === null || s.expiresAt > now))
      .sort(currentFirst)
      .map((s) => ({ ...s }));
  }

  async rotateSecret(secret: WebhookSecret, retireAt: number): Promise<boolean> {
    if (!this.#endpoints.has(secret.endpointId)) return false;
    for (const [key, s] of this.#secrets) {
      if (s.endpointId !== secret.endpointId) continue;
      if (s.expiresAt !== null && s.expiresAt <= secret.createdAt) this.#secrets.delete(key);
      else if (s.expiresAt === null) s.expiresAt = retireAt;
    }
    this.#secrets.set(secret.id, { ...secret });
    return true;
  }

  /** Adds events and their deliveries at once (the memory store's "transaction"). */
  write(events: readonly OutboxEvent[], endpointId?: string): void {
    for (const event of events) {
      this.#events.set(event.id, { ...event });
      for (const e of this.#endpoints.values()) {
        const wanted = endpointId === undefined ? e.eventTypes.length === 0 || e.eventTypes.includes(event.type) : e.id === endpointId;
        if (!e.enabled || !wanted) continue;
        const id = this.#nextId++;
        this.#deliveries.set(id, {
          id,
          eventId: event.id,
          eventType: event.type,
          endpointId: e.id,
          status: 'pending',
          attempts: 0,
          nextAttemptAt: event.createdAt,
          lastAttemptAt: null,
          lastStatus: null,
          lastError: null,
          lastDurationMs: null,
          createdAt: event.createdAt,
          claim: null,
        });
      }
    }
    if (events.length > 0) queueMicrotask(() => this.notify());
  }

  notify(): void {
    for (const listener of this.#listeners) listener();
  }

  async publish(events: readonly OutboxEvent[], endpointId?: string): Promise<void> {
    this.write(events, endpointId);
  }

  onPublished(listener: () => void): void {
    this.#listeners.push(listener);
  }

  async claim(now: number, leaseUntil: number, limit: number, claim: string): Promise<ClaimedDelivery[]> {
    const due = [...this.#deliveries.values()]
      .filter((d) => d.status === 'pending' && d.nextAttemptAt !== null && d.nextAttemptAt <= now && this.#endpoints.get(d.endpointId)?.enabled)
      .sort((a, b) => a.nextAttemptAt! - b.nextAttemptAt!)
      .slice(0, limit);
    return due.map((d) => {
      Object.assign(d, { claim, nextAttemptAt: leaseUntil });
      const { claim: _, ...delivery } = d;
      const endpoint = this.#endpoints.get(d.endpointId)!;
      return { ...delivery, claim, url: endpoint.url, body: this.#events.get(d.eventId)!.body, endpointFailing: endpoint.failingSince !== null };
    });
  }

  async settle(id: number, claim: string, s: Settlement): Promise<boolean> {
    const d = this.#deliveries.get(id);
    if (!d || d.claim !== claim) return false;
    Object.assign(d, {
      status: s.status,
      attempts: d.attempts + 1,
      nextAttemptAt: s.nextAttemptAt,
      claim: null,
      lastAttemptAt: s.at,
      lastStatus: s.responseStatus,
      lastError: s.error,
      lastDurationMs: Math.round(s.durationMs),
    });
    return true;
  }

  async deliveries(endpointId: string, limit: number): Promise<WebhookDelivery[]> {
    return [...this.#deliveries.values()]
      .filter((d) => d.endpointId === endpointId)
      .sort((a, b) => b.id - a.id)
      .slice(0, limit)
      .map(({ claim: _, ...d }) => d);
  }

  async delivery(id: number): Promise<WebhookDelivery | null> {
    const d = this.#deliveries.get(id);
    if (!d) return null;
    const { claim: _, ...delivery } = d;
    return delivery;
  }

  async replay(id: number, now: number): Promise<boolean> {
    const d = this.#deliveries.get(id);
    if (!d) return false;
    Object.assign(d, { status: 'pending', nextAttemptAt: now, claim: null });
    queueMicrotask(() => this.notify());
    return true;
  }

  async pendingCount(): Promise<number> {
    return [...this.#deliveries.values()].filter((d) => d.status === 'pending').length;
  }

  async purge(finishedBefore: number, orphanedBefore: number): Promise<number> {
    let n = 0;
    for (const [id, d] of this.#deliveries)
      if (d.status !== 'pending' && d.createdAt < finishedBefore) {
        this.#deliveries.delete(id);
        n++;
      }
    const referenced = new Set([...this.#deliveries.values()].map((d) => d.eventId));
    for (const [id, e] of this.#events)
      if (e.createdAt < orphanedBefore && !referenced.has(id)) {
        this.#events.delete(id);
        n++;
      }
    return n;
  }
}
