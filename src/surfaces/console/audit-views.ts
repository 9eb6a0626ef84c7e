import { AUDIT_TYPES, type StoredAuditEvent } from '../../core/ports/audit-log.ts';
import type { User } from '../../core/ports/user-store.ts';
import { alert } from '../shared/html/forms.ts';
import { html } from '../shared/html/template.ts';
import { type ConsolePage, consolePage, href, when } from './layout.ts';
import { accountName } from './search-views.ts';
import { dataTable } from './tables.ts';

/** The accounts a page of events names (owners and staff), for links. */
export type Names = ReadonlyMap<number, User>;

/** A page of audit events: when, what, whose, by which staff member, from where. */
export function eventTable(c: ConsolePage, events: StoredAuditEvent[], names: Names) {
  const { t, lang } = c;
  if (!events.length) return html`<p>${t.noEvents}</p>`;
  const who = (id: number | null) => {
    if (id === null) return '—';
    const u = names.get(id);
    return u ? html`<a href="${href(lang, `/admin/accounts/${u.uuid}`)}">${accountName(u)}</a>` : `#${id}`;
  };
  return dataTable(
    t.audit,
    [t.when, t.event, t.account, t.actor, t.address, t.detail],
    events.map((ev) => [when(ev.at, t), t.events[ev.type] ?? ev.type, who(ev.userId), who(ev.actorId), ev.ip ?? '—', ev.detail ?? '']),
  );
}

/** The filter as typed (shown again in its fields). */
export interface AuditFilter {
  account: string;
  type: string;
  from: string;
  to: string;
}

/** The audit trail with its filter, a page of events, the way to older ones and the CSV export of the same filter. */
export function auditPage(c: ConsolePage, filter: AuditFilter, found: { events: StoredAuditEvent[]; names: Names; olderThan?: number; error?: string }) {
  const { t, lang } = c;
  const query = { account: filter.account, type: filter.type, from: filter.from, to: filter.to };
  const options = AUDIT_TYPES.map((type) => html`<option value="${type}"${filter.type === type ? html` selected` : ''}>${t.events[type]}</option>`);
  return consolePage(c, {
    title: t.audit,
    current: 'audit',
    main: html`<h1>${t.audit}</h1>
<form method="get" action="/admin/audit" class="filters">
<input type="hidden" name="lang" value="${lang}">
<div><label for="account">${t.accountFilter}</label><input id="account" name="account" maxlength="254" value="${filter.account}"></div>
<div><label for="type">${t.event}</label><select id="type" name="type"><option value="">${t.anyEvent}</option>${options}</select></div>
<div><label for="from">${t.from}</label><input id="from" name="from" type="datetime-local" value="${filter.from}"></div>
<div><label for="to">${t.to}</label><input id="to" name="to" type="datetime-local" value="${filter.to}"></div>
<div class="end"><button type="submit">${t.filter}</button></div>
</form>
${alert(found.error)}
<p><a href="${href(lang, '/admin/audit.csv', query)}" download>${t.exportCsv}</a></p>
${eventTable(c, found.events, found.names)}
${found.olderThan !== undefined && html`<p><a href="${href(lang, '/admin/audit', { ...query, before: found.olderThan })}" rel="next">${t.olderEvents}</a></p>`}`,
  });
}
