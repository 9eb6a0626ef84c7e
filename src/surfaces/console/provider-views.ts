import type { ProviderView } from '../../core/identities.ts';
import { alert, postForm, typedConfirmForm } from '../shared/html/forms.ts';
import { type Html, html } from '../shared/html/template.ts';
import { type ConsolePage, consolePage, flash, href, when } from './layout.ts';
import { dataTable, tag } from './tables.ts';

/** The kinds the form offers (core/identities.ts builds these). */
const KINDS = ['oidc', 'github', 'apple', 'wechat'] as const;

/**
 * What a refused form is drawn again with: every value as it was sent but the
 * client secret and Apple's private key, which are never written back into a
 * page. `field`: the input the core named.
 */
export interface ProviderFormValues {
  kind: string;
  id: string;
  name: string;
  issuer: string;
  clientId: string;
  teamId: string;
  keyId: string;
  audiences: string;
  domains: string;
  signup: boolean;
  trustMfa: boolean;
}

export interface ProviderRefusal {
  text: string;
  field: string | undefined;
  values: ProviderFormValues;
}

const EMPTY: ProviderFormValues = {
  kind: 'oidc',
  id: '',
  name: '',
  issuer: '',
  clientId: '',
  teamId: '',
  keyId: '',
  audiences: '',
  domains: '',
  signup: true,
  trustMfa: false,
};

const state = (c: ConsolePage, p: ProviderView): Html => tag(p.enabled, p.enabled ? c.t.providerTexts.enabled : c.t.providerTexts.disabled);

/** Sign-up, domains and trusted MFA in short. */
const rules = (c: ConsolePage, p: ProviderView): string => {
  const t = c.t.providerTexts;
  return [p.signup ? t.signupOn : t.signupOff, p.domains.length ? p.domains.join(', ') : t.anyDomain, ...(p.trustMfa ? [t.trustsMfa] : [])].join(' · ');
};

/** The providers, each linking to its page, and the form that adds one (drawn again, with the core's reason, after a refusal). */
export function providersPage(c: ConsolePage, providers: ProviderView[], options: { done?: string; refused?: ProviderRefusal } = {}): Html {
  const t = c.t.providerTexts;
  const rows = providers.map((p) => [
    // The name beside the id: an id alone breaks anywhere in a narrow column.
    html`<a href="${href(c.lang, `/admin/providers/${p.id}`)}">${p.name}</a><br><code>${p.id}</code>`,
    p.kind,
    p.issuer,
    state(c, p),
    rules(c, p),
    html`<code>${p.redirectUri}</code>`,
    when(p.createdAt, c.t),
  ]);
  const head = [t.provider, t.kind, t.issuer, t.state, t.rules, t.redirectUri, t.created];
  return consolePage(c, {
    title: c.t.providers,
    current: 'providers',
    main: html`<h1>${c.t.providers}</h1>
${flash(options.done)}
${rows.length ? dataTable(c.t.providers, head, rows) : html`<p>${t.none}</p>`}
${addForm(c, options.refused)}`,
  });
}

/** The form that adds a provider; the secrets' fields always empty. */
function addForm(c: ConsolePage, refused?: ProviderRefusal): Html {
  const t = c.t.providerTexts;
  const v = refused?.values ?? EMPTY;
  // The field the refusal names is marked invalid and described by it too.
  const about = (field: string, hint: string) =>
    refused && refused.field === field ? html` aria-invalid="true" aria-describedby="${hint} form-error"` : html` aria-describedby="${hint}"`;
  const option = (kind: string) => html`<option value="${kind}"${v.kind === kind ? html` selected` : ''}>${kind}</option>`;
  const checked = (on: boolean) => (on ? html` checked` : html``);
  return html`<h2 id="add">${t.add}</h2>
${postForm(
  href(c.lang, '/admin/providers'),
  c.csrf,
  html`${alert(refused?.text)}
<label for="kind">${t.kind}</label>
<select id="kind" name="kind"${about('kind', 'kind-hint')}>${KINDS.map(option)}</select>
<p class="hint" id="kind-hint">${t.kindHint}</p>
<label for="id">${t.id}</label>
<input id="id" name="id" required maxlength="32" autocomplete="off" value="${v.id}"${about('id', 'id-hint')}>
<p class="hint" id="id-hint">${t.idHint}</p>
<label for="name">${t.name}</label>
<input id="name" name="name" required maxlength="100" value="${v.name}"${about('name', 'name-hint')}>
<p class="hint" id="name-hint">${t.nameHint}</p>
<label for="issuer">${t.issuer}</label>
<input id="issuer" name="issuer" type="url" maxlength="2048" value="${v.issuer}"${about('issuer', 'issuer-hint')}>
<p class="hint" id="issuer-hint">${t.issuerHint}</p>
<label for="client_id">${t.clientId}</label>
<input id="client_id" name="client_id" required maxlength="512" autocomplete="off" value="${v.clientId}"${about('client_id', 'client-id-hint')}>
<p class="hint" id="client-id-hint">${t.clientIdHint}</p>
<label for="client_secret">${t.clientSecret}</label>
<input id="client_secret" name="client_secret" type="password" maxlength="4096" autocomplete="off"${about('client_secret', 'secret-hint')}>
<p class="hint" id="secret-hint">${t.secretHint}</p>
<fieldset aria-describedby="apple-hint"><legend>${t.appleLegend}</legend>
<p class="hint" id="apple-hint">${t.appleHint}</p>
<label for="team_id">${t.teamId}</label>
<input id="team_id" name="team_id" maxlength="64" autocomplete="off" value="${v.teamId}"${about('team_id', 'apple-hint')}>
<label for="key_id">${t.keyId}</label>
<input id="key_id" name="key_id" maxlength="64" autocomplete="off" value="${v.keyId}"${about('key_id', 'apple-hint')}>
<label for="private_key">${t.privateKey}</label>
<textarea id="private_key" name="private_key" rows="5" maxlength="4096" autocomplete="off" spellcheck="false"${about('private_key', 'apple-hint')}></textarea>
</fieldset>
<label for="audiences">${t.audiences}</label>
<textarea id="audiences" name="audiences" rows="2" maxlength="10280"${about('audiences', 'audiences-hint')}>${v.audiences}</textarea>
<p class="hint" id="audiences-hint">${t.audiencesHint}</p>
<label for="domains">${t.domains}</label>
<textarea id="domains" name="domains" rows="2" maxlength="12750"${about('domains', 'domains-hint')}>${v.domains}</textarea>
<p class="hint" id="domains-hint">${t.domainsHint}</p>
<p class="check"><input id="signup" name="signup" type="checkbox" value="1"${checked(v.signup)}><label for="signup">${t.signup}</label></p>
<p class="check"><input id="trust_mfa" name="trust_mfa" type="checkbox" value="1"${checked(v.trustMfa)}><label for="trust_mfa">${t.trustMfa}</label></p>
<button type="submit">${t.addButton}</button>`,
  'stack',
)}`;
}

/** One provider: its facts (never its secret) and its removal, the id typed to confirm. */
export function providerPage(c: ConsolePage, p: ProviderView, done?: string): Html {
  const t = c.t.providerTexts;
  const list = (items: string[]) => (items.length ? items.join(', ') : '—');
  return consolePage(c, {
    title: `${c.t.providers}: ${p.id}`,
    current: 'providers',
    main: html`<p><a href="${href(c.lang, '/admin/providers')}">${c.t.providers}</a></p>
<h1>${p.name} <code>${p.id}</code></h1>
${flash(done)}
<dl class="facts">
<dt>${t.redirectUri}</dt><dd><code id="redirect-uri">${p.redirectUri}</code></dd>
<dt>${t.kind}</dt><dd>${p.kind}</dd>
<dt>${t.issuer}</dt><dd>${p.issuer}</dd>
<dt>${t.clientId}</dt><dd><code>${p.clientId}</code></dd>
<dt>${t.clientSecret}</dt><dd>${p.hasClientSecret ? t.secretKept : t.noSecret}</dd>
<dt>${t.audiences}</dt><dd>${list(p.audiences)}</dd>
<dt>${t.rules}</dt><dd>${rules(c, p)}</dd>
<dt>${t.state}</dt><dd>${state(c, p)}</dd>
<dt>${t.created}</dt><dd>${when(p.createdAt, c.t)}</dd>
</dl>
<h2 id="remove">${t.remove}</h2>
${typedConfirmForm(href(c.lang, `/admin/providers/${p.id}/remove`), c.csrf, { label: t.confirm, hint: t.removeHint, button: t.remove })}`,
  });
}
