/**
 * One event in the outbox: its id (the `webhook-id` every attempt of it
 * carries, to every endpoint), its type and the body every attempt sends.
 */
export interface OutboxEvent {
  id: string;
  type: string;
  createdAt: number;
  /** The JSON body `{type, timestamp, data}`, exactly as signed and sent. */
  body: string;
}

/**
 * The events a write adds to the outbox in the same transaction, made from the
 * record it wrote (the account as stored, with its id): a change is never
 * stored without its events, nor an event without its change.
 */
export type EventsOf<T> = (written: T) => readonly OutboxEvent[];

/** Where an app wants Gatehouse's events POSTed. */
export interface WebhookEndpoint {
  /** `ep_…` */
  id: string;
  url: string;
  description: string;
  /** The event types it wants; empty: every type. */
  eventTypes: string[];
  enabled: boolean;
  /** Why it was disabled (`gone`: the receiver answered 410; `failing`: 24 h of failures; `operator`). */
  disabledReason: string | null;
  /** Since when every attempt to it has failed; null after a success. */
  failingSince: number | null;
  createdAt: number;
  updatedAt: number;
}

/** A signing secret of an endpoint, sealed with the secret box (context `webhook-secret:<id>`). */
export interface WebhookSecret {
  /** `wsk_…` */
  id: string;
  endpointId: string;
  sealedSecret: string;
  createdAt: number;
  /** null: the current secret; else when a rotated-away secret stops signing. */
  expiresAt: number | null;
}

/** The current secret first, then the others newest first: the order signatures are sent in. */
export const currentFirst = (a: WebhookSecret, b: WebhookSecret): number =>
  (a.expiresAt === null ? 0 : 1) - (b.expiresAt === null ? 0 : 1) || b.createdAt - a.createdAt;

/** `pending`: waiting for its next attempt (or in flight); `delivered`: a 2xx; `failed`: out of attempts, or the receiver answered 410. */
export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One event for one endpoint, and how its attempts went. */
export interface WebhookDelivery {
  id: number;
  eventId: string;
  eventType: string;
  endpointId: string;
  status: DeliveryStatus;
  /** Attempts finished so far. */
  attempts: number;
  /** When it is due (pending), or when an attempt in flight may be taken over; null once finished. */
  nextAttemptAt: number | null;
  lastAttemptAt: number | null;
  /** The HTTP status of the last answer; null when there was none (refused, timed out). */
  lastStatus: number | null;
  /** Why the last attempt failed without an answer (never a secret). */
  lastError: string | null;
  lastDurationMs: number | null;
  createdAt: number;
}

/** A delivery taken for an attempt by one instance: what to send where. */
export interface ClaimedDelivery extends WebhookDelivery {
  /** The claim's token: only its holder settles the attempt. */
  claim: string;
  url: string;
  body: string;
  /** Whether the endpoint was failing when claimed: only then does a delivery mark it healthy again. */
  endpointFailing: boolean;
}

/** How an attempt ended and what follows. */
export interface Settlement {
  at: number;
  status: DeliveryStatus;
  nextAttemptAt: number | null;
  responseStatus: number | null;
  error: string | null;
  durationMs: number;
}

/** Endpoints, their secrets, and the outbox of events and deliveries (durable: SQL or memory, never Redis alone). */
export interface WebhookStore {
  addEndpoint(endpoint: WebhookEndpoint, secret: WebhookSecret): Promise<void>;
  /** Every endpoint, oldest first. */
  endpoints(): Promise<WebhookEndpoint[]>;
  endpoint(id: string): Promise<WebhookEndpoint | null>;
  /** Enables (clearing the reason and the failing time) or disables; false when there is no such endpoint. */
  setEnabled(id: string, enabled: boolean, reason: string | null, at: number): Promise<boolean>;
  /** Disables an enabled endpoint: true for exactly one caller (it reports it). */
  disableIfEnabled(id: string, reason: string, at: number): Promise<boolean>;
  /** An attempt failed: the endpoint's failing time, set now if it was not failing. */
  markFailing(id: string, at: number): Promise<number | null>;
  /** An attempt succeeded: the endpoint is no longer failing. */
  markHealthy(id: string): Promise<void>;
  /** Removes the endpoint with its secrets and deliveries; false when there was none. */
  removeEndpoint(id: string): Promise<boolean>;

  /** The secrets that sign now (current first, then rotated-away ones not expired at `now`). */
  secrets(endpointId: string, now: number): Promise<WebhookSecret[]>;
  /** A new current secret; the current one keeps signing until `retireAt`; expired ones go. False when there is no such endpoint. */
  rotateSecret(secret: WebhookSecret, retireAt: number): Promise<boolean>;

  /**
   * Adds events to the outbox on their own (changes whose state is not in the
   * database: sessions and lockouts in Redis; test events), each with one
   * delivery per enabled endpoint that wants its type — or for `endpointId`
   * alone, whatever types it wants (a test event).
   */
  publish(events: readonly OutboxEvent[], endpointId?: string): Promise<void>;
  /** Called after any write that put events in the outbox commits (in this process). */
  onPublished(listener: () => void): void;

  /**
   * Takes up to `limit` due deliveries of enabled endpoints for an attempt:
   * each is taken by exactly one caller, whatever the number of instances, and
   * becomes due again at `leaseUntil` unless settled first.
   */
  claim(now: number, leaseUntil: number, limit: number, claim: string): Promise<ClaimedDelivery[]>;
  /** Records an attempt; false when the claim was lost (taken over or replayed). */
  settle(id: number, claim: string, settlement: Settlement): Promise<boolean>;
  /** An endpoint's deliveries, newest first. */
  deliveries(endpointId: string, limit: number): Promise<WebhookDelivery[]>;
  delivery(id: number): Promise<WebhookDelivery | null>;
  /** Makes a delivery due at `now` again (whatever its status); false when there is none. */
  replay(id: number, now: number): Promise<boolean>;
  /** Deliveries waiting (the outbox depth). */
  pendingCount(): Promise<number>;
  /** Forgets finished deliveries made before `finishedBefore`, and events made before `orphanedBefore` that have no delivery left. */
  purge(finishedBefore: number, orphanedBefore: number): Promise<number>;
}
