import type { MembershipOf } from '../../core/ports/organization-store.ts';
import type { StoredAuditEvent } from '../../core/ports/audit-log.ts';
import type { Session } from '../../core/ports/session-store.ts';
import { type AccountFile, deleteConfirmation, type StaffAction } from '../../core/staff.ts';
import type { AccountAction } from '../../texts/console.ts';
import { describeDevice } from '../shared/html/device.ts';
import { postForm, typedConfirmForm } from '../shared/html/forms.ts';
import { type Html, html } from '../shared/html/template.ts';
import { eventTable, type Names } from './audit-views.ts';
import { type ConsolePage, consolePage, flash, href, when } from './layout.ts';
import { accountName } from './search-views.ts';
import { dataTable, tag } from './tables.ts';

/** What the signed-in staff member may do (core/staff.ts, staffMay): the page offers only that. */
type May = (action: StaffAction) => boolean;

/** A session's device in words ("Chrome on Linux"), the raw user agent on hover. */
function device(c: ConsolePage, s: Session): Html {
  const named = describeDevice(s.userAgent);
  return html`<span title="${s.userAgent ?? ''}">${named ? c.common.device.named(named.browser, named.os) : c.common.device.unknown}</span>`;
}

/** The account's live sessions, each with its end button for those who may. */
function sessionsTable(c: ConsolePage, file: AccountFile, may: May, act: (a: AccountAction) => string): Html {
  const { t } = c;
  if (!file.sessions.length) return html`<p>${t.noSessions}</p>`;
  const mayEnd = may('end-sessions');
  const end = (s: Session) =>
    postForm(
      act('end-session'),
      c.csrf,
      html`<input type="hidden" name="session" value="${s.id}"><button type="submit" class="small">${t.actionLabels['end-session']}</button>`,
      'inline',
    );
  return dataTable(
    t.sessions,
    [t.device, t.address, t.started, t.lastSeen, ...(mayEnd ? [html`<span class="visually-hidden">${t.actions}</span>`] : [])],
    file.sessions.map((s) => [device(c, s), s.ip ?? '—', when(s.createdAt, t), when(s.lastSeenAt, t), ...(mayEnd ? [end(s)] : [])]),
  );
}

/** The identities linked at upstream providers, each with its unlink button for superusers (core/staff.ts: never the last way in). */
function identitiesTable(c: ConsolePage, file: AccountFile, may: May, act: (a: AccountAction) => string): Html {
  const { t } = c;
  if (!file.identities.length) return html`<p>${t.noIdentities}</p>`;
  const mayUnlink = may('unlink-identity');
  const unlink = (i: AccountFile['identities'][number]) =>
    postForm(
      act('unlink-identity'),
      c.csrf,
      html`<input type="hidden" name="issuer" value="${i.issuer}"><input type="hidden" name="subject" value="${i.subject}"><button type="submit" class="small danger">${t.actionLabels['unlink-identity']}</button>`,
      'inline',
    );
  return dataTable(
    t.identities,
    [t.provider, t.subject, t.providerEmail, t.linked, t.lastUsed, ...(mayUnlink ? [html`<span class="visually-hidden">${t.actions}</span>`] : [])],
    file.identities.map((i) => [
      html`${i.providerName} <code>${i.providerId}</code>`,
      html`<code>${i.subject}</code>`,
      i.email ? html`${i.email} ${tag(i.emailVerified, i.emailVerified ? t.verified : t.unverified)}` : '—',
      when(i.createdAt, t),
      when(i.lastUsedAt, t),
      ...(mayUnlink ? [unlink(i)] : []),
    ]),
  );
}

/** The buttons of the actions this staff member may take on this account, in its present state. */
function actionButtons(c: ConsolePage, file: AccountFile, may: May, act: (a: AccountAction) => string): Html[] {
  const { user, factors } = file;
  const button = (action: AccountAction, danger = false) =>
    postForm(act(action), c.csrf, html`<button type="submit"${danger ? html` class="danger"` : ''}>${c.t.actionLabels[action]}</button>`, 'inline');
  const hasFactors = factors.totp !== 'none' || factors.recoveryCodesLeft > 0 || factors.passkeys.length > 0;
  const mailable = Boolean(user.email);
  const offered: Array<[boolean, AccountAction, boolean?]> = [
    [may('reset-factors') && hasFactors, 'reset-factors', true],
    [may('unlock') && (file.lockedUntil !== null || file.failures > 0), 'unlock'],
    [may('end-sessions') && file.sessions.length > 0, 'end-sessions'],
    [may('send-mail') && mailable, 'send-reset'],
    [may('send-mail') && mailable && !user.isEmailVerified, 'resend-verification'],
    [may('verify') && mailable && !user.isEmailVerified, 'verify-email'],
    [may('verify') && Boolean(user.phone) && !user.isPhoneVerified, 'verify-phone'],
    [may('set-status'), user.status === 'active' ? 'disable' : 'enable', user.status === 'active'],
    [may('set-role'), user.isStaff ? 'revoke-staff' : 'grant-staff', user.isStaff],
    [may('set-role'), user.isSuperuser ? 'revoke-superuser' : 'grant-superuser', true],
  ];
  return offered.filter(([shown]) => shown).map(([, action, danger]) => button(action, danger));
}

/** Changing the email and deleting: forms with a field, for superusers. */
function superuserForms(c: ConsolePage, file: AccountFile, may: May, act: (a: AccountAction) => string): Html {
  const { t } = c;
  const changeEmail =
    may('change-email') &&
    html`<h3>${t.actionLabels['change-email']}</h3>
${postForm(
  act('change-email'),
  c.csrf,
  html`<label for="email">${t.newEmail}</label>
<div class="row"><input id="email" name="email" type="email" required maxlength="254" autocomplete="off"><button type="submit">${t.actionLabels['change-email']}</button></div>`,
  'stack',
)}`;
  const remove =
    may('delete') &&
    html`<h3>${t.deleteTitle}</h3>
${typedConfirmForm(act('delete'), c.csrf, { label: t.deleteConfirm, hint: t.deleteHint(deleteConfirmation(file.user)), button: t.actionLabels.delete }, 254)}`;
  return html`${changeEmail}${remove}`;
}

/** The account's facts: who, what role and state, since when. */
function profile(c: ConsolePage, file: AccountFile): Html {
  const { t } = c;
  const { user } = file;
  const flagged = (value: string | null, verified: boolean) => (value ? html`${value} ${tag(verified, verified ? t.verified : t.unverified)}` : '—');
  const role = user.isSuperuser ? t.roles.superuser : user.isStaff ? t.roles.staff : t.roles.user;
  const lock = file.lockedUntil !== null ? tag(false, t.lockedUntil(when(file.lockedUntil, t))) : t.failures(file.failures);
  return html`<dl class="facts">
<dt>${t.uuid}</dt><dd><code>${user.uuid}</code></dd>
<dt>${t.email}</dt><dd>${flagged(user.email, user.isEmailVerified)}</dd>
<dt>${t.username}</dt><dd>${user.username ?? '—'}</dd>
<dt>${t.phone}</dt><dd>${flagged(user.phone, user.isPhoneVerified)}</dd>
<dt>${t.name}</dt><dd>${user.fullName ?? '—'}</dd>
<dt>${t.role}</dt><dd>${role}</dd>
<dt>${t.status}</dt><dd>${tag(user.status === 'active', t.statuses[user.status])}</dd>
<dt>${t.lock}</dt><dd>${lock}</dd>
<dt>${t.created}</dt><dd>${when(user.createdAt, t)}</dd>
<dt>${t.lastLogin}</dt><dd>${when(user.lastLoginAt, t)}</dd>
<dt>${t.loginCount}</dt><dd>${user.loginCount}</dd>
</dl>`;
}

/** The account's second factors, as staff see them when the owner has lost one. */
function factorFacts(c: ConsolePage, file: AccountFile): Html {
  const { t } = c;
  const { factors } = file;
  const passkeys = factors.passkeys.map((p) => html`<li>${t.passkeyLine(p.name, when(p.createdAt, t), when(p.lastUsedAt, t))}</li>`);
  return html`<dl class="facts">
<dt>${t.authenticator}</dt><dd>${t.factorStates[factors.totp]}</dd>
<dt>${t.recoveryCodes}</dt><dd>${factors.recoveryCodesLeft}</dd>
<dt>${t.passkeys}</dt><dd>${passkeys.length ? html`<ul class="plain">${passkeys}</ul>` : t.noPasskeys}</dd>
</dl>`;
}

/** One account: profile, second factors, sessions, recent events, and the actions the signed-in staff member may take. */
export function accountPage(
  c: ConsolePage,
  file: AccountFile,
  trail: { events: StoredAuditEvent[]; names: Names },
  may: May,
  done?: string,
  memberships: MembershipOf[] = [],
): Html {
  const { t, lang } = c;
  const { user } = file;
  const act = (action: AccountAction) => href(lang, `/admin/accounts/${user.uuid}/${action}`);
  const buttons = actionButtons(c, file, may, act);
  const forms = superuserForms(c, file, may, act);
  const actions =
    (buttons.length > 0 || may('change-email') || may('delete')) &&
    html`<section aria-labelledby="actions"><h2 id="actions">${t.actions}</h2><div class="buttons">${buttons}</div>${forms}</section>`;
  return consolePage(c, {
    title: accountName(user),
    current: 'accounts',
    main: html`<p><a href="${href(lang, '/admin')}">${t.accounts}</a></p>
<h1>${accountName(user)}</h1>
${flash(done)}
<section aria-labelledby="profile"><h2 id="profile">${t.profile}</h2>
${profile(c, file)}</section>
<section aria-labelledby="factors"><h2 id="factors">${t.secondFactors}</h2>
${factorFacts(c, file)}</section>
<section aria-labelledby="identities"><h2 id="identities">${t.identities}</h2>
${identitiesTable(c, file, may, act)}</section>
<section aria-labelledby="sessions"><h2 id="sessions">${t.sessions}</h2>
${sessionsTable(c, file, may, act)}</section>
<section aria-labelledby="memberships"><h2 id="memberships">${t.orgTexts.memberships}</h2>
${
  memberships.length
    ? dataTable(
        t.orgTexts.memberships,
        [t.orgTexts.name, t.orgTexts.roles, t.orgTexts.joined],
        memberships.map((m) => [
          html`<a href="${href(lang, `/admin/organizations/${m.organization.id}`)}">${m.organization.name}</a>`,
          m.roles.join(', '),
          when(m.createdAt, t),
        ]),
      )
    : html`<p>${t.orgTexts.noMemberships}</p>`
}</section>
${actions}
<section aria-labelledby="trail"><h2 id="trail">${t.accountTrail}</h2>
${eventTable(c, trail.events, trail.names)}
<p><a href="${href(lang, '/admin/audit', { account: user.uuid })}">${t.allEvents}</a></p></section>`,
  });
}
