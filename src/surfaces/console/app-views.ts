import { type App, ID_TOKEN_ALGS } from '../../core/ports/app-store.ts';
import { postForm, typedConfirmForm } from '../shared/html/forms.ts';
import { type Html, html } from '../shared/html/template.ts';
import { type ConsolePage, consolePage, flash, href, when } from './layout.ts';
import { dataTable } from './tables.ts';

const uriLines = (app: App) => html`${app.redirectUris.map((u, i) => (i ? html`<br>${u}` : html`${u}`))}`;
const kind = (c: ConsolePage, app: App) => (app.secretHash === null ? c.t.publicApp : c.t.confidentialApp);

/** The redirect URIs' textarea (one a line) with its hint. */
function uriField(c: ConsolePage, rows: number, value = ''): Html {
  return html`<label for="redirect_uris">${c.t.redirectUris}</label>
<textarea id="redirect_uris" name="redirect_uris" rows="${rows}" required maxlength="4000" aria-describedby="uris-hint">${value}</textarea>
<p class="hint" id="uris-hint">${c.t.redirectHint}</p>`;
}

/** The form that adds an app: name, redirect URIs, id_token algorithm, public or not. */
function addForm(c: ConsolePage): Html {
  const { t } = c;
  return html`<h2 id="add">${t.addApp}</h2>
${postForm(
  href(c.lang, '/admin/apps'),
  c.csrf,
  html`<label for="name">${t.appName}</label>
<input id="name" name="name" required maxlength="100">
${uriField(c, 3)}
<label for="id_token_alg">${t.idTokenAlg}</label>
<select id="id_token_alg" name="id_token_alg">${ID_TOKEN_ALGS.map((alg) => html`<option value="${alg}">${alg}</option>`)}</select>
<p class="check"><input id="public" name="public" type="checkbox" value="1"><label for="public">${t.isPublic}</label></p>
<button type="submit">${t.addButton}</button>`,
  'stack',
)}`;
}

/** The apps (OpenID Connect clients), and for superusers the form that adds one. */
export function appsPage(c: ConsolePage, apps: App[], mayManage: boolean, done?: string): Html {
  const { t, lang } = c;
  const rows = apps.map((a) => [
    html`<a href="${href(lang, `/admin/apps/${a.clientId}`)}">${a.name}</a>`,
    html`<code>${a.clientId}</code>`,
    kind(c, a),
    uriLines(a),
    when(a.createdAt, t),
  ]);
  return consolePage(c, {
    title: t.apps,
    current: 'apps',
    main: html`<h1>${t.apps}</h1>
${flash(done)}
${apps.length ? dataTable(t.apps, [t.appName, t.clientId, t.appType, t.redirectUris, t.created], rows) : html`<p>${t.noApps}</p>`}
${mayManage && addForm(c)}`,
  });
}

/** The secret of an app just added or rotated: shown on this answer only. */
function secretShown(c: ConsolePage, secret: string | null): Html {
  const { t } = c;
  return html`<section class="secret" aria-labelledby="secret"><h2 id="secret">${t.secretOnce}</h2>${
    secret === null ? html`<p>${t.noSecret}</p>` : html`<p><code id="client-secret">${secret}</code></p><p>${t.secretOnceText}</p>`
  }</section>`;
}

/** For superusers: the redirect URIs, the secret's rotation, removal (the client id typed). */
function manageForms(c: ConsolePage, app: App): Html {
  const { t } = c;
  const act = (what: string) => href(c.lang, `/admin/apps/${app.clientId}/${what}`);
  const rotate = postForm(act('rotate-secret'), c.csrf, html`<button type="submit">${t.rotateSecret}</button>`, 'inline');
  return html`<h2 id="edit">${t.redirectUris}</h2>
${postForm(act('redirect-uris'), c.csrf, html`${uriField(c, 4, app.redirectUris.join('\n'))}\n<button type="submit">${t.saveUris}</button>`, 'stack')}
${app.secretHash !== null && html`<div class="buttons">${rotate}</div>`}
<h2 id="remove">${t.removeApp}</h2>
${typedConfirmForm(act('remove'), c.csrf, { label: t.deleteConfirm, hint: t.removeHint, button: t.removeApp })}`;
}

/** One app: its facts, the secret when just made, and for superusers the forms that change it. */
export function appPage(c: ConsolePage, app: App, options: { mayManage: boolean; done?: string; secret?: string | null }): Html {
  const { t, lang } = c;
  return consolePage(c, {
    title: app.name,
    current: 'apps',
    main: html`<p><a href="${href(lang, '/admin/apps')}">${t.apps}</a></p>
<h1>${app.name}</h1>
${flash(options.done)}
${options.secret !== undefined && secretShown(c, options.secret)}
<dl class="facts">
<dt>${t.clientId}</dt><dd><code>${app.clientId}</code></dd>
<dt>${t.appType}</dt><dd>${kind(c, app)}</dd>
<dt>${t.redirectUris}</dt><dd>${uriLines(app)}</dd>
<dt>${t.idTokenAlg}</dt><dd>${app.idTokenAlg}</dd>
<dt>${t.created}</dt><dd>${when(app.createdAt, t)}</dd>
</dl>
${options.mayManage && manageForms(c, app)}`,
  });
}
