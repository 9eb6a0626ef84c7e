import type { CommonTexts, Lang, Refusal } from '../../texts/common.ts';
import type { OidcTexts } from '../../texts/oidc.ts';
import { postForm } from '../shared/html/forms.ts';
import { page } from '../shared/html/shell.ts';
import type { LinkView } from '../../core/one-time-codes.ts';
import { askCodeForm, type CodeForms, codeLinkPage, codePage, enterCodeForm } from '../shared/html/sign-in/code-views.ts';
import { passwordForm, SIGN_IN_SCRIPTS, type SignInForms, secondStepPage as sharedSecondStep } from '../shared/html/sign-in/views.ts';
import { type Html, html, trusted } from '../shared/html/template.ts';

/** What the OpenID sign-in's pages are drawn with; `uid` names the provider's interaction they belong to. */
export interface OidcPage {
  lang: Lang;
  t: OidcTexts;
  common: CommonTexts;
  csrf: string;
  uid: string;
  /** The app the person signs in to, by its registered name. */
  app: string;
  /** The enabled upstream identity providers (their buttons). */
  providers: ReadonlyArray<{ id: string; name: string }>;
}

const base = (c: OidcPage) => `/oidc/interaction/${encodeURIComponent(c.uid)}`;

/** The sign-in's forms as this page posts them (the shared flow), passkeys included. */
function signInForms(c: OidcPage): SignInForms {
  return {
    t: c.common,
    csrf: c.csrf,
    passwordAction: `${base(c)}/login?lang=${c.lang}`,
    secondStepAction: `${base(c)}/second-factor?lang=${c.lang}`,
    passkey: { options: `${base(c)}/passkey-options`, finish: `${base(c)}/passkey` },
    code: { page: `${base(c)}/code?lang=${c.lang}`, ask: `${base(c)}/code/send?lang=${c.lang}`, signIn: `${base(c)}/code/sign-in?lang=${c.lang}` },
    upstream: { providers: c.providers, start: (id) => `${base(c)}/idp/${encodeURIComponent(id)}?lang=${c.lang}&csrf=${encodeURIComponent(c.csrf)}` },
  };
}

const codeForms = (c: OidcPage): CodeForms => signInForms(c) as CodeForms;

/** Signing in to the app with a code: asking for it, or typing it in; the password form one link away, going back below. */
export function codeSignInPage(c: OidcPage, options: { to?: string; sent?: boolean; refusal?: Refusal } = {}): Html {
  const forms = codeForms(c);
  const body = options.sent && options.to ? enterCodeForm(forms, { to: options.to, refusal: options.refusal }) : askCodeForm(forms, options);
  return codePage(
    c.lang,
    forms,
    html`<p>${c.t.signInIntro(c.app)}</p>
${body}`,
    html`<p><a href="${base(c)}?lang=${c.lang}">${c.common.code.withPassword}</a></p>
${cancel(c, c.common.signIn.cancel)}`,
  );
}

/** A mailed link's page for this sign-in (GET spends nothing): the button in the browser that asked, the code elsewhere. */
export function linkPage(c: OidcPage, token: string, view: LinkView | null, refusal?: Refusal): Html {
  return codeLinkPage(c.lang, codeForms(c), `${base(c)}/code-link?lang=${c.lang}`, token, view, refusal);
}

/** Going back to the app without signing in: the provider answers it `access_denied`. */
const cancel = (c: OidcPage, label: string) =>
  postForm(`${base(c)}/abort?lang=${c.lang}`, c.csrf, html`<button type="submit" class="secondary">${label}</button>`);

/** The sign-in: the password form (or a passkey alone), for this app. */
export function signInPage(c: OidcPage, refusal?: Refusal, login = ''): Html {
  return page({
    lang: c.lang,
    title: c.common.signIn.title,
    main: html`<h1>${c.common.signIn.title}</h1>
<p>${c.t.signInIntro(c.app)}</p>
${passwordForm(signInForms(c), { login, refusal, after: cancel(c, c.common.signIn.cancel) })}`,
    scripts: SIGN_IN_SCRIPTS,
  });
}

/** The second step: one code field, a passkey where the account has one; going back to the app below. */
export function secondStepPage(c: OidcPage, mfaToken: string, passkey: boolean, refusal?: Refusal): Html {
  return sharedSecondStep(c.lang, signInForms(c), { mfaToken, passkey, refusal, after: cancel(c, c.common.signIn.cancel) });
}

/** The consent page: what the app asks for, in words; allow or deny. */
export function consentPage(c: OidcPage, scopes: string[]): Html {
  const { t } = c;
  return page({
    lang: c.lang,
    title: t.consentTitle,
    main: html`<h1>${t.consentTitle}</h1>
<p>${t.consentIntro(c.app)}</p>
<ul>${scopes.map((s) => html`<li>${t.scopes[s] ?? s}</li>`)}</ul>
${postForm(`${base(c)}/consent?lang=${c.lang}`, c.csrf, html`<button type="submit">${t.allow}</button>`)}
${cancel(c, t.deny)}`,
  });
}

/**
 * RP-initiated logout: the provider's own form (oidc-provider writes it, with
 * its xsrf field; no person's text in it), and two buttons for it.
 */
export function logoutPage(lang: Lang, t: OidcTexts, providerForm: string): Html {
  return page({
    lang,
    title: t.logoutTitle,
    main: html`<h1>${t.logoutTitle}</h1>
<p>${t.logoutIntro}</p>
${trusted(providerForm)}
<button type="submit" form="op.logoutForm" name="logout" value="yes">${t.logoutYes}</button>
<button type="submit" form="op.logoutForm" class="secondary">${t.logoutNo}</button>`,
  });
}

/** A result page; `code` is the OAuth error code (e.g. invalid_redirect_uri), shown for the app's developer. */
export function messagePage(lang: Lang, kind: 'ok' | 'error', title: string, text: string, code?: string): Html {
  return page({
    lang,
    title,
    main: html`<h1 class="${kind}-title">${title}</h1>
<p${kind === 'error' ? html` role="alert"` : ''}>${text}</p>${code && html`\n<p class="hint"><code>${code}</code></p>`}`,
  });
}
