import type { StoredAuditEvent } from '../../core/ports/audit-log.ts';
import { AUDIT_TYPES } from '../../core/ports/audit-log.ts';
import type { User } from '../../core/ports/user-store.ts';
import { type AccountFile, deleteConfirmation, type StaffAction } from '../../core/staff.ts';
import type { CheckResult } from '../../health/installation-checks.ts';
import type { AccountAction, Texts } from './i18n.ts';
import { consolePage, e, type Frame, form, href, when } from './layout.ts';

const label = (u: User) => u.email ?? u.username ?? u.uuid;

/** The sign-in form: the one login, through the core. */
export function signInPage(frame: Frame, csrf: string, error?: string, login = ''): string {
  const { t, lang } = frame;
  const alert = error ? `<p class="error" role="alert" id="form-error">${e(error)}</p>` : '';
  return consolePage(
    frame,
    t.signInTitle,
    `<section class="narrow">
<h1>${e(t.signInTitle)}</h1>
<p>${e(t.signInIntro)}</p>
${form(
  href(lang, '/admin/sign-in'),
  csrf,
  `<label for="login">${e(t.login)}</label>
<input id="login" name="login" autocomplete="username" required maxlength="254" value="${e(login)}"${error ? ' aria-invalid="true" aria-describedby="form-error"' : ''}>
<label for="password">${e(t.password)}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024">
${alert}
<button type="submit">${e(t.signIn)}</button>`,
  'stack',
)}
</section>`,
  );
}

/** The sign-in's second step: a TOTP or recovery code for the mfa_token the password step gave. */
export function secondStepPage(frame: Frame, csrf: string, mfaToken: string, error?: string): string {
  const { t, lang } = frame;
  const alert = error ? `<p class="error" role="alert" id="form-error">${e(error)}</p>` : '';
  return consolePage(
    frame,
    t.secondStepTitle,
    `<section class="narrow">
<h1>${e(t.secondStepTitle)}</h1>
<p id="code-hint">${e(t.secondStepIntro)}</p>
${form(
  href(lang, '/admin/sign-in/second-step'),
  csrf,
  `<input type="hidden" name="mfa_token" value="${e(mfaToken)}">
<label for="code">${e(t.code)}</label>
<input id="code" name="code" autocomplete="one-time-code" required maxlength="64" aria-describedby="code-hint${error ? ' form-error" aria-invalid="true' : ''}">
${alert}
<button type="submit">${e(t.verifyCode)}</button>`,
  'stack',
)}
</section>`,
  );
}

/** A result or a refusal, in words, with the way back. */
export function messagePage(frame: Frame, title: string, text: string): string {
  return consolePage(
    frame,
    title,
    `<h1 class="error-title">${e(title)}</h1>
<p role="alert">${e(text)}</p>
<p><a href="${e(href(frame.lang, '/admin'))}">${e(frame.t.back)}</a></p>`,
  );
}

const flash = (text: string | undefined) => (text ? `<p class="flash" role="status">${e(text)}</p>` : '');

/** Search and the page of results. */
export function accountsPage(frame: Frame, q: string, page: number, users: User[], hasNext: boolean, done?: string): string {
  const { t, lang } = frame;
  const rows = users
    .map(
      (u) => `<tr>
<td><a href="${e(href(lang, `/admin/accounts/${u.uuid}`))}">${e(label(u))}</a></td>
<td>${e(u.username ?? '')}</td>
<td>${e(u.phone ?? '')}</td>
<td>${e(t.statuses[u.status])}</td>
<td>${e(when(u.lastLoginAt, t))}</td>
</tr>`,
    )
    .join('\n');
  const pager = [
    page > 1 ? `<a href="${e(href(lang, '/admin', { q, page: page - 1 }))}" rel="prev">${e(t.previous)}</a>` : '',
    `<span>${e(t.page(page))}</span>`,
    hasNext ? `<a href="${e(href(lang, '/admin', { q, page: page + 1 }))}" rel="next">${e(t.next)}</a>` : '',
  ].join(' ');
  return consolePage(
    { ...frame, current: 'accounts' },
    t.accounts,
    `<h1>${e(t.accounts)}</h1>
${flash(done)}
<form method="get" action="/admin" class="search" role="search">
<input type="hidden" name="lang" value="${lang}">
<label for="q">${e(t.searchLabel)}</label>
<div class="row"><input id="q" name="q" type="search" maxlength="254" value="${e(q)}" aria-describedby="q-hint"><button type="submit">${e(t.search)}</button></div>
<p class="hint" id="q-hint">${e(t.searchHint)}</p>
</form>
${
  users.length
    ? `<div class="scroll" role="region" tabindex="0" aria-label="${e(t.accounts)}"><table>
<caption class="visually-hidden">${e(t.accounts)}</caption>
<thead><tr><th scope="col">${e(t.email)}</th><th scope="col">${e(t.username)}</th><th scope="col">${e(t.phone)}</th><th scope="col">${e(t.status)}</th><th scope="col">${e(t.lastLogin)}</th></tr></thead>
<tbody>
${rows}
</tbody>
</table></div>`
    : `<p>${e(t.noResults)}</p>`
}
<nav class="pager" aria-label="${e(t.page(page))}">${pager}</nav>`,
  );
}

/** One account: profile, state, sessions, recent events, and the actions the signed-in staff member may take. */
export function accountPage(
  frame: Frame,
  file: AccountFile,
  events: StoredAuditEvent[],
  names: ReadonlyMap<number, User>,
  may: (action: StaffAction) => boolean,
  done?: string,
  error?: string,
): string {
  const { t, lang } = frame;
  const { user } = file;
  const csrf = frame.csrf ?? '';
  const act = (action: AccountAction) => href(lang, `/admin/accounts/${user.uuid}/${action}`);
  const button = (action: AccountAction, text: string, danger = false) =>
    form(act(action), csrf, `<button type="submit"${danger ? ' class="danger"' : ''}>${e(text)}</button>`);
  const flag = (verified: boolean) => `<span class="tag ${verified ? 'ok' : 'warn'}">${e(verified ? t.verified : t.unverified)}</span>`;
  const role = user.isSuperuser ? t.roles.superuser : user.isStaff ? t.roles.staff : t.roles.user;
  const lock = file.lockedUntil !== null ? `<span class="tag warn">${e(t.lockedUntil(when(file.lockedUntil, t)))}</span>` : e(t.failures(file.failures));
  const sessions = file.sessions.length
    ? `<div class="scroll" role="region" tabindex="0" aria-label="${e(t.sessions)}"><table>
<caption class="visually-hidden">${e(t.sessions)}</caption>
<thead><tr><th scope="col">${e(t.device)}</th><th scope="col">${e(t.address)}</th><th scope="col">${e(t.started)}</th><th scope="col">${e(t.lastSeen)}</th>${may('end-sessions') ? `<th scope="col"><span class="visually-hidden">${e(t.actions)}</span></th>` : ''}</tr></thead>
<tbody>
${file.sessions
  .map(
    (s) =>
      `<tr><td class="ua">${e(s.userAgent ?? '—')}</td><td>${e(s.ip ?? '—')}</td><td>${e(when(s.createdAt, t))}</td><td>${e(when(s.lastSeenAt, t))}</td>${
        may('end-sessions')
          ? `<td>${form(act('end-session'), csrf, `<input type="hidden" name="session" value="${e(s.id)}"><button type="submit" class="small">${e(t.endSession)}</button>`)}</td>`
          : ''
      }</tr>`,
  )
  .join('\n')}
</tbody>
</table></div>`
    : `<p>${e(t.noSessions)}</p>`;
  const actions = [
    may('reset-factors') && (file.factors.totp !== 'none' || file.factors.recoveryCodesLeft > 0 || file.factors.passkeys.length > 0)
      ? button('reset-factors', t.resetFactors, true)
      : '',
    may('unlock') && (file.lockedUntil !== null || file.failures > 0) ? button('unlock', t.unlock) : '',
    may('end-sessions') && file.sessions.length ? button('end-sessions', t.endSessions) : '',
    may('send-mail') && user.email ? button('send-reset', t.sendReset) : '',
    may('send-mail') && user.email && !user.isEmailVerified ? button('resend-verification', t.resendVerification) : '',
    may('verify') && user.email && !user.isEmailVerified ? button('verify-email', t.verifyEmail) : '',
    may('verify') && user.phone && !user.isPhoneVerified ? button('verify-phone', t.verifyPhone) : '',
    may('set-status') ? (user.status === 'active' ? button('disable', t.disable, true) : button('enable', t.enable)) : '',
    may('set-role') ? (user.isStaff ? button('revoke-staff', t.roleActions['revoke-staff'], true) : button('grant-staff', t.roleActions['grant-staff'])) : '',
    may('set-role')
      ? user.isSuperuser
        ? button('revoke-superuser', t.roleActions['revoke-superuser'], true)
        : button('grant-superuser', t.roleActions['grant-superuser'], true)
      : '',
  ]
    .filter(Boolean)
    .join('\n');
  const changeEmail = may('change-email')
    ? `<h3>${e(t.changeEmail)}</h3>
${form(
  act('change-email'),
  csrf,
  `<label for="email">${e(t.newEmail)}</label>
<div class="row"><input id="email" name="email" type="email" required maxlength="254" autocomplete="off"><button type="submit">${e(t.changeEmail)}</button></div>`,
  'stack',
)}`
    : '';
  const remove = may('delete')
    ? `<h3>${e(t.deleteTitle)}</h3>
${form(
  act('delete'),
  csrf,
  `<label for="confirm">${e(t.deleteConfirm)}</label>
<p class="hint" id="confirm-hint">${e(t.deleteHint(deleteConfirmation(user)))}</p>
<div class="row"><input id="confirm" name="confirm" required maxlength="254" autocomplete="off" aria-describedby="confirm-hint"><button type="submit" class="danger">${e(t.deleteButton)}</button></div>`,
  'stack',
)}`
    : '';
  return consolePage(
    { ...frame, current: 'accounts' },
    label(user),
    `<p><a href="${e(href(lang, '/admin'))}">${e(t.accounts)}</a></p>
<h1>${e(label(user))}</h1>
${flash(done)}
${error ? `<p class="error" role="alert">${e(error)}</p>` : ''}
<section aria-labelledby="profile"><h2 id="profile">${e(t.profile)}</h2>
<dl class="facts">
<dt>${e(t.uuid)}</dt><dd><code>${e(user.uuid)}</code></dd>
<dt>${e(t.email)}</dt><dd>${user.email ? `${e(user.email)} ${flag(user.isEmailVerified)}` : '—'}</dd>
<dt>${e(t.username)}</dt><dd>${e(user.username ?? '—')}</dd>
<dt>${e(t.phone)}</dt><dd>${user.phone ? `${e(user.phone)} ${flag(user.isPhoneVerified)}` : '—'}</dd>
<dt>${e(t.name)}</dt><dd>${e(user.fullName ?? '—')}</dd>
<dt>${e(t.role)}</dt><dd>${e(role)}</dd>
<dt>${e(t.status)}</dt><dd><span class="tag ${user.status === 'active' ? 'ok' : 'warn'}">${e(t.statuses[user.status])}</span></dd>
<dt>${e(t.lock)}</dt><dd>${lock}</dd>
<dt>${e(t.created)}</dt><dd>${e(when(user.createdAt, t))}</dd>
<dt>${e(t.lastLogin)}</dt><dd>${e(when(user.lastLoginAt, t))}</dd>
<dt>${e(t.loginCount)}</dt><dd>${user.loginCount}</dd>
</dl></section>
<section aria-labelledby="factors"><h2 id="factors">${e(t.secondFactors)}</h2>
<dl class="facts">
<dt>${e(t.authenticator)}</dt><dd>${e(t.factorStates[file.factors.totp])}</dd>
<dt>${e(t.recoveryCodes)}</dt><dd>${file.factors.recoveryCodesLeft}</dd>
<dt>${e(t.passkeys)}</dt><dd>${
      file.factors.passkeys.length
        ? `<ul class="plain">${file.factors.passkeys.map((p) => `<li>${e(t.passkeyLine(p.name, when(p.createdAt, t), when(p.lastUsedAt, t)))}</li>`).join('')}</ul>`
        : e(t.noPasskeys)
    }</dd>
</dl></section>
<section aria-labelledby="sessions"><h2 id="sessions">${e(t.sessions)}</h2>
${sessions}</section>
${actions || changeEmail || remove ? `<section aria-labelledby="actions"><h2 id="actions">${e(t.actions)}</h2><div class="buttons">${actions}</div>${changeEmail}${remove}</section>` : ''}
<section aria-labelledby="trail"><h2 id="trail">${e(t.accountTrail)}</h2>
${eventTable(t, lang, events, names)}
<p><a href="${e(href(lang, '/admin/audit', { account: user.uuid }))}">${e(t.allEvents)}</a></p></section>`,
  );
}

function eventTable(t: Texts, lang: Frame['lang'], events: StoredAuditEvent[], names: ReadonlyMap<number, User>): string {
  if (!events.length) return `<p>${e(t.noEvents)}</p>`;
  const who = (id: number | null) => {
    if (id === null) return '—';
    const u = names.get(id);
    return u ? `<a href="${e(href(lang, `/admin/accounts/${u.uuid}`))}">${e(label(u))}</a>` : `#${id}`;
  };
  return `<div class="scroll" role="region" tabindex="0" aria-label="${e(t.audit)}"><table>
<caption class="visually-hidden">${e(t.audit)}</caption>
<thead><tr><th scope="col">${e(t.when)}</th><th scope="col">${e(t.event)}</th><th scope="col">${e(t.account)}</th><th scope="col">${e(t.actor)}</th><th scope="col">${e(t.address)}</th><th scope="col">${e(t.detail)}</th></tr></thead>
<tbody>
${events
  .map(
    (ev) =>
      `<tr><td>${e(when(ev.at, t))}</td><td>${e(t.events[ev.type] ?? ev.type)}</td><td>${who(ev.userId)}</td><td>${who(ev.actorId)}</td><td>${e(ev.ip ?? '—')}</td><td>${e(ev.detail ?? '')}</td></tr>`,
  )
  .join('\n')}
</tbody>
</table></div>`;
}

export interface AuditFilter {
  account: string;
  type: string;
  from: string;
  to: string;
}

/** The audit trail with its filter, a page of events, the way to older ones and the CSV export of the same filter. */
export function auditPage(
  frame: Frame,
  filter: AuditFilter,
  events: StoredAuditEvent[],
  names: ReadonlyMap<number, User>,
  olderThan?: number,
  error?: string,
): string {
  const { t, lang } = frame;
  const options = [
    `<option value="">${e(t.anyEvent)}</option>`,
    ...AUDIT_TYPES.map((type) => `<option value="${type}"${filter.type === type ? ' selected' : ''}>${e(t.events[type])}</option>`),
  ].join('');
  const query = { account: filter.account, type: filter.type, from: filter.from, to: filter.to };
  return consolePage(
    { ...frame, current: 'audit' },
    t.audit,
    `<h1>${e(t.audit)}</h1>
<form method="get" action="/admin/audit" class="filters">
<input type="hidden" name="lang" value="${lang}">
<div><label for="account">${e(t.accountFilter)}</label><input id="account" name="account" maxlength="254" value="${e(filter.account)}"></div>
<div><label for="type">${e(t.event)}</label><select id="type" name="type">${options}</select></div>
<div><label for="from">${e(t.from)}</label><input id="from" name="from" type="datetime-local" value="${e(filter.from)}"></div>
<div><label for="to">${e(t.to)}</label><input id="to" name="to" type="datetime-local" value="${e(filter.to)}"></div>
<div class="end"><button type="submit">${e(t.filter)}</button></div>
</form>
${error ? `<p class="error" role="alert">${e(error)}</p>` : ''}
<p><a href="${e(href(lang, '/admin/audit.csv', query))}" download>${e(t.exportCsv)}</a></p>
${eventTable(t, lang, events, names)}
${olderThan !== undefined ? `<p><a href="${e(href(lang, '/admin/audit', { ...query, before: olderThan }))}" rel="next">${e(t.olderEvents)}</a></p>` : ''}`,
  );
}

export interface Headlines {
  logins: number;
  failures: number;
  lockouts: number;
  serverErrors: number;
}

/** What `gatehouse doctor` says, and the last hour in four numbers. */
export function healthPage(frame: Frame, checks: CheckResult[], numbers: Headlines): string {
  const { t } = frame;
  const metric = (name: string, n: number) => `<div class="metric"><dt>${e(name)}</dt><dd>${n}</dd></div>`;
  return consolePage(
    { ...frame, current: 'health' },
    t.health,
    `<h1>${e(t.health)}</h1>
<section aria-labelledby="hour"><h2 id="hour">${e(t.lastHour)}</h2>
<dl class="metrics">${metric(t.logins, numbers.logins)}${metric(t.loginFailures, numbers.failures)}${metric(t.lockouts, numbers.lockouts)}${metric(t.serverErrors, numbers.serverErrors)}</dl></section>
<section aria-labelledby="checks"><h2 id="checks">${e(t.checks)}</h2>
<div class="scroll" role="region" tabindex="0" aria-label="${e(t.checks)}"><table>
<caption class="visually-hidden">${e(t.checks)}</caption>
<thead><tr><th scope="col">${e(t.check)}</th><th scope="col">${e(t.result)}</th><th scope="col">${e(t.detail)}</th></tr></thead>
<tbody>
${checks.map((c) => `<tr><td>${e(c.name)}</td><td><span class="tag ${c.ok ? 'ok' : 'warn'}">${e(c.ok ? t.ok : t.problem)}</span></td><td>${e(c.text)}</td></tr>`).join('\n')}
</tbody>
</table></div></section>`,
  );
}
