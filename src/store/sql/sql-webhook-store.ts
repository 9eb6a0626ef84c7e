import { sql, type Kysely, type Selectable } from 'kysely';
import type {
  ClaimedDelivery,
  DeliveryStatus,
  OutboxEvent,
  Settlement,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookSecret,
  WebhookStore,
} from '../../core/ports/webhook-store.ts';
import { currentFirst } from '../../core/ports/webhook-store.ts';
import type { Dialect } from '../migrations/dialect.ts';
import type { Database, WebhookDeliveriesTable, WebhookEndpointsTable } from './schema.ts';

/** Tells this process's delivery loop that events were committed (other instances find them by polling). */
export class EventSignal {
  readonly #listeners: Array<() => void> = [];
  listen(listener: () => void): void {
    this.#listeners.push(listener);
  }
  notify(): void {
    for (const listener of this.#listeners) listener();
  }
}

/** `,a,b,` for a list of types ('' for all): one type is then one substring. */
export const typesColumn = (types: readonly string[]): string => (types.length === 0 ? '' : `,${types.join(',')},`);
const typesOf = (column: string): string[] => column.split(',').filter((t) => t !== '');

/**
 * Writes events and their deliveries with `db` — a transaction's handle when the
 * change they tell of is written in it: one delivery per enabled endpoint that
 * wants the type, chosen by the database in the same statement, so an endpoint
 * added or disabled at the same moment is either wholly in or wholly out.
 */
export async function writeEvents(db: Kysely<Database>, dialect: Dialect, events: readonly OutboxEvent[], endpointId?: string): Promise<void> {
  if (events.length === 0) return;
  await db
    .insertInto('webhook_events')
    .values(events.map((e) => ({ id: e.id, type: e.type, body: e.body, created_at: e.createdAt })))
    .execute();
  const contains = dialect === 'postgres' ? 'strpos' : 'instr';
  for (const e of events) {
    const wanted = endpointId === undefined ? sql`(event_types = '' OR ${sql.raw(contains)}(event_types, ${`,${e.type},`}) > 0)` : sql`id = ${endpointId}`;
    await sql`INSERT INTO webhook_deliveries (event_id, event_type, endpoint_id, status, attempts, next_attempt_at, created_at)
      SELECT ${e.id}, ${e.type}, id, 'pending', 0, ${e.createdAt}, ${e.createdAt} FROM webhook_endpoints
      WHERE enabled = 1 AND ${wanted}`.execute(db);
  }
}

const toEndpoint = (r: Selectable<WebhookEndpointsTable>): WebhookEndpoint => ({
  id: r.id,
  url: r.url,
  description: r.description,
  eventTypes: typesOf(r.event_types),
  enabled: Number(r.enabled) === 1,
  disabledReason: r.disabled_reason,
  failingSince: r.failing_since == null ? null : Number(r.failing_since),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

const toDelivery = (r: Selectable<WebhookDeliveriesTable>): WebhookDelivery => ({
  id: Number(r.id),
  eventId: r.event_id,
  eventType: r.event_type,
  endpointId: r.endpoint_id,
  status: r.status as DeliveryStatus,
  attempts: Number(r.attempts),
  nextAttemptAt: r.next_attempt_at == null ? null : Number(r.next_attempt_at),
  lastAttemptAt: r.last_attempt_at == null ? null : Number(r.last_attempt_at),
  lastStatus: r.last_status == null ? null : Number(r.last_status),
  lastError: r.last_error,
  lastDurationMs: r.last_duration_ms == null ? null : Number(r.last_duration_ms),
  createdAt: Number(r.created_at),
});

/** Webhook endpoints and the outbox in SQL. A claim is one conditional UPDATE: each due delivery goes to one caller. */
export class SqlWebhookStore implements WebhookStore {
  readonly #db: Kysely<Database>;
  readonly #dialect: Dialect;
  readonly #signal: EventSignal;

  constructor(db: Kysely<Database>, dialect: Dialect, signal: EventSignal) {
    this.#db = db;
    this.#dialect = dialect;
    this.#signal = signal;
  }

  async addEndpoint(e: WebhookEndpoint, secret: WebhookSecret): Promise<void> {
    await this.#db.transaction().execute(async (tx) => {
      await tx
        .insertInto('webhook_endpoints')
        .values({
          id: e.id,
          url: e.url,
          description: e.description,
          event_types: typesColumn(e.eventTypes),
          enabled: e.enabled ? 1 : 0,
          disabled_reason: e.disabledReason,
          failing_since: e.failingSince,
          created_at: e.createdAt,
          updated_at: e.updatedAt,
        })
        .execute();
      await tx.insertInto('webhook_secrets').values(secretRow(secret)).execute();
    });
  }

  async endpoints(): Promise<WebhookEndpoint[]> {
    return (await this.#db.selectFrom('webhook_endpoints').selectAll().orderBy('created_at').orderBy('id').execute()).map(toEndpoint);
  }

  async endpoint(id: string): Promise<WebhookEndpoint | null> {
    const r = await this.#db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toEndpoint(r) : null;
  }

  async setEnabled(id: string, enabled: boolean, reason: string | null, at: number): Promise<boolean> {
    const r = await this.#db
      .updateTable('webhook_endpoints')
      .set({ enabled: enabled ? 1 : 0, disabled_reason: enabled ? null : reason, failing_since: null, updated_at: at })
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async disableIfEnabled(id: string, reason: string, at: number): Promise<boolean> {
    const r = await this.#db
      .updateTable('webhook_endpoints')
      .set({ enabled: 0, disabled_reason: reason, updated_at: at })
      .where('id', '=', id)
      .where('enabled', '=', 1)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async markFailing(id: string, at: number): Promise<number | null> {
    const r = await this.#db
      .updateTable('webhook_endpoints')
      .set({ failing_since: sql<number>`COALESCE(failing_since, ${at})` })
      .where('id', '=', id)
      .returning('failing_since')
      .executeTakeFirst();
    return r?.failing_since == null ? null : Number(r.failing_since);
  }

  async markHealthy(id: string): Promise<void> {
    await this.#db.updateTable('webhook_endpoints').set({ failing_since: null }).where('id', '=', id).where('failing_since', 'is not', null).execute();
  }

  async removeEndpoint(id: string): Promise<boolean> {
    const r = await this.#db.deleteFrom('webhook_endpoints').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async secrets(endpointId: string, now: number): Promise<WebhookSecret[]> {
    const rows = await this.#db
      .selectFrom('webhook_secrets')
      .selectAll()
      .where('endpoint_id', '=', endpointId)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .execute();
    return rows.map(toSecret).sort(currentFirst);
  }

  async rotateSecret(secret: WebhookSecret, retireAt: number): Promise<boolean> {
    return this.#db.transaction().execute(async (tx) => {
      const found = await tx.selectFrom('webhook_endpoints').select('id').where('id', '=', secret.endpointId).executeTakeFirst();
      if (!found) return false;
      await tx.deleteFrom('webhook_secrets').where('endpoint_id', '=', secret.endpointId).where('expires_at', '<=', secret.createdAt).execute();
      await tx
        .updateTable('webhook_secrets')
        .set({ expires_at: retireAt })
        .where('endpoint_id', '=', secret.endpointId)
        .where('expires_at', 'is', null)
        .execute();
      await tx.insertInto('webhook_secrets').values(secretRow(secret)).execute();
      return true;
    });
  }

  async publish(events: readonly OutboxEvent[], endpointId?: string): Promise<void> {
    if (events.length === 0) return;
    await this.#db.transaction().execute((tx) => writeEvents(tx, this.#dialect, events, endpointId));
    this.#signal.notify();
  }

  onPublished(listener: () => void): void {
    this.#signal.listen(listener);
  }

  async claim(now: number, leaseUntil: number, limit: number, claim: string): Promise<ClaimedDelivery[]> {
    const due = this.#db
      .selectFrom('webhook_deliveries')
      .select('webhook_deliveries.id')
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('webhook_endpoints')
            .select('webhook_endpoints.id')
            .whereRef('webhook_endpoints.id', '=', 'webhook_deliveries.endpoint_id')
            .where('webhook_endpoints.enabled', '=', 1),
        ),
      )
      .orderBy('next_attempt_at')
      .limit(limit);
    const taken =
      this.#dialect === 'postgres'
        ? // The rows chosen once, in a CTE (an IN (… LIMIT) subquery may be run again by the planner), locked, and rows
          // another instance is claiming right now skipped rather than waited for.
          await this.#db
            .with('due', () => due.forUpdate().skipLocked())
            .updateTable('webhook_deliveries')
            .from('due')
            .set({ claim, next_attempt_at: leaseUntil })
            .whereRef('webhook_deliveries.id', '=', 'due.id')
            .returningAll('webhook_deliveries')
            .execute()
        : // SQLite: one writer at a time, so the UPDATE is the claim.
          await this.#db
            .updateTable('webhook_deliveries')
            .set({ claim, next_attempt_at: leaseUntil })
            .where('id', 'in', due)
            .where('status', '=', 'pending')
            .where('next_attempt_at', '<=', now)
            .returningAll()
            .execute();
    if (taken.length === 0) return [];
    const [events, endpoints] = await Promise.all([
      this.#db
        .selectFrom('webhook_events')
        .select(['id', 'body'])
        .where('id', 'in', [...new Set(taken.map((d) => d.event_id))])
        .execute(),
      this.#db
        .selectFrom('webhook_endpoints')
        .select(['id', 'url', 'failing_since'])
        .where('id', 'in', [...new Set(taken.map((d) => d.endpoint_id))])
        .execute(),
    ]);
    const bodies = new Map(events.map((e) => [e.id, e.body]));
    const targets = new Map(endpoints.map((e) => [e.id, e]));
    return taken.flatMap((d) => {
      const body = bodies.get(d.event_id);
      const target = targets.get(d.endpoint_id);
      // Removed between the claim and this read: nothing to send.
      return body === undefined || target === undefined
        ? []
        : [{ ...toDelivery(d), claim, body, url: target.url, endpointFailing: target.failing_since != null }];
    });
  }

  async settle(id: number, claim: string, s: Settlement): Promise<boolean> {
    const r = await this.#db
      .updateTable('webhook_deliveries')
      .set({
        status: s.status,
        attempts: sql<number>`attempts + 1`,
        next_attempt_at: s.nextAttemptAt,
        claim: null,
        last_attempt_at: s.at,
        last_status: s.responseStatus,
        last_error: s.error,
        last_duration_ms: Math.round(s.durationMs),
      })
      .where('id', '=', id)
      .where('claim', '=', claim)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async deliveries(endpointId: string, limit: number): Promise<WebhookDelivery[]> {
    const rows = await this.#db.selectFrom('webhook_deliveries').selectAll().where('endpoint_id', '=', endpointId).orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toDelivery);
  }

  async delivery(id: number): Promise<WebhookDelivery | null> {
    const r = await this.#db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toDelivery(r) : null;
  }

  async replay(id: number, now: number): Promise<boolean> {
    const r = await this.#db
      .updateTable('webhook_deliveries')
      .set({ status: 'pending', next_attempt_at: now, claim: null })
      .where('id', '=', id)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return false;
    this.#signal.notify();
    return true;
  }

  async pendingCount(): Promise<number> {
    const r = await this.#db
      .selectFrom('webhook_deliveries')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('status', '=', 'pending')
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async purge(finishedBefore: number, orphanedBefore: number): Promise<number> {
    const finished = await this.#db
      .deleteFrom('webhook_deliveries')
      .where('status', '!=', 'pending')
      .where('created_at', '<', finishedBefore)
      .executeTakeFirst();
    // An event no endpoint wanted, or whose deliveries are all gone: written in the same transaction as its deliveries, so none will come.
    const orphans = await this.#db
      .deleteFrom('webhook_events')
      .where('created_at', '<', orphanedBefore)
      .where((eb) =>
        eb.not(
          eb.exists(eb.selectFrom('webhook_deliveries').select('webhook_deliveries.id').whereRef('webhook_deliveries.event_id', '=', 'webhook_events.id')),
        ),
      )
      .executeTakeFirst();
    return Number(finished.numDeletedRows) + Number(orphans.numDeletedRows);
  }
}

const secretRow = (s: WebhookSecret) => ({
  id: s.id,
  endpoint_id: s.endpointId,
  sealed_secret: s.sealedSecret,
  created_at: s.createdAt,
  expires_at: s.expiresAt,
});

const toSecret = (r: { id: string; endpoint_id: string; sealed_secret: string; created_at: number; expires_at: number | null }): WebhookSecret => ({
  id: r.id,
  endpointId: r.endpoint_id,
  sealedSecret: r.sealed_secret,
  createdAt: Number(r.created_at),
  expiresAt: r.expires_at == null ? null : Number(r.expires_at),
});
