import type { KeyStatus } from '../../core/signing-keys.ts';
import { postForm } from '../shared/html/forms.ts';
import { type Html, html } from '../shared/html/template.ts';
import { type ConsolePage, consolePage, flash, href, when } from './layout.ts';
import { dataTable, tag } from './tables.ts';

/** The signing keys: which signs, until when each verifies; superusers rotate them. */
export function keysPage(c: ConsolePage, keys: KeyStatus[], mayRotate: boolean, done?: string): Html {
  const { t } = c;
  const rows = keys.map((k) => [
    html`<code>${k.kid}</code>`,
    k.alg,
    tag(k.state === 'signing' || k.state === 'verifying', t.keyStates[k.state]),
    when(k.createdAt, t),
    k.verifyUntil === null ? (k.source ?? '—') : when(k.verifyUntil, t),
  ]);
  const rotate = html`<p class="hint" id="rotate-hint">${t.rotateKeysHint}</p>${postForm(
    href(c.lang, '/admin/keys/rotate'),
    c.csrf,
    html`<button type="submit" aria-describedby="rotate-hint">${t.rotateKeys}</button>`,
    'inline',
  )}`;
  return consolePage(c, {
    title: t.keys,
    current: 'keys',
    main: html`<h1>${t.keys}</h1>
${flash(done)}
${keys.length ? dataTable(t.keys, [t.kid, t.alg, t.state, t.created, t.verifyUntil], rows) : html`<p>${t.noKeys}</p>`}
${mayRotate && rotate}`,
  });
}
