import type { Kysely } from 'kysely';
import type { AuditEvent, AuditLog, StoredAuditEvent } from '../../core/ports/audit-log.ts';
import type { Database } from './schema.ts';

/** The audit log in SQL (append-only). */
export class SqlAuditLog implements AuditLog {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async add(e: AuditEvent): Promise<void> {
    await this.#db
      .insertInto('audit_events')
      .values({ at: e.at, type: e.type, user_id: e.userId, ip: e.ip, user_agent: e.userAgent, detail: e.detail })
      .execute();
  }

  async list(limit: number, userId?: number): Promise<StoredAuditEvent[]> {
    let q = this.#db.selectFrom('audit_events').selectAll().orderBy('id', 'desc').limit(limit);
    if (userId !== undefined) q = q.where('user_id', '=', userId);
    return (await q.execute()).map((r) => ({
      id: Number(r.id),
      at: Number(r.at),
      type: r.type as StoredAuditEvent['type'],
      userId: r.user_id == null ? null : Number(r.user_id),
      ip: r.ip,
      userAgent: r.user_agent,
      detail: r.detail,
    }));
  }
}
