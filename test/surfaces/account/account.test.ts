import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generateSync } from 'otplib';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { registerV1 } from '../../helpers/users.ts';

let server: TestServer;
before(async () => {
  // Each test signs in several times from 127.0.0.1: the per-address limit is raised for volume.
  server = await startTestServer({ env: { RATE_LIMIT_PER_IP: '100000' } });
});
after(() => server.close());

/** A browser without JavaScript: it keeps cookies, reads the CSRF field of the last page, and posts forms. */
class Browser {
  readonly cookies = new Map<string, string>();
  csrf = '';
  page = '';
  status = 0;
  location: string | null = null;
  base = '';

  async request(method: string, path: string, form?: Record<string, string>, headers: Record<string, string> = {}): Promise<Browser> {
    const response = await fetch((this.base || server.url) + path, {
      method,
      redirect: 'manual',
      headers: {
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...headers,
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const value = pair.slice(eq + 1);
      if (/Max-Age=0/.test(line)) this.cookies.delete(pair.slice(0, eq));
      else this.cookies.set(pair.slice(0, eq), value);
    }
    this.status = response.status;
    this.location = response.headers.get('location');
    this.page = await response.text();
    this.csrf = /name="csrf" value="([^"]+)"/.exec(this.page)?.[1] ?? this.csrf;
    if (this.status === 303 && this.location) return this.request('GET', this.location);
    return this;
  }

  post(path: string, fields: Record<string, string> = {}) {
    return this.request('POST', path, { csrf: this.csrf, ...fields });
  }
}

const PASSWORD = 'password123';

async function signedIn(): Promise<{ browser: Browser; username: string; userId: number }> {
  const { username, user } = await registerV1(server.http);
  const browser = new Browser();
  await browser.request('GET', '/account?lang=en');
  assert.equal(browser.status, 200);
  assert.match(browser.page, /Sign in to your account/);
  await browser.post('/account/sign-in?lang=en', { login: username, password: PASSWORD });
  assert.equal(browser.status, 200);
  assert.match(browser.page, /Your account/);
  return { browser, username, userId: user.id };
}

/** Sets up TOTP through the page; returns the secret and the recovery codes shown. */
async function enrolThroughPage(browser: Browser) {
  await browser.post('/account/totp?lang=en');
  assert.equal(browser.status, 403, 'setting up a factor needs the password (step-up)');
  assert.match(browser.page, /confirm it is you/);
  await browser.post('/account/totp?lang=en', { password: PASSWORD });
  assert.equal(browser.status, 200);
  assert.match(browser.page, /<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/, 'the QR code inline');
  const uri = /<code class="uri">([^<]+)<\/code>/.exec(browser.page)![1]!;
  const secret = /secret=([A-Z2-7]+)/.exec(uri)![1]!;
  assert.match(browser.page, new RegExp(secret.slice(0, 4)), 'the key as text');
  await browser.post('/account/totp/confirm?lang=en', {
    code: '000000' === generateSync({ secret, epoch: Math.floor(server.clock.now() / 1000) }) ? '111111' : '000000',
  });
  assert.equal(browser.status, 401, 'a wrong code shows the setup again');
  assert.match(browser.page, /The code is wrong/);
  await browser.post('/account/totp/confirm?lang=en', { code: generateSync({ secret, epoch: Math.floor(server.clock.now() / 1000) }) });
  assert.equal(browser.status, 200);
  const codes = [...browser.page.matchAll(/<li><code>([a-z0-9-]+)<\/code><\/li>/g)].map((m) => m[1]!);
  assert.equal(codes.length, 10);
  server.clock.advance(30_000);
  return { secret, codes };
}

describe('/account', () => {
  test('sign in, see the profile and this device, sign out; the cookie is HttpOnly and SameSite', async () => {
    const { browser, username } = await signedIn();
    assert.match(browser.page, new RegExp(username));
    assert.match(browser.page, /this device/);
    const set = (await fetch(`${server.url}/account`)).headers.getSetCookie().join('\n');
    assert.match(set, /gh_csrf=.*HttpOnly; SameSite=Strict/);
    await browser.post('/account/sign-out?lang=en');
    assert.match(browser.page, /Sign in to your account/);
    assert.equal(browser.cookies.has('gh_session'), false);
  });

  test('set up TOTP on the page (QR code, key, URI), then signing in asks for the code; a recovery code works once', async () => {
    const { browser, username } = await signedIn();
    const { secret, codes } = await enrolThroughPage(browser);
    await browser.request('GET', '/account?lang=en');
    assert.match(browser.page, /Authenticator app: on/);
    assert.match(browser.page, /Recovery codes left: 10/);
    await browser.post('/account/sign-out?lang=en');

    const fresh = new Browser();
    await fresh.request('GET', '/account?lang=en');
    await fresh.post('/account/sign-in?lang=en', { login: username, password: PASSWORD });
    assert.match(fresh.page, /Two-step verification/);
    assert.equal(fresh.cookies.has('gh_session'), false, 'no session from the password alone');
    await fresh.post('/account/second-step?lang=en', {
      mfa_token: /name="mfa_token" value="([^"]+)"/.exec(fresh.page)![1]!,
      code: '',
      recovery_code: 'wrong-code',
    });
    assert.equal(fresh.status, 401);
    assert.match(fresh.page, /The code is wrong/);
    const mfaToken = /name="mfa_token" value="([^"]+)"/.exec(fresh.page)![1]!;
    await fresh.post('/account/second-step?lang=en', { mfa_token: mfaToken, code: generateSync({ secret, epoch: Math.floor(server.clock.now() / 1000) }) });
    assert.match(fresh.page, /Your account/);

    const third = new Browser();
    await third.request('GET', '/account?lang=en');
    await third.post('/account/sign-in?lang=en', { login: username, password: PASSWORD });
    await third.post('/account/second-step?lang=en', { mfa_token: /name="mfa_token" value="([^"]+)"/.exec(third.page)![1]!, recovery_code: codes[0]! });
    assert.match(third.page, /Recovery codes left: 9/);
  });

  test('recovery codes regenerate with the password and a code; removing TOTP needs them too', async () => {
    const { browser } = await signedIn();
    const { secret } = await enrolThroughPage(browser);
    const code = () => generateSync({ secret, epoch: Math.floor(server.clock.now() / 1000) });
    // Setting the app up renewed the page's session with the code in its amr: a fresh proof for 5 minutes. After them:
    server.clock.advance(301_000);
    await browser.request('GET', '/account?lang=en');
    await browser.post('/account/recovery-codes?lang=en', { password: 'wrong-password', code: code() });
    assert.equal(browser.status, 400);
    assert.match(browser.page, /Wrong password/);
    await browser.post('/account/recovery-codes?lang=en', { password: PASSWORD });
    assert.equal(browser.status, 403);
    assert.match(browser.page, /confirm it is you/, 'the password alone is not enough once an authenticator app is set up');
    await browser.post('/account/recovery-codes?lang=en', { password: PASSWORD, code: code() });
    assert.equal([...browser.page.matchAll(/<li><code>/g)].length, 10);
    server.clock.advance(30_000);
    await browser.request('GET', '/account?lang=en');
    await browser.post('/account/totp/remove?lang=en', { password: PASSWORD, code: code() });
    assert.match(browser.page, /The authenticator app was removed/);
    assert.match(browser.page, /Authenticator app: off/);
  });

  test('the page session is a core session: ending it elsewhere signs the page out; other devices can be ended from the page', async () => {
    const { browser, userId } = await signedIn();
    const other = await server.http('POST', '/api/v1/auth/login/json', {
      body: { username: (await server.core.accounts.findById(userId))!.username, password: PASSWORD },
    });
    assert.equal(other.status, 200);
    await browser.request('GET', '/account?lang=en');
    const ids = [...browser.page.matchAll(/name="id" value="([^"]+)"/g)].map((m) => m[1]!);
    assert.equal(ids.length, 1, 'one other device, with its button');
    await browser.post('/account/sessions/end?lang=en', { id: ids[0]! });
    assert.match(browser.page, /That device is signed out/);
    assert.equal((await server.http('GET', '/api/v1/auth/me', { token: other.body.access_token })).status, 401);
    await server.core.sessions.endAllForUser(userId);
    await browser.request('GET', '/account?lang=en');
    assert.match(browser.page, /Sign in to your account/);
  });

  test('change the password on the page; a form without its CSRF token is refused', async () => {
    const { browser } = await signedIn();
    await browser.post('/account/password?lang=en', { old_password: 'wrong-password', new_password: 'password456' });
    assert.equal(browser.status, 400);
    await browser.post('/account/password?lang=en', { old_password: PASSWORD, new_password: 'password456' });
    assert.match(browser.page, /Password changed/);
    await browser.request('POST', '/account/sign-out?lang=en', { csrf: 'x'.repeat(43) });
    assert.equal(browser.status, 403);
    await browser.request('GET', '/account?lang=en');
    assert.match(browser.page, /Your account/, 'still signed in');
  });

  test('speaks Chinese', async () => {
    const browser = new Browser();
    await browser.request('GET', '/account?lang=zh');
    assert.match(browser.page, /<html lang="zh-CN">/);
    assert.match(browser.page, /登录您的账户/);
  });
});

describe('MFA_REQUIRED=staff', () => {
  let strict: TestServer;
  before(async () => {
    strict = await startTestServer({ env: { MFA_REQUIRED: 'staff' } });
  });
  after(() => strict.close());

  test('a staff account gets no token anywhere until it has enrolled at /account, where enrolment comes before anything else', async () => {
    await strict.core.accounts.register({ username: 'staff_member', email: 'staff@example.com', password: PASSWORD, isStaff: true });
    await strict.core.accounts.register({ username: 'plain_member', email: 'plain@example.com', password: PASSWORD });
    const v1 = await strict.http('POST', '/api/v1/auth/login/json', { body: { username: 'staff_member', password: PASSWORD } });
    assert.deepEqual([v1.status, v1.body], [403, { detail: '请先在 /account 页面设置两步验证' }]);
    const envelope = await strict.envelopeHttp('POST', '/api/v1/auth/login', { body: { username: 'staff_member', password: PASSWORD } });
    assert.deepEqual([envelope.status, envelope.body.code], [403, 'MFA_ENROLMENT_REQUIRED']);
    const users = await strict.http('POST', '/api/users/login', { body: { email: 'staff@example.com', password: PASSWORD } });
    assert.deepEqual([users.status, users.body], [403, { detail: 'Two-step verification must be set up first: sign in at the /account page' }]);
    assert.equal(
      (await strict.http('POST', '/api/v1/auth/login/json', { body: { username: 'plain_member', password: PASSWORD } })).status,
      200,
      'others as before',
    );

    const page = new Browser();
    page.base = strict.url;
    await page.request('GET', '/account?lang=en');
    await page.post('/account/sign-in?lang=en', { login: 'staff_member', password: PASSWORD });
    assert.match(page.page, /must use two-step verification/);
    assert.match(page.page, /<svg/);
    await page.post('/account/password?lang=en', { old_password: PASSWORD, new_password: 'password456' });
    assert.match(page.page, /must use two-step verification/, 'nothing else before enrolment');
    // The enrolment session is confined: its cookie is no token anywhere else (no bearer use, no refresh, no console).
    const enrolmentCookie = page.cookies.get('gh_session')!;
    for (const [method, path] of [
      ['GET', '/api/users/me'],
      ['GET', '/api/v1/auth/me'],
      ['POST', '/api/users/refresh_token'],
      ['POST', '/api/v1/auth/refresh'],
      ['GET', '/api/v1/auth/sessions'],
      ['GET', '/api/admin/users'],
    ] as const) {
      const r = await strict.http(method, path, { token: enrolmentCookie });
      assert.equal(r.status, 401, `${method} ${path}: ${r.text}`);
    }
    const envelopeRefresh = await strict.envelopeHttp('POST', '/api/v1/auth/refresh', { body: { refresh_token: enrolmentCookie } });
    assert.equal(envelopeRefresh.status, 401);
    const consoleVisit = await fetch(`${strict.url}/admin`, { redirect: 'manual', headers: { cookie: `gh_session=${enrolmentCookie}` } });
    assert.equal(consoleVisit.status, 303);
    assert.match(consoleVisit.headers.get('location') ?? '', /^\/account\?/, 'the console sends it to set up its factor');
    const secret = /secret=([A-Z2-7]+)/.exec(page.page)![1]!;
    await page.post('/account/totp/confirm?lang=en', { code: generateSync({ secret, epoch: Math.floor(strict.clock.now() / 1000) }) });
    assert.equal([...page.page.matchAll(/<li><code>/g)].length, 10);
    // Confirming the factor replaced the enrolment session with a normal one whose amr shows the code.
    const normal = page.cookies.get('gh_session')!;
    assert.notEqual(normal, enrolmentCookie);
    const claims = JSON.parse(Buffer.from(normal.split('.')[1]!, 'base64url').toString());
    assert.deepEqual([claims.type, claims.amr], ['access', ['pwd', 'otp', 'mfa']]);
    assert.equal((await strict.http('GET', '/api/users/me', { token: normal })).status, 200);
    const old = await fetch(`${strict.url}/account?lang=en`, { headers: { cookie: `gh_session=${enrolmentCookie}` } });
    assert.match(await old.text(), /Sign in to your account/, 'the enrolment session has ended');
    await page.request('GET', '/account?lang=en');
    assert.match(page.page, /Your account/);
    const after = await strict.http('POST', '/api/v1/auth/login/json', { body: { username: 'staff_member', password: PASSWORD } });
    assert.deepEqual([after.status, after.body.mfa_required], [403, true], 'now the usual second step');
  });
});
