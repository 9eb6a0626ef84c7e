import type { Session } from '../../core/ports/session-store.ts';
import type { User } from '../../core/ports/user-store.ts';
import type { SecondFactorStatus } from '../../core/second-factors/second-factors.ts';
import type { Lang } from '../shared/html/lang.ts';
import { escapeHtml as e, page } from '../shared/html/layout.ts';
import type { Texts } from './i18n.ts';

/** What every form of the page carries. */
export interface FormContext {
  t: Texts;
  lang: Lang;
  csrf: string;
}

const hidden = (c: FormContext) => `<input type="hidden" name="csrf" value="${e(c.csrf)}">`;
const action = (c: FormContext, path: string) => `${path}?lang=${c.lang}`;
const alert = (text: string | undefined, kind: 'error' | 'ok' = 'error') =>
  text ? `<p class="${kind === 'error' ? 'error' : 'ok-title'}" role="${kind === 'error' ? 'alert' : 'status'}">${e(text)}</p>` : '';
const otherLang = (c: FormContext) =>
  `<p class="lang"><a href="/account?lang=${c.lang === 'zh' ? 'en' : 'zh'}" lang="${c.lang === 'zh' ? 'en' : 'zh-CN'}">${e(c.t.switchLang)}</a></p>`;

/** The scripts of the passkey ceremonies (the pages work without them). */
const PASSKEY_SCRIPTS = ['simplewebauthn-browser.js', 'account-passkeys.js'] as const;
const passkeyError = '<p class="error" role="alert" id="passkey-error" hidden></p>';

/** Password first; the second step follows when the account has one. */
export function signInPage(c: FormContext, error?: string, login = ''): string {
  return page(
    c.lang,
    c.t.signInTitle,
    `<h1>${e(c.t.signInTitle)}</h1>
${alert(error)}
<form method="post" action="${action(c, '/account/sign-in')}">
  ${hidden(c)}
  <label for="login">${e(c.t.login)}</label>
  <input id="login" name="login" autocomplete="username webauthn" required maxlength="254" value="${e(login)}">
  <label for="password">${e(c.t.password)}</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024">
  <button type="submit">${e(c.t.signIn)}</button>
</form>
<div data-passkey-block hidden>
  ${passkeyError}
  <button type="button" class="secondary" data-passkey="sign-in">${e(c.t.passkeySignIn)}</button>
</div>
${otherLang(c)}`,
    PASSKEY_SCRIPTS,
  );
}

/** The second step: a TOTP code or a recovery code, with the mfa_token of the first step. */
export function secondStepPage(c: FormContext, mfaToken: string, error?: string, withPasskey = false): string {
  return page(
    c.lang,
    c.t.secondStepTitle,
    `<h1>${e(c.t.secondStepTitle)}</h1>
<p>${e(c.t.secondStepIntro)}</p>
${alert(error)}
<form method="post" action="${action(c, '/account/second-step')}">
  ${hidden(c)}
  <input type="hidden" name="mfa_token" value="${e(mfaToken)}">
  <label for="code">${e(c.t.codeOrRecovery)}</label>
  <input id="code" name="code" autocomplete="one-time-code" maxlength="64" required>
  <button type="submit">${e(c.t.verify)}</button>
</form>
${
  withPasskey
    ? `<div data-passkey-block hidden>
  ${passkeyError}
  <button type="button" class="secondary" data-passkey="second-step" data-mfa-token="${e(mfaToken)}">${e(c.t.usePasskey)}</button>
</div>`
    : ''
}`,
    PASSKEY_SCRIPTS,
  );
}

export interface Dashboard {
  user: User;
  factors: SecondFactorStatus;
  sessions: Session[];
  currentSessionId: string;
  notice?: string;
  error?: string;
}

const status = (t: Texts, value: string | null, verified: boolean) =>
  value ? `${e(value)} <span class="hint">(${e(verified ? t.verified : t.unverified)})</span>` : e(t.none);

/** The signed-in page: profile, two-step verification, devices, password, sign out. */
export function dashboardPage(c: FormContext, d: Dashboard): string {
  const { t } = c;
  const withCode = d.factors.totp === 'active';
  // Every change to how the account is protected asks for the password and, with an authenticator app, a code
  // (core/second-factors/step-up.ts); each form's fields are labelled by the action they confirm.
  const codeField = (id: string, what: string) =>
    withCode
      ? `<label for="${id}-code">${e(t.confirmCode)} (${e(what)})</label>
  <input id="${id}-code" name="code" autocomplete="one-time-code" maxlength="64" required>`
      : '';
  const stepUp = (id: string, what: string) =>
    `<label for="${id}-password">${e(t.confirmWithPassword)} (${e(what)})</label>
  <input id="${id}-password" name="password" type="password" autocomplete="current-password" required maxlength="1024">
  ${codeField(id, what)}`;
  const twoStep = withCode
    ? `<p>${e(t.totpActive)}</p>
<p>${e(t.recoveryLeft(d.factors.recoveryCodesLeft))}</p>
<form method="post" action="${action(c, '/account/recovery-codes')}">
  ${hidden(c)}
  ${stepUp('codes', t.regenerate)}
  <button type="submit">${e(t.regenerate)}</button>
</form>
<form method="post" action="${action(c, '/account/totp/remove')}">
  ${hidden(c)}
  ${stepUp('remove-totp', t.removeTotp)}
  <button type="submit" class="secondary">${e(t.removeTotp)}</button>
</form>`
    : `<p>${e(t.totpOff)}</p>
<form method="post" action="${action(c, '/account/totp')}">
  ${hidden(c)}
  ${stepUp('set-up-totp', t.setUpTotp)}
  <button type="submit">${e(t.setUpTotp)}</button>
</form>`;
  const sessions = d.sessions
    .map(
      (s) =>
        `<li>${e(s.userAgent ?? '—')} · ${e(s.ip ?? '—')} · ${e(t.lastSeen)} ${e(new Date(s.lastSeenAt).toISOString().slice(0, 16).replace('T', ' '))} UTC${
          s.id === d.currentSessionId
            ? ` <strong>(${e(t.thisDevice)})</strong>`
            : `
  <form method="post" action="${action(c, '/account/sessions/end')}" class="inline">
    ${hidden(c)}
    <input type="hidden" name="id" value="${e(s.id)}">
    <button type="submit" class="secondary">${e(t.endSession)}</button>
  </form>`
        }</li>`,
    )
    .join('\n');
  return page(
    c.lang,
    t.accountTitle,
    `<h1>${e(t.accountTitle)}</h1>
${alert(d.notice, 'ok')}${alert(d.error)}
<section aria-labelledby="profile">
<h2 id="profile">${e(t.profile)}</h2>
<dl>
  <dt>${e(t.username)}</dt><dd>${e(d.user.username ?? t.none)}</dd>
  <dt>${e(t.email)}</dt><dd>${status(t, d.user.email, d.user.isEmailVerified)}</dd>
  <dt>${e(t.phone)}</dt><dd>${status(t, d.user.phone, d.user.isPhoneVerified)}</dd>
</dl>
</section>
<section aria-labelledby="two-step">
<h2 id="two-step">${e(t.twoStep)}</h2>
${twoStep}
</section>
<section aria-labelledby="passkeys">
<h2 id="passkeys">${e(t.passkeys)}</h2>
<ul class="sessions">
${d.factors.passkeys
  .map(
    (p) => `<li>${e(p.name)}
  <form method="post" action="${action(c, '/account/passkeys/remove')}">
    ${hidden(c)}
    <input type="hidden" name="id" value="${e(p.id)}">
    ${stepUp(`passkey-${e(p.id)}`, `${t.removePasskey}: ${p.name}`)}
    <button type="submit" class="secondary">${e(t.removePasskey)}</button>
  </form></li>`,
  )
  .join('\n')}
</ul>
<div data-passkey-block hidden>
  ${passkeyError}
  <label for="passkey-name">${e(t.passkeyName)}</label>
  <input id="passkey-name" maxlength="64" value="${e(t.passkeyDefaultName)}">
  <label for="add-passkey-password">${e(t.confirmWithPassword)} (${e(t.addPasskey)})</label>
  <input id="add-passkey-password" type="password" autocomplete="current-password" maxlength="1024" data-step-up="password">
  ${withCode ? `<label for="add-passkey-code">${e(t.confirmCode)} (${e(t.addPasskey)})</label>\n  <input id="add-passkey-code" autocomplete="one-time-code" maxlength="64" data-step-up="code">` : ''}
  <button type="button" data-passkey="add">${e(t.addPasskey)}</button>
</div>
</section>
<section aria-labelledby="devices">
<h2 id="devices">${e(t.sessions)}</h2>
<ul class="sessions">
${sessions}
</ul>
</section>
<section aria-labelledby="change-password">
<h2 id="change-password">${e(t.changePassword)}</h2>
<form method="post" action="${action(c, '/account/password')}">
  ${hidden(c)}
  <label for="old_password">${e(t.oldPassword)}</label>
  <input id="old_password" name="old_password" type="password" autocomplete="current-password" required maxlength="1024">
  <label for="new_password">${e(t.newPassword)}</label>
  <input id="new_password" name="new_password" type="password" autocomplete="new-password" required minlength="8" maxlength="128">
  ${codeField('change-password', t.changePassword)}
  <button type="submit">${e(t.change)}</button>
</form>
</section>
<form method="post" action="${action(c, '/account/sign-out')}">
  ${hidden(c)}
  <button type="submit" class="secondary">${e(t.signOut)}</button>
</form>
${otherLang(c)}`,
    PASSKEY_SCRIPTS,
  );
}

/** TOTP setup: the QR code inline (SVG), the key as text, the otpauth URI, and the confirming code. */
export function totpSetupPage(c: FormContext, setup: { secret: string; otpauthUri: string; qrSvg: string }, error?: string, required?: string): string {
  const { t } = c;
  return page(
    c.lang,
    t.setupTitle,
    `<h1>${e(t.setupTitle)}</h1>
${required ? `<p><strong>${e(required)}</strong></p>` : ''}
<p>${e(t.setupIntro)}</p>
${alert(error)}
<figure class="qr" role="img" aria-label="${e(t.uri)}">${setup.qrSvg}</figure>
<p>${e(t.secret)}: <code class="secret">${e(setup.secret.replace(/(.{4})/g, '$1 ').trim())}</code></p>
<p class="hint">${e(t.uri)}: <code class="uri">${e(setup.otpauthUri)}</code></p>
<form method="post" action="${action(c, '/account/totp/confirm')}">
  ${hidden(c)}
  <label for="code">${e(t.code)}</label>
  <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required>
  <button type="submit">${e(t.confirm)}</button>
</form>`,
  );
}

/** Recovery codes, shown this once. */
export function recoveryCodesPage(c: FormContext, codes: string[], notice?: string): string {
  const { t } = c;
  return page(
    c.lang,
    t.codesTitle,
    `<h1>${e(t.codesTitle)}</h1>
${alert(notice, 'ok')}
<p>${e(t.codesIntro)}</p>
<ol class="codes">
${codes.map((code) => `<li><code>${e(code)}</code></li>`).join('\n')}
</ol>
<p><a href="/account?lang=${c.lang}">${e(t.continue)}</a></p>`,
  );
}
