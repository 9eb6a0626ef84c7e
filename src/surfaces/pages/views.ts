import type { Lang } from '../shared/html/lang.ts';
import { escapeHtml, page } from '../shared/html/layout.ts';
import type { Texts } from './i18n.ts';

export interface PasswordForm {
  token: string;
  csrf: string;
  error?: string;
}

/** The reset form: the new password twice, the policy shown, errors inline. */
export function resetForm(t: Texts, lang: Lang, form: PasswordForm): string {
  const error = form.error
    ? `<p class="error" role="alert" id="form-error">${escapeHtml(form.error)}</p>`
    : '<p class="error" role="alert" id="form-error" hidden></p>';
  return page(
    lang,
    t.resetTitle,
    `<h1>${escapeHtml(t.resetTitle)}</h1>
<p>${escapeHtml(t.resetIntro)}</p>
<form method="post" action="/reset-password?lang=${lang}" data-password-form novalidate>
  <input type="hidden" name="token" value="${escapeHtml(form.token)}">
  <input type="hidden" name="csrf" value="${escapeHtml(form.csrf)}">
  <label for="password">${escapeHtml(t.newPassword)}</label>
  <input id="password" name="password" type="password" autocomplete="new-password" minlength="8" maxlength="128" required aria-describedby="policy form-error"${form.error ? ' aria-invalid="true"' : ''}>
  <p class="hint" id="policy">${escapeHtml(t.policy)}</p>
  <label for="confirm">${escapeHtml(t.confirmPassword)}</label>
  <input id="confirm" name="confirm" type="password" autocomplete="new-password" minlength="8" maxlength="128" required aria-describedby="form-error" data-mismatch="${escapeHtml(t.mismatch)}">
  ${error}
  <button type="submit">${escapeHtml(t.resetButton)}</button>
</form>`,
  );
}

/** The verification page: one button, so that a mail scanner's GET spends nothing. */
export function verifyForm(t: Texts, lang: Lang, form: { token: string; csrf: string }): string {
  return page(
    lang,
    t.verifyTitle,
    `<h1>${escapeHtml(t.verifyTitle)}</h1>
<p>${escapeHtml(t.verifyIntro)}</p>
<form method="post" action="/verify-email?lang=${lang}">
  <input type="hidden" name="token" value="${escapeHtml(form.token)}">
  <input type="hidden" name="csrf" value="${escapeHtml(form.csrf)}">
  <button type="submit">${escapeHtml(t.verifyButton)}</button>
</form>`,
  );
}

/** A result: success or failure, in words, with the way home. */
export function message(t: Texts, lang: Lang, kind: 'ok' | 'error', title: string, text: string): string {
  return page(
    lang,
    title,
    `<h1 class="${kind}-title">${escapeHtml(title)}</h1>\n<p${kind === 'error' ? ' role="alert"' : ''}>${escapeHtml(text)}</p>\n<p><a href="/?lang=${lang}">${escapeHtml(t.home)}</a></p>`,
  );
}

/** `/`: what this server is, and where its documentation and health are. */
export function home(t: Texts, lang: Lang, style: string): string {
  return page(
    lang,
    t.title,
    `<h1>${escapeHtml(t.title)}</h1>
<p>${escapeHtml(t.intro)}</p>
<p>${escapeHtml(t.styleNote(style))}</p>
<ul class="links">
  <li><a href="/docs">${escapeHtml(t.docs)}</a> (<a href="/openapi.json">OpenAPI</a>)</li>
  <li><a href="/healthz">${escapeHtml(t.health)}</a></li>
  <li><a href="/readyz">${escapeHtml(t.ready)}</a></li>
</ul>
<p class="lang"><a href="/?lang=zh" lang="zh-CN">中文</a> · <a href="/?lang=en" lang="en">English</a></p>`,
  );
}
