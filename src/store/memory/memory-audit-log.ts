import type { AuditEvent, AuditLog, StoredAuditEvent } from '../../core/ports/audit-log.ts';

/** The audit log in memory; for unit tests and throwaway runs. */
export class MemoryAuditLog implements AuditLog {
  readonly #events: StoredAuditEvent[] = [];

  async add(event: AuditEvent): Promise<void> {
    this.#events.push({ ...event, id: this.#events.length + 1 });
  }

  async list(limit: number, userId?: number): Promise<StoredAuditEvent[]> {
    return this.#events
      .filter((e) => userId === undefined || e.userId === userId)
      .slice(-limit)
      .reverse()
      .map((e) => ({ ...e }));
  }
}
