import type { StoredAuditEvent } from '../../core/ports/audit-log.ts';
import type { User } from '../../core/ports/user-store.ts';

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a semicolon (the
 * separator spreadsheets use in many locales: `Mozilla;=1+1` would otherwise
 * open as a second cell holding a formula), a tab, a quote or a line break.
 * A text a spreadsheet would run as a formula (=, +, -, @ first) is prefixed
 * with a quote mark: the trail holds text strangers typed (user agents).
 */
function field(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",;\t\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const HEADER = ['id', 'at', 'event', 'account_id', 'account', 'actor_id', 'actor', 'ip', 'user_agent', 'detail'];

/** The audit trail as CSV, one event a line, times in ISO 8601 UTC. */
export function auditCsv(events: StoredAuditEvent[], names: ReadonlyMap<number, User>): string {
  const name = (id: number | null) => {
    const u = id === null ? undefined : names.get(id);
    return u ? (u.email ?? u.username ?? u.uuid) : null;
  };
  const lines = [HEADER.join(',')];
  for (const e of events) {
    lines.push(
      [e.id, new Date(e.at).toISOString(), e.type, e.userId, name(e.userId), e.actorId, name(e.actorId), e.ip, e.userAgent, e.detail].map(field).join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
