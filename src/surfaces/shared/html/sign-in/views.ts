import type { CommonTexts, Refusal } from '../../../../texts/common.ts';
import type { Lang } from '../../../../texts/common.ts';
import { alert, invalidWhen, postForm } from '../forms.ts';
import { page } from '../shell.ts';
import { type Html, html } from '../template.ts';

/** What the sign-in's forms need from the page they stand on. */
export interface SignInForms {
  t: CommonTexts;
  csrf: string;
  /** Where the password form posts; the second step posts to `secondStepAction`. */
  passwordAction: string;
  secondStepAction: string;
  /** The passkey ceremony's two JSON endpoints (account-passkeys.js posts to them), when this page offers passkeys. */
  passkey?: { options: string; finish: string };
  /** Signing in with a code, where this page offers it: the page asking for one, where it posts, and where the code is typed. */
  code?: { page: string; ask: string; signIn: string };
  /**
   * The upstream identity providers' buttons: each a link to `start(id)`, which carries the CSRF value in its
   * query (a link, not a form: the strict CSP's form-action would stop a form's redirect to the provider).
   */
  upstream?: { providers: ReadonlyArray<{ id: string; name: string }>; start: (id: string) => string };
}

/** A link per enabled identity provider, drawn as a button; nothing when there is none. */
export function providerButtons(forms: SignInForms): Html {
  const providers = forms.upstream?.providers ?? [];
  if (!forms.upstream || providers.length === 0) return html``;
  const { start } = forms.upstream;
  return html`<section class="providers" aria-label="${forms.t.signIn.providers}">
<p>${forms.t.signIn.providers}</p>
${providers.map((p) => html`<p><a class="button secondary" href="${start(p.id)}">${forms.t.signIn.withProvider(p.name)}</a></p>`)}
</section>`;
}

/** The scripts a page with the sign-in's passkey button loads (it works without them, passkeys aside). */
export const SIGN_IN_SCRIPTS = ['simplewebauthn-browser.js', 'account-passkeys.js'] as const;

/** The passkey button: hidden until the script finds WebAuthn in the browser. */
function passkeyButton(forms: SignInForms, label: string, mfaToken?: string): Html {
  if (!forms.passkey) return html``;
  return html`<div data-passkey-block hidden>
<p class="error" role="alert" id="passkey-error" hidden></p>
<button type="button" class="secondary" data-passkey="sign-in" data-options="${forms.passkey.options}" data-finish="${forms.passkey.finish}"${mfaToken ? html` data-mfa-token="${mfaToken}"` : ''}>${label}</button>
</div>`;
}

/** The password form (and, where the page offers them, a passkey alone); the same fields on every page. */
export function passwordForm(forms: SignInForms, options: { login?: string; refusal?: Refusal; after?: Html } = {}): Html {
  const { t } = forms;
  const refused = options.refusal !== undefined;
  return html`${postForm(
    forms.passwordAction,
    forms.csrf,
    html`<label for="login">${t.signIn.login}</label>
<input id="login" name="login" autocomplete="username webauthn" required maxlength="254" value="${options.login ?? ''}"${invalidWhen(refused)}>
<label for="password">${t.signIn.password}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024">
${alert(refused ? t.refusals[options.refusal as Refusal] : undefined)}
<button type="submit">${t.signIn.submit}</button>`,
    'stack',
  )}
${passkeyButton(forms, t.signIn.passkey)}
${forms.code && html`<p><a href="${forms.code.page}">${t.code.instead}</a></p>`}
${providerButtons(forms)}
${options.after}`;
}

/** The second step: one field for an authenticator or recovery code, and the passkey where the account has one. */
export function secondStepForm(forms: SignInForms, options: { mfaToken: string; passkey: boolean; refusal?: Refusal }): Html {
  const { t } = forms;
  const refused = options.refusal !== undefined;
  return html`<p id="code-hint">${t.secondStep.intro}</p>
${postForm(
  forms.secondStepAction,
  forms.csrf,
  html`<input type="hidden" name="mfa_token" value="${options.mfaToken}">
${options.passkey && html`<input type="hidden" name="passkey" value="1">`}
<label for="code">${t.secondStep.code}</label>
<input id="code" name="code" autocomplete="one-time-code" required maxlength="64" aria-describedby="code-hint"${refused ? html` aria-invalid="true" aria-errormessage="form-error"` : ''}>
${alert(refused ? t.refusals[options.refusal as Refusal] : undefined)}
<button type="submit">${t.secondStep.submit}</button>`,
  'stack',
)}
${options.passkey ? passkeyButton(forms, t.secondStep.passkey, options.mfaToken) : html``}`;
}

/** The second step as a whole page (/account, the OpenID sign-in; the console draws it in its own shell); `after` below the form. */
export function secondStepPage(lang: Lang, forms: SignInForms, options: { mfaToken: string; passkey: boolean; refusal?: Refusal; after?: Html }): Html {
  return page({
    lang,
    title: forms.t.secondStep.title,
    main: html`<h1>${forms.t.secondStep.title}</h1>
${secondStepForm(forms, options)}
${options.after}`,
    scripts: SIGN_IN_SCRIPTS,
  });
}
