import type { WebhookDelivery, WebhookEndpoint } from '../../core/ports/webhook-store.ts';
import { postForm } from '../shared/html/forms.ts';
import { type Html, html } from '../shared/html/template.ts';
import { type ConsolePage, consolePage, flash, href, when } from './layout.ts';
import { dataTable, tag } from './tables.ts';

const state = (c: ConsolePage, e: WebhookEndpoint): Html => {
  const w = c.t.webhookTexts;
  return tag(e.enabled, e.enabled ? w.enabled : `${w.disabled}${e.disabledReason ? ` (${e.disabledReason})` : ''}`);
};

/** The webhook endpoints, each linking to its deliveries; for staff who are not superusers, why they see none. */
export function webhooksPage(c: ConsolePage, endpoints: WebhookEndpoint[] | null): Html {
  const w = c.t.webhookTexts;
  const rows = (endpoints ?? []).map((e) => [
    html`<a href="${href(c.lang, `/admin/webhooks/${e.id}`)}"><code>${e.id}</code></a>`,
    e.url,
    e.eventTypes.join(', ') || w.allEvents,
    state(c, e),
    when(e.createdAt, c.t),
  ]);
  const body =
    endpoints === null
      ? html`<p>${w.superusersOnly}</p>`
      : rows.length
        ? dataTable(c.t.webhooks, [w.endpoint, w.url, w.events, w.status, c.t.created], rows)
        : html`<p>${w.none}</p>`;
  return consolePage(c, { title: c.t.webhooks, current: 'webhooks', main: html`<h1>${c.t.webhooks}</h1>\n${body}` });
}

/** One endpoint and its recent deliveries (status, attempts, next try, the last answer's code and time), each replayable. */
export function webhookPage(c: ConsolePage, endpoint: WebhookEndpoint, deliveries: WebhookDelivery[], done?: string): Html {
  const w = c.t.webhookTexts;
  const answer = (d: WebhookDelivery) =>
    d.lastStatus !== null ? `${d.lastStatus}${d.lastDurationMs !== null ? ` · ${d.lastDurationMs} ms` : ''}` : (d.lastError ?? '—');
  const rows = deliveries.map((d) => [
    html`${d.eventType}<br><code>${d.eventId}</code>`,
    tag(d.status !== 'failed', w.statuses[d.status]),
    d.attempts,
    d.status === 'pending' ? when(d.nextAttemptAt, c.t) : '—',
    answer(d),
    d.lastAttemptAt === null ? '—' : when(d.lastAttemptAt, c.t),
    postForm(
      href(c.lang, `/admin/webhooks/${endpoint.id}/replay/${d.id}`),
      c.csrf,
      html`<button type="submit" aria-describedby="replay-hint">${w.replay}</button>`,
      'inline',
    ),
  ]);
  const head = [w.event, w.status, w.attempts, w.nextTry, w.response, w.lastAttempt, html`<span class="visually-hidden">${w.replay}</span>`];
  return consolePage(c, {
    title: `${c.t.webhooks}: ${endpoint.id}`,
    current: 'webhooks',
    main: html`<h1>${c.t.webhooks}: <code>${endpoint.id}</code></h1>
${flash(done)}
<dl>
<dt>${w.url}</dt><dd>${endpoint.url}</dd>
<dt>${w.events}</dt><dd>${endpoint.eventTypes.join(', ') || w.allEvents}</dd>
<dt>${w.status}</dt><dd>${state(c, endpoint)}</dd>
</dl>
<h2>${w.deliveries}</h2>
<p class="hint" id="replay-hint">${w.replayHint}</p>
${rows.length ? dataTable(w.deliveries, head, rows) : html`<p>${w.noDeliveries}</p>`}`,
  });
}
