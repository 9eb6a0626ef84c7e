import { EVENT_TYPES } from '../../core/events.ts';
import type { WebhookDelivery, WebhookEndpoint } from '../../core/ports/webhook-store.ts';
import { alert, postForm, typedConfirmForm } from '../shared/html/forms.ts';
import { type Html, html } from '../shared/html/template.ts';
import { type ConsolePage, consolePage, flash, href, when } from './layout.ts';
import { dataTable, tag } from './tables.ts';

const state = (c: ConsolePage, e: WebhookEndpoint): Html => {
  const w = c.t.webhookTexts;
  return tag(e.enabled, e.enabled ? w.enabled : `${w.disabled}${e.disabledReason ? ` (${e.disabledReason})` : ''}`);
};

/** The webhook endpoints, each linking to its deliveries, and the form that adds one; for staff who are not superusers, why they see none. */
export function webhooksPage(c: ConsolePage, endpoints: WebhookEndpoint[] | null, done?: string, refused?: string): Html {
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
  return consolePage(c, {
    title: c.t.webhooks,
    current: 'webhooks',
    main: html`<h1>${c.t.webhooks}</h1>\n${flash(done)}\n${body}\n${endpoints !== null && addForm(c, refused)}`,
  });
}

/** The types an endpoint may ask for: every event but the operator's test, which goes to one endpoint only. */
const SUBSCRIBABLE = Object.keys(EVENT_TYPES).filter((type) => type !== 'webhook.test');

/** The form that adds an endpoint: its URL, a description, the events it wants (none ticked: all). */
function addForm(c: ConsolePage, refused?: string): Html {
  const w = c.t.webhookTexts;
  const described = refused ? 'url-hint form-error' : 'url-hint';
  const boxes = SUBSCRIBABLE.map(
    (type, i) => html`<p class="check"><input id="event-${i}" name="events" type="checkbox" value="${type}"><label for="event-${i}">${type}</label></p>`,
  );
  return html`<h2 id="add">${w.add}</h2>
${postForm(
  href(c.lang, '/admin/webhooks'),
  c.csrf,
  html`${alert(refused)}
<label for="url">${w.url}</label>
<input id="url" name="url" type="url" required maxlength="2048" aria-describedby="${described}">
<p class="hint" id="url-hint">${w.urlHint}</p>
<label for="description">${w.description}</label>
<input id="description" name="description" maxlength="200">
<fieldset aria-describedby="events-hint"><legend>${w.eventsLegend}</legend>
<p class="hint" id="events-hint">${w.eventsHint}</p>
${boxes}
</fieldset>
<button type="submit">${w.addButton}</button>`,
  'stack',
)}`;
}

/** The secret of an endpoint just added or rotated: shown on this answer only. */
function secretShown(c: ConsolePage, secret: string, rotated: boolean): Html {
  const w = c.t.webhookTexts;
  return html`<section class="secret" aria-labelledby="secret"><h2 id="secret">${w.secretOnce}</h2><p><code id="webhook-secret">${secret}</code></p><p>${w.secretOnceText}</p>${rotated && html`<p>${w.rotatedText}</p>`}</section>`;
}

/** Send a test event, rotate the secret, disable or enable, and remove (the id typed). */
function manageForms(c: ConsolePage, e: WebhookEndpoint): Html {
  const w = c.t.webhookTexts;
  const act = (what: string) => href(c.lang, `/admin/webhooks/${e.id}/${what}`);
  const button = (what: string, label: string) => postForm(act(what), c.csrf, html`<button type="submit">${label}</button>`, 'inline');
  return html`<h2 id="actions">${w.actions}</h2>
<div class="buttons">${button('test', w.sendTest)}${button('rotate-secret', w.rotateSecret)}${e.enabled ? button('disable', w.disable) : button('enable', w.enable)}</div>
<h2 id="remove">${w.remove}</h2>
${typedConfirmForm(act('remove'), c.csrf, { label: w.confirm, hint: w.removeHint, button: w.remove })}`;
}

/** One endpoint and its recent deliveries (status, attempts, next try, the last answer's code and time), each replayable. */
export function webhookPage(
  c: ConsolePage,
  endpoint: WebhookEndpoint,
  deliveries: WebhookDelivery[],
  options: { done?: string; secret?: string; rotated?: boolean } = {},
): Html {
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
${flash(options.done)}
${options.secret !== undefined && secretShown(c, options.secret, options.rotated === true)}
<dl>
<dt>${w.url}</dt><dd>${endpoint.url}</dd>
<dt>${w.events}</dt><dd>${endpoint.eventTypes.join(', ') || w.allEvents}</dd>
<dt>${w.status}</dt><dd>${state(c, endpoint)}</dd>
${endpoint.description && html`<dt>${w.description}</dt><dd>${endpoint.description}</dd>`}
</dl>
<h2>${w.deliveries}</h2>
<p class="hint" id="replay-hint">${w.replayHint}</p>
${rows.length ? dataTable(w.deliveries, head, rows) : html`<p>${w.noDeliveries}</p>`}
${manageForms(c, endpoint)}`,
  });
}
