import { hasPassword } from '../../core/passwords.ts';
import type { LinkedIdentity } from '../../core/ports/identity-store.ts';
import type { Session } from '../../core/ports/session-store.ts';
import type { User } from '../../core/ports/user-store.ts';
import type { SecondFactorStatus } from '../../core/second-factors/second-factors.ts';
import type { AccountTexts } from '../../texts/account.ts';
import type { CommonTexts, Lang, Refusal } from '../../texts/common.ts';
import { describeDevice } from '../shared/html/device.ts';
import { alert, postForm } from '../shared/html/forms.ts';
import { page } from '../shared/html/shell.ts';
import type { LinkView } from '../../core/one-time-codes.ts';
import { askCodeForm, type CodeForms, codeLinkPage, codePage, enterCodeForm } from '../shared/html/sign-in/code-views.ts';
import { passwordForm, SIGN_IN_SCRIPTS, type SignInForms, secondStepPage as sharedSecondStep } from '../shared/html/sign-in/views.ts';
import { type Html, html, trusted } from '../shared/html/template.ts';

/** What every page of /account is drawn with. */
export interface AccountPage {
  lang: Lang;
  t: AccountTexts;
  common: CommonTexts;
  csrf: string;
  /** The enabled upstream identity providers (their buttons). */
  providers: ReadonlyArray<{ id: string; name: string }>;
}

/** A path of this page in its language. */
export const at = (c: Pick<AccountPage, 'lang'>, path: string, query = '') => `${path}?lang=${c.lang}${query}`;

const otherLang = (c: AccountPage) =>
  html`<p class="lang"><a href="/account?lang=${c.lang === 'zh' ? 'en' : 'zh'}" lang="${c.lang === 'zh' ? 'en' : 'zh-CN'}">${c.common.page.switchLang}</a></p>`;

/** The sign-in's forms as this page posts them: the shared flow (surfaces/shared/html/sign-in), with passkeys. */
export function signInForms(c: AccountPage): SignInForms {
  return {
    t: c.common,
    csrf: c.csrf,
    passwordAction: at(c, '/account/sign-in'),
    secondStepAction: at(c, '/account/second-step'),
    passkey: { options: '/account/passkeys/options', finish: '/account/passkeys/sign-in' },
    code: { page: at(c, '/account/code'), ask: at(c, '/account/code/send'), signIn: at(c, '/account/code/sign-in') },
    upstream: { providers: c.providers, start: (id) => at(c, `/account/idp/${encodeURIComponent(id)}`, `&csrf=${encodeURIComponent(c.csrf)}`) },
  };
}

/** Signing in with a code: asking for it (`to` unset) or typing it in; the password form one link away. */
export function codeSignInPage(c: AccountPage, options: { to?: string; sent?: boolean; refusal?: Refusal } = {}): Html {
  const forms = codeForms(c);
  const body = options.sent && options.to ? enterCodeForm(forms, { to: options.to, refusal: options.refusal }) : askCodeForm(forms, options);
  return codePage(
    c.lang,
    forms,
    body,
    html`<p><a href="${at(c, '/account')}">${c.common.code.withPassword}</a></p>
${otherLang(c)}`,
  );
}

/** A mailed link's page (GET spends nothing): the button in the browser that asked, the code elsewhere. */
export function linkPage(c: AccountPage, token: string, view: LinkView | null, refusal?: Refusal): Html {
  return codeLinkPage(c.lang, codeForms(c), at(c, '/account/code-link'), token, view, refusal);
}

const codeForms = (c: AccountPage): CodeForms => signInForms(c) as CodeForms;

/** Password first; the second step follows when the account has one. */
export function signInPage(c: AccountPage, refusal?: Refusal, login = '', notice?: string): Html {
  return page({
    lang: c.lang,
    title: c.t.signInTitle,
    main: html`<h1>${c.t.signInTitle}</h1>
${notice ? html`<p>${notice}</p>` : ''}
${passwordForm(signInForms(c), { login, refusal })}
${otherLang(c)}`,
    scripts: SIGN_IN_SCRIPTS,
  });
}

/** The second step: one code field (authenticator or recovery code), a passkey where the account has one. */
export function secondStepPage(c: AccountPage, mfaToken: string, passkey: boolean, refusal?: Refusal): Html {
  return sharedSecondStep(c.lang, signInForms(c), { mfaToken, passkey, refusal });
}

/** An organisation the account belongs to, or is invited to, as the dashboard lists it. */
export interface OrganizationLine {
  name: string;
  roles: string[];
  /** The invitation's id when it is one. */
  invitation?: string;
}

export interface Dashboard {
  /** Memberships, then pending invitations to the verified address. */
  organizations?: OrganizationLine[];
  user: User;
  factors: SecondFactorStatus;
  sessions: Session[];
  /** The account's linked upstream identities. */
  identities: Array<LinkedIdentity & { providerName: string }>;
  currentSessionId: string;
  notice?: string;
  refusal?: Refusal;
}

const status = (t: AccountTexts, value: string | null, verified: boolean) =>
  value ? html`${value} <span class="hint">(${verified ? t.verified : t.unverified})</span>` : html`${t.none}`;

/** A session's device in words ("Chrome on Linux"), the raw user agent on hover. */
function device(c: AccountPage, s: Session): Html {
  const named = describeDevice(s.userAgent);
  return html`<span title="${s.userAgent ?? ''}">${named ? c.common.device.named(named.browser, named.os) : c.common.device.unknown}</span>`;
}

/**
 * The fresh proof a change to the account's protection asks for
 * (core/second-factors/step-up.ts): the password and, with an authenticator
 * app, a code — each labelled with the action it confirms. An account
 * without a password is confirmed by its fresh sign-in with a code.
 */
function stepUpFields(c: AccountPage, d: Dashboard, id: string, action: string, withCode: boolean): Html {
  return html`${
    hasPassword(d.user)
      ? html`<label for="${id}-password">${c.t.confirmWithPassword(action)}</label>
<input id="${id}-password" name="password" type="password" autocomplete="current-password" required maxlength="1024">`
      : html`<p class="hint">${c.t.confirmedByCode}</p>`
  }
${
  withCode &&
  html`<label for="${id}-code">${c.t.confirmCode(action)}</label>
<input id="${id}-code" name="code" autocomplete="one-time-code" required maxlength="64">`
}`;
}

function twoStepSection(c: AccountPage, d: Dashboard): Html {
  const { t } = c;
  if (d.factors.totp !== 'active')
    return html`<p>${t.totpOff}</p>
${postForm(at(c, '/account/totp'), c.csrf, html`${stepUpFields(c, d, 'set-up-totp', t.setUpTotp, false)}<button type="submit">${t.setUpTotp}</button>`, 'stack')}`;
  return html`<p>${t.totpActive}</p>
<p>${t.recoveryLeft(d.factors.recoveryCodesLeft)}</p>
${postForm(at(c, '/account/recovery-codes'), c.csrf, html`${stepUpFields(c, d, 'codes', t.regenerate, true)}<button type="submit">${t.regenerate}</button>`, 'stack')}
${postForm(
  at(c, '/account/totp/remove'),
  c.csrf,
  html`${stepUpFields(c, d, 'remove-totp', t.removeTotp, true)}<button type="submit" class="secondary">${t.removeTotp}</button>`,
  'stack',
)}`;
}

function passkeySection(c: AccountPage, d: Dashboard): Html {
  const { t } = c;
  const withCode = d.factors.totp === 'active';
  const items = d.factors.passkeys.map(
    (p, i) => html`<li><strong>${p.name}</strong>
${postForm(
  at(c, '/account/passkeys/rename'),
  c.csrf,
  html`<input type="hidden" name="id" value="${p.id}">
<label for="rename-${i}">${t.renamePasskey(p.name)}</label>
<div class="row"><input id="rename-${i}" name="name" maxlength="64" required value="${p.name}"><button type="submit" class="secondary">${t.rename}</button></div>`,
  'stack',
)}
${postForm(
  at(c, '/account/passkeys/remove'),
  c.csrf,
  html`<input type="hidden" name="id" value="${p.id}">
${stepUpFields(c, d, `passkey-${i}`, t.removePasskey(p.name), withCode)}
<button type="submit" class="secondary">${t.removePasskey(p.name)}</button>`,
  'stack',
)}</li>`,
  );
  return html`<ul class="sessions">
${items}
</ul>
<div data-passkey-block hidden>
<p class="error" role="alert" id="passkey-error" hidden></p>
<label for="passkey-name">${t.passkeyName}</label>
<input id="passkey-name" maxlength="64" value="${t.passkeyDefaultName}">
${
  hasPassword(d.user)
    ? html`<label for="add-passkey-password">${t.confirmWithPassword(t.addPasskey)}</label>
<input id="add-passkey-password" type="password" autocomplete="current-password" maxlength="1024" data-step-up="password">`
    : html`<p class="hint">${t.confirmedByCode}</p>`
}
${
  withCode &&
  html`<label for="add-passkey-code">${t.confirmCode(t.addPasskey)}</label>
<input id="add-passkey-code" autocomplete="one-time-code" maxlength="64" data-step-up="code">`
}
<button type="button" data-passkey="add">${t.addPasskey}</button>
</div>`;
}

function sessionsSection(c: AccountPage, d: Dashboard): Html {
  const { t } = c;
  const items = d.sessions.map(
    (s) =>
      html`<li>${device(c, s)} · ${s.ip ?? '—'} · ${t.lastSeen} ${new Date(s.lastSeenAt).toISOString().slice(0, 16).replace('T', ' ')} UTC${
        s.id === d.currentSessionId
          ? html` <strong>(${t.thisDevice})</strong>`
          : postForm(
              at(c, '/account/sessions/end'),
              c.csrf,
              html`<input type="hidden" name="id" value="${s.id}"><button type="submit" class="secondary">${t.endSession}</button>`,
              'inline',
            )
      }</li>`,
  );
  return html`<ul class="sessions">
${items}
</ul>`;
}

/** The signed-in page: profile, two-step verification, passkeys, devices, password, sign out. */
/** The linked identities, each with its unlink form, and a link button per enabled provider not linked yet. */
function identitiesSection(c: AccountPage, d: Dashboard): Html {
  const { t } = c;
  const linked = new Set(d.identities.map((i) => i.providerId));
  const list = d.identities.length
    ? html`<ul class="identities">
${d.identities.map(
  (i) => html`<li>${i.providerName} <span class="hint">(${t.identityLinkedAt(i.email)})</span>
${postForm(
  at(c, '/account/identities/unlink'),
  c.csrf,
  html`<input type="hidden" name="issuer" value="${i.issuer}"><input type="hidden" name="subject" value="${i.subject}">
<button type="submit" class="secondary">${t.unlink}</button>`,
)}</li>`,
)}
</ul>`
    : html`<p>${t.noIdentities}</p>`;
  const more = c.providers.filter((p) => !linked.has(p.id));
  return html`${list}
${more.map((p) => html`<p><a class="button secondary" href="${at(c, `/account/identities/link/${encodeURIComponent(p.id)}`, `&csrf=${encodeURIComponent(c.csrf)}`)}">${t.linkProvider(p.name)}</a></p>`)}`;
}

export function dashboardPage(c: AccountPage, d: Dashboard): Html {
  const { t } = c;
  return page({
    lang: c.lang,
    title: t.accountTitle,
    main: html`<h1>${t.accountTitle}</h1>
${alert(d.notice, 'ok')}${alert(d.refusal && c.common.refusals[d.refusal])}
<section aria-labelledby="profile">
<h2 id="profile">${t.profile}</h2>
<dl>
<dt>${t.username}</dt><dd>${d.user.username ?? t.none}</dd>
<dt>${t.email}</dt><dd>${status(t, d.user.email, d.user.isEmailVerified)}</dd>
<dt>${t.phone}</dt><dd>${status(t, d.user.phone, d.user.isPhoneVerified)}</dd>
</dl>
</section>
<section aria-labelledby="organizations">
<h2 id="organizations">${t.organizations}</h2>
${organizationsSection(c, d.organizations ?? [])}
</section>
<section aria-labelledby="two-step">
<h2 id="two-step">${t.twoStep}</h2>
${twoStepSection(c, d)}
</section>
<section aria-labelledby="passkeys">
<h2 id="passkeys">${t.passkeys}</h2>
${passkeySection(c, d)}
</section>
<section aria-labelledby="identities">
<h2 id="identities">${t.identities}</h2>
${identitiesSection(c, d)}
</section>
<section aria-labelledby="devices">
<h2 id="devices">${t.sessions}</h2>
${sessionsSection(c, d)}
</section>
<section aria-labelledby="change-password">
<h2 id="change-password">${hasPassword(d.user) ? t.changePassword : t.setPassword}</h2>
${hasPassword(d.user) ? '' : html`<p>${t.noPassword}</p>`}
${postForm(
  at(c, '/account/password'),
  c.csrf,
  html`${
    hasPassword(d.user) &&
    html`<label for="old_password">${t.oldPassword}</label>
<input id="old_password" name="old_password" type="password" autocomplete="current-password" required maxlength="1024">`
  }
<label for="new_password">${t.newPassword}</label>
<input id="new_password" name="new_password" type="password" autocomplete="new-password" required minlength="8" maxlength="128">
${
  d.factors.totp === 'active' &&
  html`<label for="change-password-code">${t.confirmCode(t.changePassword)}</label>
<input id="change-password-code" name="code" autocomplete="one-time-code" required maxlength="64">`
}
<button type="submit">${t.change}</button>`,
  'stack',
)}
</section>
${postForm(at(c, '/account/sign-out'), c.csrf, html`<button type="submit" class="secondary">${t.signOut}</button>`)}
${otherLang(c)}`,
    scripts: SIGN_IN_SCRIPTS,
  });
}

/** My organisations with my roles, and the invitations waiting for my verified address (join or decline). */
function organizationsSection(c: AccountPage, lines: OrganizationLine[]): Html {
  const { t } = c;
  const members = lines.filter((l) => !l.invitation);
  const invited = lines.filter((l) => l.invitation);
  return html`${members.length === 0 ? html`<p>${t.noOrganizations}</p>` : html`<ul>${members.map((m) => html`<li>${m.name} (${t.roles(m.roles.join(', '))})</li>`)}</ul>`}
${invited.map(
  (i) => html`<p>${t.invitedTo(i.name, i.roles.join(', '))}</p>
${postForm(at(c, '/account/invitations/accept'), c.csrf, html`<input type="hidden" name="id" value="${i.invitation!}"><button type="submit">${t.acceptInvitation(i.name)}</button>`)}
${postForm(at(c, '/account/invitations/decline'), c.csrf, html`<input type="hidden" name="id" value="${i.invitation!}"><button type="submit" class="secondary">${t.declineInvitation(i.name)}</button>`)}`,
)}`;
}

/** Setting up the authenticator app: the QR code inline (SVG), the key as text, the otpauth URI, and the confirming code. */
export function totpSetupPage(
  c: AccountPage,
  setup: { secret: string; otpauthUri: string; qrSvg: string },
  options: { refusal?: Refusal; required?: string } = {},
): Html {
  const { t } = c;
  return page({
    lang: c.lang,
    title: t.setupTitle,
    main: html`<h1>${t.setupTitle}</h1>
${options.required && html`<p><strong>${options.required}</strong></p>`}
<p>${t.setupIntro}</p>
${alert(options.refusal && c.common.refusals[options.refusal])}
<figure class="qr" role="img" aria-label="${t.uri}">${trusted(setup.qrSvg)}</figure>
<p>${t.secret}: <code class="secret">${setup.secret.replace(/(.{4})/g, '$1 ').trim()}</code></p>
<p class="hint">${t.uri}: <code class="uri">${setup.otpauthUri}</code></p>
${postForm(
  at(c, '/account/totp/confirm'),
  c.csrf,
  html`<label for="code">${t.code}</label>
<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required>
<button type="submit">${t.confirm}</button>`,
  'stack',
)}`,
  });
}

/** Recovery codes, shown this once; `next` is where to go on (the console, for staff sent here to enrol). */
export function recoveryCodesPage(c: AccountPage, codes: string[], notice?: string, next?: { href: string; label: string }): Html {
  const { t } = c;
  return page({
    lang: c.lang,
    title: t.codesTitle,
    main: html`<h1>${t.codesTitle}</h1>
${alert(notice, 'ok')}
<p>${t.codesIntro}</p>
<ol class="codes">
${codes.map((code) => html`<li><code>${code}</code></li>`)}
</ol>
<p><a href="${next?.href ?? at(c, '/account')}">${next?.label ?? t.continue}</a></p>`,
  });
}
