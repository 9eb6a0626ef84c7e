import type { CommonTexts, Lang } from '../../texts/common.ts';
import type { PagesTexts } from '../../texts/pages.ts';
import { csrfField } from '../shared/html/forms.ts';
import { page } from '../shared/html/shell.ts';
import { type Html, html } from '../shared/html/template.ts';

/** What the mail links' pages are drawn with. */
export interface PagesPage {
  lang: Lang;
  t: PagesTexts;
  common: CommonTexts;
}

export interface PasswordForm {
  token: string;
  csrf: string;
  error?: string;
}

/** The reset form: the new password twice, the policy shown, errors inline (pages.js checks the two agree before sending). */
export function resetForm(c: PagesPage, form: PasswordForm): Html {
  const { t } = c;
  return page({
    lang: c.lang,
    title: t.resetTitle,
    main: html`<h1>${t.resetTitle}</h1>
<p>${t.resetIntro}</p>
<form method="post" action="/reset-password?lang=${c.lang}" data-password-form novalidate>
<input type="hidden" name="token" value="${form.token}">
${csrfField(form.csrf)}
<label for="password">${t.newPassword}</label>
<input id="password" name="password" type="password" autocomplete="new-password" minlength="8" maxlength="128" required aria-describedby="policy form-error"${form.error ? html` aria-invalid="true"` : ''}>
<p class="hint" id="policy">${t.policy}</p>
<label for="confirm">${t.confirmPassword}</label>
<input id="confirm" name="confirm" type="password" autocomplete="new-password" minlength="8" maxlength="128" required aria-describedby="form-error" data-mismatch="${t.mismatch}">
<p class="error" role="alert" id="form-error"${form.error ? '' : html` hidden`}>${form.error ?? ''}</p>
<button type="submit">${t.resetButton}</button>
</form>`,
  });
}

/** The verification page: one button, so that a mail scanner's GET spends nothing. */
export function verifyForm(c: PagesPage, form: { token: string; csrf: string }): Html {
  const { t } = c;
  return page({
    lang: c.lang,
    title: t.verifyTitle,
    main: html`<h1>${t.verifyTitle}</h1>
<p>${t.verifyIntro}</p>
<form method="post" action="/verify-email?lang=${c.lang}">
<input type="hidden" name="token" value="${form.token}">
${csrfField(form.csrf)}
<button type="submit">${t.verifyButton}</button>
</form>`,
  });
}

/** A result: success or failure, in words, with the way home. */
export function message(c: PagesPage, kind: 'ok' | 'error', title: string, text: string): Html {
  return page({
    lang: c.lang,
    title,
    main: html`<h1 class="${kind}-title">${title}</h1>
<p${kind === 'error' ? html` role="alert"` : ''}>${text}</p>
<p><a href="/?lang=${c.lang}">${c.t.home}</a></p>`,
  });
}

/** `/`: what this server is, and where its documentation and health are. */
export function home(c: PagesPage, style: string): Html {
  const { t } = c;
  return page({
    lang: c.lang,
    title: t.title,
    main: html`<h1>${t.title}</h1>
<p>${t.intro}</p>
<p>${t.styleNote(style)}</p>
<ul class="links">
<li><a href="/docs">${t.docs}</a> (<a href="/openapi.json">OpenAPI</a>)</li>
<li><a href="/healthz">${t.health}</a></li>
<li><a href="/readyz">${t.ready}</a></li>
</ul>
<p class="lang"><a href="/?lang=zh" lang="zh-CN">中文</a> · <a href="/?lang=en" lang="en">English</a></p>`,
  });
}
