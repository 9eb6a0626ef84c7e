import type { LinkView } from '../../../../core/one-time-codes.ts';
import type { CommonTexts, Lang, Refusal } from '../../../../texts/common.ts';
import { alert, invalidWhen, postForm } from '../forms.ts';
import { page } from '../shell.ts';
import { type Html, html } from '../template.ts';
import type { SignInForms } from './views.ts';

/** The sign-in's forms on a page that offers a code. */
export type CodeForms = SignInForms & { code: NonNullable<SignInForms['code']> };

/** Asks where the code goes: one field for a phone number or an email address. */
export function askCodeForm(forms: CodeForms, options: { to?: string; refusal?: Refusal } = {}): Html {
  const { t } = forms;
  const refused = options.refusal !== undefined;
  return html`<p id="to-hint">${t.code.toHint}</p>
${postForm(
  forms.code.ask,
  forms.csrf,
  html`<label for="to">${t.code.to}</label>
<input id="to" name="to" autocomplete="username" required maxlength="254" value="${options.to ?? ''}" aria-describedby="to-hint"${invalidWhen(refused)}>
${alert(refused ? t.refusals[options.refusal as Refusal] : undefined)}
<button type="submit">${t.code.send}</button>`,
  'stack',
)}`;
}

/** Where the code is typed, after it was asked for (`to` rides along in a hidden field). */
export function enterCodeForm(forms: CodeForms, options: { to: string; refusal?: Refusal }): Html {
  const { t } = forms;
  const refused = options.refusal !== undefined;
  return html`<p id="code-hint">${t.code.sent(options.to)}</p>
${postForm(
  forms.code.signIn,
  forms.csrf,
  html`<input type="hidden" name="to" value="${options.to}">
<label for="code">${t.code.code}</label>
<input id="code" name="code" autocomplete="one-time-code" inputmode="numeric" required maxlength="16" aria-describedby="code-hint"${refused ? html` aria-invalid="true" aria-errormessage="form-error"` : ''}>
${alert(refused ? t.refusals[options.refusal as Refusal] : undefined)}
<button type="submit">${t.code.submit}</button>`,
  'stack',
)}
<p><a href="${forms.code.page}">${t.code.again}</a></p>`;
}

/** The code's pages as a whole page: asking for it, or typing it in; `after` below (the other ways in). */
export function codePage(lang: Lang, forms: CodeForms, body: Html, after?: Html): Html {
  return page({ lang, title: forms.t.code.title, main: html`<h1>${forms.t.code.title}</h1>\n${body}\n${after}` });
}

/**
 * A mailed link's page, which spends nothing when opened: in the browser that
 * asked, one button posting the link's token to `action`; anywhere else the
 * code, to type where it was asked for; used or expired, a way back.
 */
export function codeLinkPage(lang: Lang, forms: CodeForms, action: string, token: string, view: LinkView | null, refusal?: Refusal): Html {
  const { t } = forms;
  let body: Html;
  if (!view)
    body = html`<p>${t.code.linkUsed}</p>
<p><a href="${forms.code.page}">${t.code.again}</a></p>`;
  else if (view.kind === 'elsewhere')
    body = html`<p>${t.code.linkElsewhere}</p>
<p class="secret" id="mailed-code">${view.code}</p>`;
  else
    body = html`<p>${t.code.linkHere}</p>
${postForm(
  action,
  forms.csrf,
  html`<input type="hidden" name="token" value="${token}">
${alert(refusal ? t.refusals[refusal] : undefined)}
<button type="submit">${t.code.linkButton}</button>`,
  'stack',
)}`;
  return page({ lang, title: t.code.linkTitle, main: html`<h1>${t.code.linkTitle}</h1>\n${body}` });
}

/**
 * A mailed link opened where the sign-in it belongs to cannot go on (another
 * browser, where the OpenID sign-in's interaction does not exist): the code to
 * type where it was asked for, or that the link is used or expired.
 */
export function mailedCodePage(lang: Lang, t: CommonTexts, view: LinkView | null): Html {
  const body =
    view?.kind === 'elsewhere'
      ? html`<p>${t.code.linkElsewhere}</p>
<p class="secret" id="mailed-code">${view.code}</p>`
      : html`<p>${t.code.linkUsed}</p>`;
  return page({ lang, title: t.code.linkTitle, main: html`<h1>${t.code.linkTitle}</h1>\n${body}` });
}
