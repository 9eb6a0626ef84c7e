import type { AuditEvent, AuditLog, AuditQuery, AuditType, StoredAuditEvent } from '../../core/ports/audit-log.ts';

/** The audit log in memory; for unit tests and throwaway runs. */
export class MemoryAuditLog implements AuditLog {
  readonly #events: StoredAuditEvent[] = [];

  async add(event: AuditEvent): Promise<void> {
    this.#events.push({ ...event, id: this.#events.length + 1 });
  }

  async list(limit: number, userId?: number): Promise<StoredAuditEvent[]> {
    return this.query({ limit, userId });
  }

  async query(q: AuditQuery): Promise<StoredAuditEvent[]> {
    const out: StoredAuditEvent[] = [];
    for (let i = this.#events.length - 1; i >= 0 && out.length < q.limit; i--) {
      const e = this.#events[i]!;
      if (q.userId !== undefined && e.userId !== q.userId) continue;
      if (q.type !== undefined && e.type !== q.type) continue;
      if (q.from !== undefined && e.at < q.from) continue;
      if (q.to !== undefined && e.at >= q.to) continue;
      if (q.beforeId !== undefined && e.id >= q.beforeId) continue;
      out.push({ ...e });
    }
    return out;
  }

  async countSince(since: number): Promise<Partial<Record<AuditType, number>>> {
    const counts: Partial<Record<AuditType, number>> = {};
    for (const e of this.#events) if (e.at >= since) counts[e.type] = (counts[e.type] ?? 0) + 1;
    return counts;
  }
}
