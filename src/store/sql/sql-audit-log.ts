import type { Kysely, Selectable } from 'kysely';
import type { AuditEvent, AuditLog, AuditQuery, AuditType, StoredAuditEvent } from '../../core/ports/audit-log.ts';
import type { AuditEventsTable, Database } from './schema.ts';

const toEvent = (r: Selectable<AuditEventsTable>): StoredAuditEvent => ({
  id: Number(r.id),
  at: Number(r.at),
  type: r.type as StoredAuditEvent['type'],
  userId: r.user_id == null ? null : Number(r.user_id),
  ip: r.ip,
  userAgent: r.user_agent,
  actorId: r.actor_id == null ? null : Number(r.actor_id),
  detail: r.detail,
});

/** The audit log in SQL (append-only). */
export class SqlAuditLog implements AuditLog {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async add(e: AuditEvent): Promise<void> {
    await this.#db
      .insertInto('audit_events')
      .values({ at: e.at, type: e.type, user_id: e.userId, ip: e.ip, user_agent: e.userAgent, actor_id: e.actorId, detail: e.detail })
      .execute();
  }

  list(limit: number, userId?: number): Promise<StoredAuditEvent[]> {
    return this.query({ limit, userId });
  }

  async query(f: AuditQuery): Promise<StoredAuditEvent[]> {
    let q = this.#db.selectFrom('audit_events').selectAll().orderBy('id', 'desc').limit(f.limit);
    if (f.userId !== undefined) q = q.where('user_id', '=', f.userId);
    if (f.type !== undefined) q = q.where('type', '=', f.type);
    if (f.from !== undefined) q = q.where('at', '>=', f.from);
    if (f.to !== undefined) q = q.where('at', '<', f.to);
    if (f.beforeId !== undefined) q = q.where('id', '<', f.beforeId);
    return (await q.execute()).map(toEvent);
  }

  async countSince(since: number): Promise<Partial<Record<AuditType, number>>> {
    const rows = await this.#db
      .selectFrom('audit_events')
      .select((eb) => ['type', eb.fn.countAll().as('n')])
      .where('at', '>=', since)
      .groupBy('type')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.type, Number(r.n)]));
  }
}
