// The staff console over HTTP, as a browser without JavaScript sees it: the
// one login, who may see and do what (403 for everyone else), CSRF on every
// form, each action's effect and its audit event naming the staff member, the
// search, the audit trail (filters, CSV) and health. Runs on SQLite and on
// PostgreSQL + Redis (GATEHOUSE_TEST_BACKEND).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generateSync } from 'otplib';
import { fail } from '../../../src/core/errors.ts';
import type { User } from '../../../src/core/ports/user-store.ts';
import { COMMON } from '../../../src/texts/common.ts';
import { enrolTotp as enrolTotpThroughCore } from '../../helpers/factors.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { PASSWORD, waitForResetToken, waitForVerification } from '../../helpers/users.ts';
import { ConsoleClient, makeAccount } from './console-client.ts';

let server: TestServer;
let superuser: User;
let staff: User;
before(async () => {
  // CONSOLE_MFA off here only: these tests are about the console's pages, rights and actions, signed in with a
  // password; the default (a second factor for every staff member) has its own tests below, on a default server.
  server = await startTestServer({ env: { CONSOLE_MFA: 'off' } });
  superuser = await makeAccount(server, 'superuser');
  staff = await makeAccount(server, 'staff');
});
after(() => server.close());

const signedIn = async (who: User) => {
  const c = new ConsoleClient(server.url);
  await c.signIn(who.email!);
  return c;
};

/** An account with a live session from the public API (a phone, say). */
async function customer(extra: { phone?: string } = {}) {
  const user = await makeAccount(server, 'user', extra);
  const login = await server.http('POST', '/api/users/login', {
    body: { email: user.email, password: PASSWORD },
    headers: { 'user-agent': 'PhoneApp/2.1 (Android 14)' },
  });
  assert.equal(login.status, 200, login.text);
  return { user, token: login.body.access_token as string };
}

const me = (token: string) => server.http('GET', '/api/users/me', { headers: { authorization: `Bearer ${token}` } });

async function lastEvent(userId: number, type: string) {
  const events = await server.core.audit.query({ limit: 20, userId });
  return events.find((e) => e.type === type);
}

describe('console: signing in', () => {
  test('a page without a session sends the browser to the sign-in form; the form signs staff in with a cookie bound to a core session', async () => {
    const c = new ConsoleClient(server.url);
    const away = await c.get('/admin');
    assert.equal(away.status, 303);
    assert.match(away.location ?? '', /^\/admin\/sign-in/);
    const form = await c.get('/admin/sign-in');
    assert.equal(form.status, 200);
    assert.match(form.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    const wrong = await c.post('/admin/sign-in', { login: staff.email!, password: 'not-the-password' });
    assert.equal(wrong.status, 401);
    assert.match(wrong.text, /Wrong username or password\./);
    await c.signIn(staff.email!);
    const cookie = [...c.cookies.keys()].find((k) => k === 'gh_session');
    assert.ok(cookie, 'the console cookie is set');
    const home = await c.get('/admin');
    assert.equal(home.status, 200);
    assert.match(home.text, /Staff console/);
    // The session is a core session: it is listed with the staff member's others, and ending it signs the console out.
    const sessions = await server.core.sessions.listForUser(staff.id);
    assert.ok(sessions.length >= 1);
    await server.core.sessions.endAllForUser(staff.id);
    assert.equal((await c.get('/admin')).status, 303, 'signed out when the core session ends');
  });

  test('the cookie is the one of every page (HttpOnly, SameSite=Lax); sign-out ends the core session', async () => {
    const c = new ConsoleClient(server.url);
    await c.get('/admin/sign-in');
    const r = await c.post('/admin/sign-in', { login: staff.email!, password: PASSWORD });
    const line = r.headers.getSetCookie().find((l) => l.startsWith('gh_session='))!;
    assert.match(line, /HttpOnly/);
    assert.match(line, /SameSite=Lax/);
    assert.match(line, /Path=\//);
    await c.get('/admin');
    const before = (await server.core.sessions.listForUser(staff.id)).length;
    const out = await c.post('/admin/sign-out');
    assert.equal(out.status, 303);
    assert.equal((await server.core.sessions.listForUser(staff.id)).length, before - 1);
    assert.equal((await c.get('/admin')).status, 303);
  });

  test('the console answers on both listeners, with one sign-in working on either', async () => {
    const c = new ConsoleClient(server.envelopeUrl);
    await c.signIn(staff.email!);
    assert.equal((await c.get('/admin')).status, 200);
    const other = new ConsoleClient(server.url);
    other.cookies.set('gh_session', c.cookies.get('gh_session')!);
    assert.equal((await other.get('/admin')).status, 200);
  });

  test('behind HTTPS the cookies are __Host- prefixed and Secure', async () => {
    const https = await startTestServer({ env: { PUBLIC_URL: 'https://login.example.com', CONSOLE_MFA: 'off' } });
    try {
      const member = await makeAccount(https, 'staff');
      const c = new ConsoleClient(https.url);
      const form = await c.get('/admin/sign-in');
      assert.ok(form.headers.getSetCookie().some((l) => l.startsWith('__Host-gh_csrf=') && /Secure/.test(l)));
      const r = await c.post('/admin/sign-in', { login: member.email!, password: PASSWORD });
      assert.equal(r.status, 303);
      const line = r.headers.getSetCookie().find((l) => l.startsWith('__Host-gh_session='));
      assert.ok(line, 'the __Host- console cookie');
      assert.match(line!, /; Secure/);
      assert.match(line!, /HttpOnly/);
      assert.match(line!, /SameSite=Lax/);
      assert.match(line!, /Path=\//);
      assert.doesNotMatch(line!, /Domain=/);
    } finally {
      await https.close();
    }
  });

  test('a right password without staff rights is refused (403) and its session is ended at once', async () => {
    const { user } = await customer();
    const before = (await server.core.sessions.listForUser(user.id)).length;
    const c = new ConsoleClient(server.url);
    await c.get('/admin/sign-in');
    const r = await c.post('/admin/sign-in', { login: user.email!, password: PASSWORD });
    assert.equal(r.status, 403);
    assert.equal(c.cookies.has('gh_session'), false);
    assert.equal((await server.core.sessions.listForUser(user.id)).length, before);
  });

  test('a sign-in form without the CSRF value is refused', async () => {
    const c = new ConsoleClient(server.url);
    await c.get('/admin/sign-in');
    const r = await c.post('/admin/sign-in', { login: staff.email!, password: PASSWORD }, null);
    assert.equal(r.status, 403);
    assert.equal(c.cookies.has('gh_session'), false);
  });
});

/** Enrols an authenticator app for `user`; returns how to make its codes and the recovery codes. */
async function enrolTotp(user: User) {
  const { codeAt, recoveryCodes } = await enrolTotpThroughCore(server.core, user, PASSWORD);
  return { codeAt, recovery: recoveryCodes };
}

describe('console: signing in with a second factor', () => {
  test('an enrolled staff member gives the code after the password; a wrong code is refused; a recovery code works too', async () => {
    const member = await makeAccount(server, 'staff');
    const { codeAt, recovery } = await enrolTotp(member);
    const c = new ConsoleClient(server.url);
    await c.get('/admin/sign-in');
    const step = await c.post('/admin/sign-in', { login: member.email!, password: PASSWORD });
    assert.equal(step.status, 200);
    assert.match(step.text, /Two-step verification/);
    assert.equal(c.cookies.has('gh_session'), false, 'no console before the second factor');
    const mfaToken = /name="mfa_token" value="([^"]+)"/.exec(step.text)![1]!;
    c.csrf = /name="csrf" value="([^"]*)"/.exec(step.text)![1]!;
    // The second step is a form like any other: without its CSRF value it is refused before the code is looked at.
    const forged = await c.post('/admin/sign-in/second-step', { mfa_token: mfaToken, code: codeAt(server.clock.now() + 30_000) }, null);
    assert.equal(forged.status, 403);
    assert.equal(c.cookies.has('gh_session'), false);
    const wrong = await c.post('/admin/sign-in/second-step', { mfa_token: mfaToken, code: '000000' });
    assert.equal(wrong.status, 401);
    assert.match(wrong.text, /The code is wrong or was already used\./);
    // The next 30-second step: the code of the enrolment's step is spent.
    server.clock.advance(30_000);
    const right = await c.post('/admin/sign-in/second-step', { mfa_token: mfaToken, code: codeAt(server.clock.now()) });
    assert.equal(right.status, 303, right.text);
    assert.equal((await c.get('/admin')).status, 200);
    const again = new ConsoleClient(server.url);
    await again.get('/admin/sign-in');
    const second = await again.post('/admin/sign-in', { login: member.email!, password: PASSWORD });
    again.csrf = /name="csrf" value="([^"]*)"/.exec(second.text)![1]!;
    const byRecovery = await again.post('/admin/sign-in/second-step', {
      mfa_token: /name="mfa_token" value="([^"]+)"/.exec(second.text)![1]!,
      code: recovery[0]!,
    });
    assert.equal(byRecovery.status, 303);
    assert.equal((await again.post('/admin/sign-in/second-step', { mfa_token: 'x'.repeat(43), code: '123456' })).status, 400, 'an unknown mfa_token');
  });

  test('by default (CONSOLE_MFA=on) the console opens only to a sign-in with a second factor: staff without one enrol first', async () => {
    const defaults = await startTestServer();
    try {
      const member = await makeAccount(defaults, 'staff');
      const c = new ConsoleClient(defaults.url);
      await c.signIn(member.email!);
      const page = await c.get('/admin');
      assert.equal(page.status, 303, 'a password alone does not open the console');
      assert.match(page.location ?? '', /^\/account/);
      assert.equal((await c.post('/admin/keys/rotate')).status, 403);
      // Enrolled, the same member signs in with the code and the console opens.
      const { secret } = await enrolTotpThroughCore(defaults.core, member, PASSWORD);
      defaults.clock.advance(30_000);
      const d = new ConsoleClient(defaults.url);
      await d.get('/admin/sign-in');
      const step = await d.post('/admin/sign-in', { login: member.email!, password: PASSWORD });
      d.csrf = /name="csrf" value="([^"]*)"/.exec(step.text)![1]!;
      const mfaToken = /name="mfa_token" value="([^"]+)"/.exec(step.text)![1]!;
      const code = generateSync({ secret, epoch: Math.floor(defaults.clock.now() / 1000) });
      assert.equal((await d.post('/admin/sign-in/second-step', { mfa_token: mfaToken, code })).status, 303);
      assert.equal((await d.get('/admin')).status, 200);
    } finally {
      await defaults.close();
    }
  });

  test('MFA_REQUIRED=staff: a staff member without a second factor is sent to enrol on the account page before the console opens', async () => {
    const covered = await startTestServer({ env: { MFA_REQUIRED: 'staff' } });
    try {
      const member = await makeAccount(covered, 'staff');
      const c = new ConsoleClient(covered.url);
      await c.get('/admin/sign-in');
      const r = await c.post('/admin/sign-in', { login: member.email!, password: PASSWORD });
      assert.equal(r.status, 303);
      assert.match(r.location ?? '', /^\/account/);
      // Signed in on the account page (where enrolment happens), the console still waits for the factor.
      await c.get('/account');
      assert.equal((await c.post('/account/sign-in', { login: member.email!, password: PASSWORD })).status, 303);
      const page = await c.get('/admin');
      assert.equal(page.status, 303);
      assert.match(page.location ?? '', /^\/account/);
      assert.equal((await c.post('/admin/keys/rotate')).status, 403);
    } finally {
      await covered.close();
    }
  });

  test('ticket "lost my second factor": a superuser sees the factors and resets them; the owner signs in with the password alone; audited', async () => {
    const user = await makeAccount(server, 'user');
    await enrolTotp(user);
    const refused = await server.http('POST', '/api/users/login', { body: { email: user.email, password: PASSWORD } });
    assert.notEqual(refused.status, 200, 'an enrolled account needs its second factor');
    const staffView = await (await signedIn(staff)).get(`/admin/accounts/${user.uuid}`);
    assert.match(staffView.text, /Authenticator app \(TOTP\)<\/dt><dd>active/);
    assert.doesNotMatch(staffView.text, /Reset second factors/, 'a superuser action');
    const c = await signedIn(superuser);
    const page = await c.get(`/admin/accounts/${user.uuid}`);
    assert.match(page.text, /Recovery codes left<\/dt><dd>10/);
    const r = await c.post(`/admin/accounts/${user.uuid}/reset-factors`);
    assert.equal(r.status, 303);
    assert.match((await c.get(r.location!)).text, /enrols again/);
    assert.equal((await server.http('POST', '/api/users/login', { body: { email: user.email, password: PASSWORD } })).status, 200);
    assert.equal((await lastEvent(user.id, 'mfa.reset'))?.actorId, superuser.id);
  });
});

describe('console: authorisation', () => {
  const PAGES = (uuid: string) => [
    '/admin',
    `/admin/accounts/${uuid}`,
    '/admin/audit',
    '/admin/audit.csv',
    '/admin/health',
    '/admin/apps',
    '/admin/apps/x',
    '/admin/keys',
  ];
  const ACTIONS = [
    'disable',
    'enable',
    'verify-email',
    'verify-phone',
    'change-email',
    'send-reset',
    'resend-verification',
    'end-session',
    'end-sessions',
    'unlock',
    'reset-factors',
    'delete',
  ];

  test('an account without staff rights, holding a live console cookie, gets 403 on every console URL and form, and nothing changes', async () => {
    const { user, token } = await customer();
    const target = await customer();
    const c = new ConsoleClient(server.url);
    await c.get('/admin/sign-in');
    // Its own access token in the console's cookie: a live core session, but no rights.
    c.cookies.set('gh_session', token);
    for (const path of PAGES(target.user.uuid)) assert.equal((await c.get(path)).status, 403, path);
    for (const action of ACTIONS) {
      const r = await c.post(`/admin/accounts/${target.user.uuid}/${action}`, { email: 'x@example.com', confirm: target.user.email!, session: 'x' });
      assert.equal(r.status, 403, action);
    }
    assert.equal((await c.post('/admin/sign-out')).status, 403);
    assert.equal((await c.post('/admin/apps', { name: 'X', redirect_uris: 'https://x.example/cb' })).status, 403);
    for (const action of ['redirect-uris', 'rotate-secret', 'remove']) assert.equal((await c.post(`/admin/apps/x/${action}`)).status, 403, action);
    assert.equal((await c.post('/admin/keys/rotate')).status, 403);
    assert.equal((await me(target.token)).status, 200, 'the target is untouched');
    assert.equal((await server.core.accounts.findById(target.user.id))?.status, 'active');
    assert.equal((await me(token)).status, 200);
    void user;
  });

  test('staff read and do the help-desk actions, but the superuser actions are refused (403) and not offered', async () => {
    const target = await customer({ phone: '+8613800000000' });
    const c = await signedIn(staff);
    const page = await c.get(`/admin/accounts/${target.user.uuid}`);
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.text, /Disable account|Change email|Delete account/);
    assert.match(page.text, /End all sessions/);
    assert.doesNotMatch(page.text, /Make staff|Make superuser/);
    for (const action of ['disable', 'enable', 'change-email', 'reset-factors', 'grant-staff', 'grant-superuser', 'delete']) {
      const r = await c.post(`/admin/accounts/${target.user.uuid}/${action}`, { email: 'new@example.com', confirm: target.user.email! });
      assert.equal(r.status, 403, action);
    }
    const still = await server.core.accounts.findById(target.user.id);
    assert.equal(still?.status, 'active');
    assert.equal(still?.email, target.user.email);
    assert.equal((await c.post(`/admin/accounts/${target.user.uuid}/verify-phone`)).status, 303, 'staff may verify');
    assert.equal((await server.core.accounts.findById(target.user.id))?.isPhoneVerified, true);
  });

  test('a superuser makes an account staff, then takes the role away: audited with the superuser, effective at once', async () => {
    const target = await customer();
    const c = await signedIn(superuser);
    assert.match((await c.get(`/admin/accounts/${target.user.uuid}`)).text, /Make staff/);
    const made = await c.post(`/admin/accounts/${target.user.uuid}/grant-staff`);
    assert.equal(made.status, 303);
    assert.match((await c.get(made.location!)).text, /The account is staff now/);
    assert.equal((await server.core.accounts.findById(target.user.id))?.isStaff, true);
    const theirs = await signedIn(target.user);
    assert.equal((await theirs.get('/admin')).status, 200, 'the new staff member opens the console');
    assert.equal((await c.post(`/admin/accounts/${target.user.uuid}/revoke-staff`)).status, 303);
    assert.equal((await theirs.get('/admin')).status, 403, 'and no longer, at once');
    const event = await lastEvent(target.user.id, 'user.role_changed');
    assert.deepEqual([event?.actorId, event?.detail], [superuser.id, 'is_staff taken away']);
    assert.equal((await c.post(`/admin/accounts/${superuser.uuid}/revoke-superuser`)).status, 403, 'never from oneself');
  });

  test('a forged form without the CSRF value (or with another) is refused, and does nothing', async () => {
    const target = await customer();
    const c = await signedIn(superuser);
    await c.get(`/admin/accounts/${target.user.uuid}`);
    assert.equal((await c.post(`/admin/accounts/${target.user.uuid}/disable`, {}, null)).status, 403);
    assert.equal((await c.post(`/admin/accounts/${target.user.uuid}/disable`, {}, 'A'.repeat(43))).status, 403);
    const crossSite = await fetch(`${server.url}/admin/accounts/${target.user.uuid}/disable`, {
      method: 'POST',
      headers: { cookie: c.cookieHeader, origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf: c.csrf }),
      redirect: 'manual',
    });
    assert.equal(crossSite.status, 403);
    assert.equal((await server.core.accounts.findById(target.user.id))?.status, 'active');
  });

  test('bad input is a 4xx page, never a 500', async () => {
    const c = await signedIn(superuser);
    assert.equal((await c.get('/admin/accounts/not-a-uuid')).status, 404);
    assert.equal((await c.get('/admin/accounts/00000000-0000-4000-8000-000000000000')).status, 404);
    assert.equal((await c.get('/admin?page=0')).status, 400);
    assert.equal((await c.get('/admin/audit?type=no.such.event')).status, 400);
    assert.equal((await c.get('/admin/audit?from=yesterday')).status, 400);
    const target = await customer();
    await c.get('/admin');
    assert.equal((await c.post(`/admin/accounts/${target.user.uuid}/no-such-action`)).status, 404);
    assert.equal((await c.post(`/admin/accounts/${target.user.uuid}/change-email`, { email: 'not an email' })).status, 400);
    assert.equal((await c.post(`/admin/accounts/${superuser.uuid}/disable`)).status, 403, 'not oneself');
  });
  test('an outage is 503 with Retry-After and its sentence, on the page it happened on', async () => {
    const c = await signedIn(staff);
    const search = server.core.staff.search;
    // The storage going away in the middle of a search (as a dropped database connection reaches the page).
    server.core.staff.search = async () => {
      throw fail('STORE_UNAVAILABLE');
    };
    try {
      const r = await c.get('/admin?q=someone');
      assert.equal(r.status, 503);
      assert.equal(r.headers.get('retry-after'), '1');
      assert.ok(r.text.includes(COMMON.en.refusals.unavailable));
    } finally {
      server.core.staff.search = search;
    }
  });
});

describe('console: accounts', () => {
  test('search by the start of an email, a username, a phone, or a whole uuid; paginated', async () => {
    const c = await signedIn(staff);
    const tag = `srch${Date.now().toString(36)}`;
    const made: User[] = [];
    for (let i = 0; i < 27; i++)
      made.push(await server.core.accounts.register({ email: `${tag}-${String(i).padStart(2, '0')}@example.com`, password: PASSWORD }));
    const first = await c.get(`/admin?q=${tag}`);
    assert.equal(first.status, 200);
    assert.equal((first.text.match(/href="\/admin\/accounts\//g) ?? []).length, 25);
    assert.match(first.text, /rel="next"/);
    const second = await c.get(`/admin?q=${tag}&page=2`);
    assert.equal((second.text.match(/href="\/admin\/accounts\//g) ?? []).length, 2);
    assert.match(second.text, /rel="prev"/);
    const byUuid = await c.get(`/admin?q=${made[3]!.uuid.toUpperCase()}`);
    assert.match(byUuid.text, new RegExp(`${tag}-03@example.com`));
    assert.equal((byUuid.text.match(/href="\/admin\/accounts\//g) ?? []).length, 1);
    const { user } = await customer({ phone: '+8613712345678' });
    assert.match((await c.get(`/admin?q=${encodeURIComponent('+86137123')}`)).text, new RegExp(user.email!));
    assert.match((await c.get('/admin?q=nobody-has-this')).text, /No account matches/);
  });

  test("an account's page: profile, verification flags, last login, login count, live sessions with device, address and last seen, recent events", async () => {
    const { user } = await customer({ phone: '+8613600000000' });
    const c = await signedIn(staff);
    const r = await c.get(`/admin/accounts/${user.uuid}`);
    assert.equal(r.status, 200);
    for (const text of [
      user.email!,
      user.uuid,
      '+8613600000000',
      'not verified',
      'Logins',
      'PhoneApp/2.1 (Android 14)',
      '127.0.0.1',
      'logged in',
      'registered',
    ])
      assert.ok(r.text.includes(text), text);
    assert.match(r.text, /<dt>Logins<\/dt><dd>1<\/dd>/);
  });

  test('sessions are named as people name devices ("Chrome on Linux", or in Chinese), with the raw user agent on hover', async () => {
    const user = await makeAccount(server, 'user');
    const agent = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
    const login = await server.http('POST', '/api/users/login', { body: { email: user.email, password: PASSWORD }, headers: { 'user-agent': agent } });
    assert.equal(login.status, 200);
    const c = await signedIn(staff);
    assert.ok((await c.get(`/admin/accounts/${user.uuid}`)).text.includes(`<span title="${agent}">Chrome on Linux</span>`));
    assert.ok((await c.get(`/admin/accounts/${user.uuid}?lang=zh`)).text.includes(`<span title="${agent}">Linux 上的 Chrome</span>`));
  });

  test('ticket "locked out": staff see the lock and lift it; the owner logs in again; the event names the staff member', async () => {
    const { user } = await customer();
    for (let i = 0; i < 5; i++)
      await server.core.login.login({ by: 'email', identifier: user.email!, password: 'wrong-password', accessTtl: 60 }).catch(() => {});
    const locked = await server.http('POST', '/api/users/login', { body: { email: user.email, password: PASSWORD } });
    assert.notEqual(locked.status, 200);
    const c = await signedIn(staff);
    const page = await c.get(`/admin/accounts/${user.uuid}`);
    assert.match(page.text, /locked until/);
    const r = await c.post(`/admin/accounts/${user.uuid}/unlock`);
    assert.equal(r.status, 303);
    assert.match((await c.get(r.location!)).text, /The lock is lifted/);
    assert.equal((await server.http('POST', '/api/users/login', { body: { email: user.email, password: PASSWORD } })).status, 200);
    assert.equal((await lastEvent(user.id, 'account.unlocked'))?.actorId, staff.id);
  });

  test('ticket "log me out everywhere": end one session, then all; their tokens stop working; audited with the staff member', async () => {
    const { user, token } = await customer();
    const second = await server.http('POST', '/api/users/login', { body: { email: user.email, password: PASSWORD } });
    const c = await signedIn(staff);
    const page = await c.get(`/admin/accounts/${user.uuid}`);
    const sessionId = /name="session" value="([^"]+)"/.exec(page.text)?.[1];
    assert.ok(sessionId);
    assert.equal((await c.post(`/admin/accounts/${user.uuid}/end-session`, { session: sessionId! })).status, 303);
    const alive = [await me(token), await me(second.body.access_token)].filter((a) => a.status === 200).length;
    assert.equal(alive, 1, 'one of the two sessions ended');
    await c.get(`/admin/accounts/${user.uuid}`);
    assert.equal((await c.post(`/admin/accounts/${user.uuid}/end-sessions`)).status, 303);
    assert.equal((await me(token)).status, 401);
    assert.equal((await me(second.body.access_token)).status, 401);
    const events = (await server.core.audit.query({ limit: 10, userId: user.id, type: 'sessions.ended' })).map((e) => [e.detail, e.actorId]);
    assert.deepEqual(events, [
      ['all (1)', staff.id],
      ['one', staff.id],
    ]);
  });

  test('ticket "wrong email": a superuser changes it; the new address is unverified and gets the verification mail; audited', async () => {
    const { user } = await customer();
    const c = await signedIn(superuser);
    await c.get(`/admin/accounts/${user.uuid}`);
    const fresh = `fixed-${Date.now().toString(36)}@example.com`;
    const r = await c.post(`/admin/accounts/${user.uuid}/change-email`, { email: fresh.toUpperCase() });
    assert.equal(r.status, 303);
    const changed = await server.core.accounts.findById(user.id);
    assert.equal(changed?.email, fresh);
    assert.equal(changed?.isEmailVerified, false);
    await waitForVerification(server.stores.outbox, fresh);
    assert.equal((await lastEvent(user.id, 'email.changed'))?.actorId, superuser.id);
    await c.get(`/admin/accounts/${user.uuid}`);
    const taken = await c.post(`/admin/accounts/${user.uuid}/change-email`, { email: staff.email! });
    assert.equal(taken.status, 409);
  });

  test('mail: a reset mail and a new verification mail go out; mark email and phone verified; each audited with the staff member', async () => {
    const { user } = await customer({ phone: '+8613500000000' });
    const c = await signedIn(staff);
    await c.get(`/admin/accounts/${user.uuid}`);
    assert.equal((await c.post(`/admin/accounts/${user.uuid}/send-reset`)).status, 303);
    await waitForResetToken(server.stores.outbox, user.email!);
    assert.equal((await lastEvent(user.id, 'reset.sent'))?.actorId, staff.id);
    assert.equal((await c.post(`/admin/accounts/${user.uuid}/resend-verification`)).status, 303);
    assert.equal((await lastEvent(user.id, 'verification.sent'))?.actorId, staff.id);
    assert.equal((await c.post(`/admin/accounts/${user.uuid}/verify-email`)).status, 303);
    assert.equal((await c.post(`/admin/accounts/${user.uuid}/verify-phone`)).status, 303);
    const after = await server.core.accounts.findById(user.id);
    assert.equal(after?.isEmailVerified, true);
    assert.equal(after?.isPhoneVerified, true);
    assert.equal((await lastEvent(user.id, 'email.verified'))?.actorId, staff.id);
    assert.equal((await lastEvent(user.id, 'phone.verified'))?.actorId, staff.id);
  });

  test("disable and enable: a disabled account's tokens stop working; audited with the superuser", async () => {
    const { user, token } = await customer();
    const c = await signedIn(superuser);
    await c.get(`/admin/accounts/${user.uuid}`);
    assert.equal((await c.post(`/admin/accounts/${user.uuid}/disable`)).status, 303);
    assert.equal((await me(token)).status, 403);
    assert.match((await c.get(`/admin/accounts/${user.uuid}`)).text, /Enable account/);
    assert.equal((await c.post(`/admin/accounts/${user.uuid}/enable`)).status, 303);
    assert.equal((await me(token)).status, 401, 'enabling again revives no token from before');
    assert.equal((await lastEvent(user.id, 'user.disabled'))?.actorId, superuser.id);
    assert.equal((await lastEvent(user.id, 'user.enabled'))?.actorId, superuser.id);
  });

  test('delete needs the typed confirmation; then the account and its sessions are gone; audited with the superuser', async () => {
    const { user, token } = await customer();
    const c = await signedIn(superuser);
    const page = await c.get(`/admin/accounts/${user.uuid}`);
    assert.match(page.text, new RegExp(`Type ${user.email!.replace(/[.+]/g, '\\$&')} to confirm`));
    assert.equal((await c.post(`/admin/accounts/${user.uuid}/delete`, { confirm: 'yes' })).status, 400);
    assert.ok(await server.core.accounts.findById(user.id));
    const r = await c.post(`/admin/accounts/${user.uuid}/delete`, { confirm: user.email! });
    assert.equal(r.status, 303);
    assert.match((await c.get(r.location!)).text, /The account is deleted/);
    assert.equal(await server.core.accounts.findById(user.id), null);
    assert.equal((await me(token)).status, 401);
    assert.equal((await lastEvent(user.id, 'user.deleted'))?.actorId, superuser.id);
    assert.equal((await c.get(`/admin/accounts/${user.uuid}`)).status, 404);
  });
});

describe('console: apps and signing keys', () => {
  test('a superuser adds an app and sees its secret once, edits its redirect URIs, rotates the secret, removes it; each audited with the superuser', async () => {
    const c = await signedIn(superuser);
    assert.equal((await c.get('/admin/apps')).status, 200);
    const added = await c.post('/admin/apps', { name: 'Shop', redirect_uris: 'https://shop.example/cb\n\nhttps://shop.example/cb2', id_token_alg: 'ES256' });
    assert.equal(added.status, 201, added.text);
    const secret = /<code id="client-secret">([^<]+)<\/code>/.exec(added.text)?.[1];
    assert.ok(secret, 'the secret, shown once');
    const clientId = /Client id<\/dt><dd><code>([^<]+)<\/code>/.exec(added.text)![1]!;
    const [app] = (await server.core.apps.list()).filter((a) => a.clientId === clientId);
    assert.deepEqual(app?.redirectUris, ['https://shop.example/cb', 'https://shop.example/cb2']);
    assert.equal(app?.idTokenAlg, 'ES256');
    const page = await c.get(`/admin/apps/${clientId}`);
    assert.doesNotMatch(page.text, new RegExp(secret!), 'never shown again');
    assert.equal((await c.post(`/admin/apps/${clientId}/redirect-uris`, { redirect_uris: 'https://shop.example/new' })).status, 303);
    assert.deepEqual((await server.core.apps.find(clientId))?.redirectUris, ['https://shop.example/new']);
    assert.equal((await c.post(`/admin/apps/${clientId}/redirect-uris`, { redirect_uris: 'javascript:alert(1)' })).status, 400);
    const rotated = await c.post(`/admin/apps/${clientId}/rotate-secret`);
    assert.equal(rotated.status, 200);
    const second = /<code id="client-secret">([^<]+)<\/code>/.exec(rotated.text)?.[1];
    assert.ok(second && second !== secret);
    assert.equal((await c.post(`/admin/apps/${clientId}/remove`, { confirm: 'no' })).status, 400);
    assert.equal((await c.post(`/admin/apps/${clientId}/remove`, { confirm: clientId })).status, 303);
    assert.equal(await server.core.apps.find(clientId), null);
    const events = await server.core.audit.query({ limit: 50 });
    for (const type of ['app.registered', 'app.redirect_uris_changed', 'app.secret_rotated', 'app.removed'])
      assert.equal(events.find((e) => e.type === type && e.detail === clientId)?.actorId, superuser.id, type);
  });

  test('staff see apps and keys but cannot change them', async () => {
    const { app } = await server.core.apps.register({ name: 'Blog', redirectUris: ['https://blog.example/cb'] });
    const c = await signedIn(staff);
    const list = await c.get('/admin/apps');
    assert.match(list.text, /Blog/);
    assert.doesNotMatch(list.text, /Add an app/);
    assert.equal((await c.post('/admin/apps', { name: 'X', redirect_uris: 'https://x.example/cb' })).status, 403);
    for (const action of ['redirect-uris', 'rotate-secret', 'remove'])
      assert.equal(
        (await c.post(`/admin/apps/${app.clientId}/${action}`, { redirect_uris: 'https://x.example/cb', confirm: app.clientId })).status,
        403,
        action,
      );
    assert.ok(await server.core.apps.find(app.clientId));
    assert.equal((await c.get('/admin/keys')).status, 200);
    assert.equal((await c.post('/admin/keys/rotate')).status, 403);
  });

  test('a superuser rotates the signing keys: a new key signs, the old one still verifies; audited', async () => {
    const c = await signedIn(superuser);
    // The PostgreSQL runs set JWT_SECRET, so they sign HS256: an asymmetric key exists there once
    // OpenID Connect signs an id_token (RS256), which is what this asks for.
    await server.core.signingKeys.privateJwks(['RS256']);
    const before = await server.core.signingKeys.list();
    const page = await c.get('/admin/keys');
    assert.equal(page.status, 200);
    const r = await c.post('/admin/keys/rotate');
    assert.equal(r.status, 303);
    assert.match((await c.get(r.location!)).text, /New signing keys sign/);
    const after = await server.core.signingKeys.list();
    assert.ok(after.length > before.length, 'a new key');
    const rotated = (await server.core.audit.query({ limit: 20, type: 'keys.rotated' }))[0];
    assert.equal(rotated?.actorId, superuser.id);
  });
});

describe('console: audit trail and health', () => {
  test('ticket "who changed my password?": the trail filtered by account and event shows when and from where; the CSV holds the same', async () => {
    const { user } = await customer();
    // A second address: a user agent built for a spreadsheet that splits on ';' (many European locales).
    await server.http('POST', '/api/users/login', { headers: { 'user-agent': 'Mozilla;=1+1' }, body: { email: user.email, password: 'wrong-password-0' } });
    const changed = await server.http('POST', '/api/users/reset_password', {
      headers: { 'user-agent': '=cmd|calc' },
      body: { email: user.email, old_password: PASSWORD, new_password: 'a-brand-new-password-1' },
    });
    assert.ok(changed.status < 300, changed.text);
    const c = await signedIn(staff);
    const r = await c.get(`/admin/audit?account=${encodeURIComponent(user.email!)}&type=password.changed`);
    assert.equal(r.status, 200);
    assert.equal((r.text.match(/<td>password changed<\/td>/g) ?? []).length, 1);
    assert.doesNotMatch(r.text, /<td>logged in<\/td>/);
    const csv = await c.get(`/admin/audit.csv?account=${user.uuid}`);
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /text\/csv/);
    assert.match(csv.headers.get('content-disposition') ?? '', /attachment/);
    const lines = csv.text.trim().split('\r\n');
    assert.equal(lines[0], 'id,at,event,account_id,account,actor_id,actor,ip,user_agent,detail');
    assert.ok(lines.some((l) => l.includes(',password.changed,') && l.includes(user.email!)));
    assert.ok(lines.some((l) => l.includes(",'=cmd|calc,")) && lines.every((l) => !l.includes(',=cmd')), 'a formula-like cell is defused');
    assert.ok(
      lines.some((l) => l.includes(',"Mozilla;=1+1",')),
      'a field holding the other separator is quoted whole',
    );
    assert.ok(lines.every((l) => !/(^|[^"])Mozilla;=/.test(l)));
  });

  test('the trail filters by time and pages to older events', async () => {
    const c = await signedIn(staff);
    // An event id past what the database's integer column holds is refused as bad input, never a 500.
    for (const before of ['2147483648', '9007199254740993']) assert.equal((await c.get(`/admin/audit?before=${before}`)).status, 400, before);
    const future = new Date(server.clock.now() + 3600_000).toISOString().slice(0, 16);
    const none = await c.get(`/admin/audit?from=${future}`);
    assert.equal(none.status, 200);
    assert.match(none.text, /No event matches/);
    // More than a page of events, whatever ran before.
    for (let i = 0; i < 51; i++) await server.core.audit.record('login.failed', null, 'unknown account');
    const all = await c.get('/admin/audit');
    const older = /href="([^"]+)" rel="next"/.exec(all.text)?.[1];
    assert.ok(older, 'more than one page of events by now');
    assert.equal((await c.get(older!.replaceAll('&amp;', '&'))).status, 200);
  });

  test("health: doctor's checks and the last hour's logins, failures, lockouts and 5xx", async () => {
    const c = await signedIn(staff);
    const r = await c.get('/admin/health');
    assert.equal(r.status, 200);
    for (const check of ['settings', 'database', 'signing', 'encryption key', 'data folder', 'public url'])
      assert.match(r.text, new RegExp(`<td>${check}</td>`));
    const logins = Number(/<dt>Logins<\/dt><dd>(\d+)<\/dd>/.exec(r.text)?.[1]);
    assert.ok(logins >= 2, `logins counted (${logins})`);
    assert.match(r.text, /Failed logins/);
    assert.match(r.text, /Lockouts/);
    assert.match(r.text, /Server errors/);
  });

  test('the console speaks Chinese to a Chinese browser', async () => {
    const c = await signedIn(staff);
    const r = await c.get('/admin', { 'accept-language': 'zh-CN,zh;q=0.9' });
    assert.match(r.text, /<html lang="zh-CN">/);
    assert.match(r.text, /管理控制台/);
  });
});
