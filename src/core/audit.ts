import type { AuditLog, AuditQuery, AuditType, StoredAuditEvent, AuditEvent } from './ports/audit-log.ts';
import type { Clock } from './ports/clock.ts';

/** The client behind the current request, when there is one. */
export interface RequestOrigin {
  ip: string | null;
  userAgent: string | null;
  /** The staff member acting through the console in this request, once known. */
  actorId?: number | null;
}

/**
 * Records security events (logins, lockouts, logouts, password changes, token
 * theft, account status) with time, user, IP and user agent, and optionally
 * posts each to a webhook. Recording never fails the action it records.
 */
export class Audit {
  readonly #log: AuditLog;
  readonly #clock: Clock;
  readonly #origin: () => RequestOrigin | undefined;
  readonly #webhook: ((event: object) => Promise<void>) | undefined;
  readonly #observe: ((event: AuditEvent) => void) | undefined;

  constructor(deps: {
    log: AuditLog;
    clock: Clock;
    origin?: () => RequestOrigin | undefined;
    webhook?: (event: object) => Promise<void>;
    /** Sees every event as it happens (the operator's log line and metrics). */
    observe?: (event: AuditEvent) => void;
  }) {
    this.#log = deps.log;
    this.#clock = deps.clock;
    this.#origin = deps.origin ?? (() => undefined);
    this.#webhook = deps.webhook;
    this.#observe = deps.observe;
  }

  /** `actorId`: who acted, when not the request's staff member (an organisation's admin acting on a member). */
  async record(type: AuditType, userId: number | null, detail: string | null = null, actorId?: number | null): Promise<void> {
    const origin = this.#origin();
    const event = {
      at: this.#clock.now(),
      type,
      userId,
      ip: origin?.ip ?? null,
      userAgent: origin?.userAgent ?? null,
      actorId: actorId ?? origin?.actorId ?? null,
      detail,
    };
    this.#observe?.(event);
    await this.#log.add(event).catch(() => {
      // the audit store being away must not turn a login into an error
    });
    if (this.#webhook) {
      void this.#webhook({ ...event, at: new Date(event.at).toISOString() }).catch(() => {});
    }
  }

  /** Events newest first; optionally one user's. */
  list(limit: number, userId?: number): Promise<StoredAuditEvent[]> {
    return this.#log.list(limit, userId);
  }

  /** Events newest first, filtered by account, type and time. */
  query(query: AuditQuery): Promise<StoredAuditEvent[]> {
    return this.#log.query(query);
  }

  /** Events of each type in the last `ms` milliseconds. */
  countRecent(ms: number): Promise<Partial<Record<AuditType, number>>> {
    return this.#log.countSince(this.#clock.now() - ms);
  }
}
