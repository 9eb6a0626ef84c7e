import type { App } from '../../core/ports/app-store.ts';
import { ID_TOKEN_ALGS } from '../../core/ports/app-store.ts';
import type { KeyStatus } from '../../core/signing-keys.ts';
import { consolePage, e, type Frame, form, href, when } from './layout.ts';

const flash = (text: string | undefined) => (text ? `<p class="flash" role="status">${e(text)}</p>` : '');

/** The apps (OpenID Connect clients), and for superusers the form that adds one. */
export function appsPage(frame: Frame, apps: App[], mayManage: boolean, done?: string): string {
  const { t, lang } = frame;
  const rows = apps
    .map(
      (a) =>
        `<tr><td><a href="${e(href(lang, `/admin/apps/${a.clientId}`))}">${e(a.name)}</a></td><td><code>${e(a.clientId)}</code></td><td>${e(
          a.secretHash === null ? t.publicApp : t.confidentialApp,
        )}</td><td>${a.redirectUris.map((u) => e(u)).join('<br>')}</td><td>${e(when(a.createdAt, t))}</td></tr>`,
    )
    .join('\n');
  const add = mayManage
    ? `<h2 id="add">${e(t.addApp)}</h2>
${form(
  href(lang, '/admin/apps'),
  frame.csrf ?? '',
  `<label for="name">${e(t.appName)}</label>
<input id="name" name="name" required maxlength="100">
<label for="redirect_uris">${e(t.redirectUris)}</label>
<textarea id="redirect_uris" name="redirect_uris" rows="3" required maxlength="4000" aria-describedby="uris-hint"></textarea>
<p class="hint" id="uris-hint">${e(t.redirectHint)}</p>
<label for="id_token_alg">${e(t.idTokenAlg)}</label>
<select id="id_token_alg" name="id_token_alg">${ID_TOKEN_ALGS.map((alg) => `<option value="${alg}">${alg}</option>`).join('')}</select>
<p class="check"><input id="public" name="public" type="checkbox" value="1"><label for="public">${e(t.isPublic)}</label></p>
<button type="submit">${e(t.addButton)}</button>`,
  'stack',
)}`
    : '';
  return consolePage(
    { ...frame, current: 'apps' },
    t.apps,
    `<h1>${e(t.apps)}</h1>
${flash(done)}
${
  apps.length
    ? `<div class="scroll" role="region" tabindex="0" aria-label="${e(t.apps)}"><table>
<caption class="visually-hidden">${e(t.apps)}</caption>
<thead><tr><th scope="col">${e(t.appName)}</th><th scope="col">${e(t.clientId)}</th><th scope="col">${e(t.appType)}</th><th scope="col">${e(t.redirectUris)}</th><th scope="col">${e(t.created)}</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>`
    : `<p>${e(t.noApps)}</p>`
}
${add}`,
  );
}

/** One app: its facts, and for superusers the redirect URIs form, the secret's rotation and removal. */
export function appPage(frame: Frame, app: App, mayManage: boolean, done?: string, secret?: string | null): string {
  const { t, lang } = frame;
  const csrf = frame.csrf ?? '';
  const act = (what: string) => href(lang, `/admin/apps/${app.clientId}/${what}`);
  const shown =
    secret !== undefined
      ? `<section class="secret" aria-labelledby="secret"><h2 id="secret">${e(t.secretOnce)}</h2>${
          secret === null ? `<p>${e(t.noSecret)}</p>` : `<p><code id="client-secret">${e(secret)}</code></p><p>${e(t.secretOnceText)}</p>`
        }</section>`
      : '';
  const manage = mayManage
    ? `<h2 id="edit">${e(t.redirectUris)}</h2>
${form(
  act('redirect-uris'),
  csrf,
  `<label for="redirect_uris">${e(t.redirectUris)}</label>
<textarea id="redirect_uris" name="redirect_uris" rows="4" required maxlength="4000" aria-describedby="uris-hint">${e(app.redirectUris.join('\n'))}</textarea>
<p class="hint" id="uris-hint">${e(t.redirectHint)}</p>
<button type="submit">${e(t.saveUris)}</button>`,
  'stack',
)}
${app.secretHash !== null ? `<div class="buttons">${form(act('rotate-secret'), csrf, `<button type="submit">${e(t.rotateSecret)}</button>`)}</div>` : ''}
<h2 id="remove">${e(t.removeApp)}</h2>
${form(
  act('remove'),
  csrf,
  `<label for="confirm">${e(t.deleteConfirm)}</label>
<p class="hint" id="confirm-hint">${e(t.removeHint)}</p>
<div class="row"><input id="confirm" name="confirm" required maxlength="64" autocomplete="off" aria-describedby="confirm-hint"><button type="submit" class="danger">${e(t.removeApp)}</button></div>`,
  'stack',
)}`
    : '';
  return consolePage(
    { ...frame, current: 'apps' },
    app.name,
    `<p><a href="${e(href(lang, '/admin/apps'))}">${e(t.apps)}</a></p>
<h1>${e(app.name)}</h1>
${flash(done)}
${shown}
<dl class="facts">
<dt>${e(t.clientId)}</dt><dd><code>${e(app.clientId)}</code></dd>
<dt>${e(t.appType)}</dt><dd>${e(app.secretHash === null ? t.publicApp : t.confidentialApp)}</dd>
<dt>${e(t.redirectUris)}</dt><dd>${app.redirectUris.map((u) => e(u)).join('<br>')}</dd>
<dt>${e(t.idTokenAlg)}</dt><dd>${e(app.idTokenAlg)}</dd>
<dt>${e(t.created)}</dt><dd>${e(when(app.createdAt, t))}</dd>
</dl>
${manage}`,
  );
}

/** The signing keys: which signs, until when each verifies; superusers rotate them. */
export function keysPage(frame: Frame, keys: KeyStatus[], mayRotate: boolean, done?: string): string {
  const { t, lang } = frame;
  const rows = keys
    .map(
      (k) =>
        `<tr><td><code>${e(k.kid)}</code></td><td>${e(k.alg)}</td><td><span class="tag ${k.state === 'signing' ? 'ok' : k.state === 'verifying' ? 'ok' : 'warn'}">${e(
          t.keyStates[k.state],
        )}</span></td><td>${e(when(k.createdAt, t))}</td><td>${k.verifyUntil === null ? e(k.source ?? '—') : e(when(k.verifyUntil, t))}</td></tr>`,
    )
    .join('\n');
  return consolePage(
    { ...frame, current: 'keys' },
    t.keys,
    `<h1>${e(t.keys)}</h1>
${flash(done)}
${
  keys.length
    ? `<div class="scroll" role="region" tabindex="0" aria-label="${e(t.keys)}"><table>
<caption class="visually-hidden">${e(t.keys)}</caption>
<thead><tr><th scope="col">${e(t.kid)}</th><th scope="col">${e(t.alg)}</th><th scope="col">${e(t.state)}</th><th scope="col">${e(t.created)}</th><th scope="col">${e(t.verifyUntil)}</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>`
    : `<p>${e(t.noKeys)}</p>`
}
${mayRotate ? `<p class="hint" id="rotate-hint">${e(t.rotateKeysHint)}</p>${form(href(lang, '/admin/keys/rotate'), frame.csrf ?? '', `<button type="submit" aria-describedby="rotate-hint">${e(t.rotateKeys)}</button>`)}` : ''}`,
  );
}
