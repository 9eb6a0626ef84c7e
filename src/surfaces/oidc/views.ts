import type { Lang } from '../shared/html/lang.ts';
import { escapeHtml, page } from '../shared/html/layout.ts';

const TEXT = {
  en: {
    signInTitle: 'Sign in',
    signInIntro: (app: string) => `to continue to ${app}`,
    login: 'Email or username',
    password: 'Password',
    signIn: 'Sign in',
    cancel: 'Cancel',
    consentTitle: 'Allow access',
    consentIntro: (app: string) => `${app} asks to:`,
    allow: 'Allow',
    deny: 'Deny',
    scopes: {
      openid: 'know who you are',
      profile: 'see your name and username',
      email: 'see your email address',
      phone: 'see your phone number',
      offline_access: 'stay signed in while you are away',
    } as Record<string, string>,
    logoutTitle: 'Sign out',
    logoutIntro: 'Sign out of Gatehouse on this browser?',
    logoutYes: 'Sign out',
    logoutNo: 'Stay signed in',
    loggedOutTitle: 'Signed out',
    loggedOutText: 'You are signed out of Gatehouse on this browser.',
    errorTitle: 'Sign-in failed',
    errorText: 'The request cannot be completed. Go back to the app and try again.',
    invalid: 'Unknown account or wrong password.',
    locked: 'Too many failed attempts. Try again later.',
    disabled: 'This account is disabled.',
    unverified: 'Verify your email address first: follow the link in the mail we sent.',
    tooMany: 'Too many attempts. Wait a minute and try again.',
    formExpired: 'The form expired. Please try again.',
    secondStepTitle: 'Two-step verification',
    secondStepIntro: 'Enter the 6-digit code from your authenticator app, or one of your recovery codes.',
    code: 'Code',
    verify: 'Continue',
    wrongCode: 'That code is wrong or was already used.',
    restart: 'This sign-in has expired or had too many tries. Start again from the app.',
    enrolFirst: 'This account must set up two-step verification before signing in to apps: open /account, set it up, then try again.',
  },
  zh: {
    signInTitle: '登录',
    signInIntro: (app: string) => `以继续使用 ${app}`,
    login: '邮箱或用户名',
    password: '密码',
    signIn: '登录',
    cancel: '取消',
    consentTitle: '授权访问',
    consentIntro: (app: string) => `${app} 请求：`,
    allow: '允许',
    deny: '拒绝',
    scopes: {
      openid: '知道你是谁',
      profile: '查看你的姓名和用户名',
      email: '查看你的邮箱地址',
      phone: '查看你的手机号码',
      offline_access: '在你离开时保持登录',
    } as Record<string, string>,
    logoutTitle: '退出登录',
    logoutIntro: '要在此浏览器上退出 Gatehouse 吗？',
    logoutYes: '退出登录',
    logoutNo: '保持登录',
    loggedOutTitle: '已退出',
    loggedOutText: '你已在此浏览器上退出 Gatehouse。',
    errorTitle: '登录失败',
    errorText: '无法完成此请求。请返回应用后重试。',
    invalid: '账号不存在或密码错误。',
    locked: '失败次数过多，请稍后再试。',
    disabled: '此账号已被停用。',
    unverified: '请先验证邮箱：点击我们发送的邮件中的链接。',
    tooMany: '尝试次数过多，请一分钟后再试。',
    formExpired: '表单已过期，请重试。',
    secondStepTitle: '两步验证',
    secondStepIntro: '请输入验证器应用中的 6 位验证码，或一个恢复码。',
    code: '验证码',
    verify: '继续',
    wrongCode: '验证码错误或已被使用。',
    restart: '此次登录已过期或尝试次数过多，请从应用重新开始。',
    enrolFirst: '此账号需要先设置两步验证才能登录应用：请打开 /account 完成设置后再试。',
  },
};

export type Texts = (typeof TEXT)['en'];
export const texts = (lang: Lang): Texts => TEXT[lang];

/** The sign-in form: the core login's two fields, posted back to this interaction. */
export function signInPage(lang: Lang, form: { uid: string; app: string; csrf: string; login?: string; error?: string }): string {
  const t = texts(lang);
  const error = form.error ? `<p class="error" role="alert" id="form-error">${escapeHtml(form.error)}</p>` : '';
  const action = `/oidc/interaction/${encodeURIComponent(form.uid)}`;
  return page(
    lang,
    t.signInTitle,
    `<h1>${escapeHtml(t.signInTitle)}</h1>
<p>${escapeHtml(t.signInIntro(form.app))}</p>
<form method="post" action="${action}/login?lang=${lang}">
  <input type="hidden" name="csrf" value="${escapeHtml(form.csrf)}">
  <label for="login">${escapeHtml(t.login)}</label>
  <input id="login" name="login" type="text" autocomplete="username" maxlength="254" required value="${escapeHtml(form.login ?? '')}"${form.error ? ' aria-invalid="true" aria-describedby="form-error"' : ''}>
  <label for="password">${escapeHtml(t.password)}</label>
  <input id="password" name="password" type="password" autocomplete="current-password" maxlength="1024" required>
  ${error}
  <button type="submit">${escapeHtml(t.signIn)}</button>
</form>
<form method="post" action="${action}/abort?lang=${lang}">
  <input type="hidden" name="csrf" value="${escapeHtml(form.csrf)}">
  <button type="submit" class="secondary">${escapeHtml(t.cancel)}</button>
</form>`,
  );
}

/** The second step of a sign-in: a TOTP or recovery code for the mfa_token the core login handed out. */
export function secondStepPage(lang: Lang, form: { uid: string; csrf: string; mfaToken: string; error?: string }): string {
  const t = texts(lang);
  const error = form.error ? `<p class="error" role="alert" id="form-error">${escapeHtml(form.error)}</p>` : '';
  const action = `/oidc/interaction/${encodeURIComponent(form.uid)}`;
  return page(
    lang,
    t.secondStepTitle,
    `<h1>${escapeHtml(t.secondStepTitle)}</h1>
<p>${escapeHtml(t.secondStepIntro)}</p>
<form method="post" action="${action}/second-factor?lang=${lang}">
  <input type="hidden" name="csrf" value="${escapeHtml(form.csrf)}">
  <input type="hidden" name="mfa_token" value="${escapeHtml(form.mfaToken)}">
  <label for="code">${escapeHtml(t.code)}</label>
  <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="32" required${form.error ? ' aria-invalid="true" aria-describedby="form-error"' : ''}>
  ${error}
  <button type="submit">${escapeHtml(t.verify)}</button>
</form>
<form method="post" action="${action}/abort?lang=${lang}">
  <input type="hidden" name="csrf" value="${escapeHtml(form.csrf)}">
  <button type="submit" class="secondary">${escapeHtml(t.cancel)}</button>
</form>`,
  );
}

/** The consent page: what the app asks for, in words; allow or deny. */
export function consentPage(lang: Lang, form: { uid: string; app: string; csrf: string; scopes: string[] }): string {
  const t = texts(lang);
  const action = `/oidc/interaction/${encodeURIComponent(form.uid)}`;
  const items = form.scopes.map((s) => `<li>${escapeHtml(t.scopes[s] ?? s)}</li>`).join('');
  return page(
    lang,
    t.consentTitle,
    `<h1>${escapeHtml(t.consentTitle)}</h1>
<p>${escapeHtml(t.consentIntro(form.app))}</p>
<ul>${items}</ul>
<form method="post" action="${action}/consent?lang=${lang}">
  <input type="hidden" name="csrf" value="${escapeHtml(form.csrf)}">
  <button type="submit">${escapeHtml(t.allow)}</button>
</form>
<form method="post" action="${action}/abort?lang=${lang}">
  <input type="hidden" name="csrf" value="${escapeHtml(form.csrf)}">
  <button type="submit" class="secondary">${escapeHtml(t.deny)}</button>
</form>`,
  );
}

/** RP-initiated logout: the provider's own form (its xsrf field guards it), and two buttons for it. */
export function logoutPage(lang: Lang, providerForm: string): string {
  const t = texts(lang);
  return page(
    lang,
    t.logoutTitle,
    `<h1>${escapeHtml(t.logoutTitle)}</h1>
<p>${escapeHtml(t.logoutIntro)}</p>
${providerForm}
<button type="submit" form="op.logoutForm" name="logout" value="yes">${escapeHtml(t.logoutYes)}</button>
<button type="submit" form="op.logoutForm" class="secondary">${escapeHtml(t.logoutNo)}</button>`,
  );
}

/** A result page; `code` is the OAuth error code (e.g. invalid_redirect_uri), shown for the app's developer. */
export function messagePage(lang: Lang, kind: 'ok' | 'error', title: string, text: string, code?: string): string {
  const detail = code ? `\n<p class="hint"><code>${escapeHtml(code)}</code></p>` : '';
  return page(
    lang,
    title,
    `<h1 class="${kind}-title">${escapeHtml(title)}</h1>\n<p${kind === 'error' ? ' role="alert"' : ''}>${escapeHtml(text)}</p>${detail}`,
  );
}
