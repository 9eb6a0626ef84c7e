// Every change to how an account is protected needs a fresh proof (core/second-factors/step-up.ts): a leaked
// bearer token alone adds no factor, removes none, and changes neither password nor email of an enrolled account.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generateSync } from 'otplib';
import type { Client } from '../../helpers/http.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { registerV1 } from '../../helpers/users.ts';

const PASSWORD = 'password123';

let server: TestServer;
before(async () => {
  // Many logins from 127.0.0.1: the per-address limit is raised for volume (the per-account budgets stay).
  server = await startTestServer({ env: { RATE_LIMIT_PER_IP: '100000' } });
});
after(() => server.close());

const codeOf = (secret: string, clock = server.clock) => generateSync({ secret, epoch: Math.floor(clock.now() / 1000) });

/** A new account, signed in with the password on the envelope listener (an access token and a refresh token). */
async function account(http: Client = server.envelopeHttp) {
  const { username, email, user } = await registerV1(server.http);
  const login = await http('POST', '/api/v1/auth/login', { body: { username, password: PASSWORD } });
  assert.equal(login.status, 200, login.text);
  return { username, email, userId: user.id as number, token: login.body.data.access_token as string, refresh: login.body.data.refresh_token as string };
}

/** Sets up an authenticator app on `token`'s session with the password; returns its secret. */
async function enrol(token: string): Promise<string> {
  const setup = await server.http('POST', '/api/v1/auth/mfa/totp', { token, body: { password: PASSWORD } });
  assert.equal(setup.status, 200, setup.text);
  const confirm = await server.http('POST', '/api/v1/auth/mfa/totp/confirm', { token, body: { code: codeOf(setup.body.secret) } });
  assert.equal(confirm.status, 200, confirm.text);
  server.clock.advance(30_000);
  return setup.body.secret;
}

/** A full two-step login (password, then the code) on the plain listener: a fresh session whose amr shows the code. */
async function twoStep(username: string, secret: string): Promise<string> {
  const first = await server.http('POST', '/api/v1/auth/login/json', { body: { username, password: PASSWORD } });
  assert.equal(first.status, 403, first.text);
  const second = await server.http('POST', '/api/v1/auth/mfa/verify', { body: { mfa_token: first.body.mfa_token, code: codeOf(secret) } });
  assert.equal(second.status, 200, second.text);
  server.clock.advance(30_000);
  return second.body.access_token;
}

describe('step-up: a bearer token alone adds no second factor', () => {
  test("setting up an authenticator app or a passkey with the token alone: 403 STEP_UP_REQUIRED in each listener's shape; a wrong password 400", async () => {
    const { token } = await account();
    for (const path of ['/api/v1/auth/mfa/totp', '/api/v1/auth/mfa/passkeys/register/options']) {
      const plain = await server.http('POST', path, { token });
      assert.equal(plain.status, 403, `${path}: ${plain.text}`);
      assert.deepEqual(Object.keys(plain.body), ['detail']);
      assert.match(plain.body.detail, /^此操作需要重新验证身份/);
      const envelope = await server.envelopeHttp('POST', path, { token, body: {} });
      assert.deepEqual([envelope.status, envelope.body.status, envelope.body.code], [403, 'error', 'STEP_UP_REQUIRED']);
      const wrong = await server.http('POST', path, { token, body: { password: 'not-the-password' } });
      assert.equal(wrong.status, 400, 'a wrong password is refused (and counted toward the lockout)');
    }
    const status = await server.http('GET', '/api/v1/auth/mfa', { token });
    assert.deepEqual([status.body.totp, status.body.passkeys], ['none', []], 'nothing was started');
  });

  test("the first factor ends the account's other sessions: a refresh token from before it mints nothing more", async () => {
    const a = await account();
    const before = await server.envelopeHttp('POST', '/api/v1/auth/login', { body: { username: a.username, password: PASSWORD } });
    const other = before.body.data as { access_token: string; refresh_token: string };
    await enrol(a.token);
    const refreshed = await server.envelopeHttp('POST', '/api/v1/auth/refresh', { body: { refresh_token: other.refresh_token } });
    assert.equal(refreshed.status, 401, 'the pre-enrolment refresh token is dead');
    assert.equal((await server.http('GET', '/api/v1/auth/me', { token: other.access_token })).status, 401);
    assert.equal((await server.http('GET', '/api/v1/auth/me', { token: a.token })).status, 200, 'the session that enrolled stays');
  });

  test('the owner is mailed when a factor is added and when it is removed', async () => {
    const a = await account();
    const secret = await enrol(a.token);
    const fresh = await twoStep(a.username, secret);
    assert.equal((await server.http('DELETE', '/api/v1/auth/mfa/totp', { token: fresh, body: {} })).status, 200);
    const mails = (await server.core.stores.outbox.list(50)).filter((m) => m.to === a.email && /Security notice/.test(m.subject));
    assert.equal(mails.length, 2);
    assert.ok(mails.some((m) => /was added/.test(m.text)) && mails.some((m) => /was removed/.test(m.text)));
  });
});

describe('step-up: an enrolled account', () => {
  test('removing the app or making new recovery codes needs the password AND a code; the password alone is 403', async () => {
    const a = await account();
    const secret = await enrol(a.token);
    for (const [method, path] of [
      ['POST', '/api/v1/auth/mfa/recovery-codes'],
      ['DELETE', '/api/v1/auth/mfa/totp'],
    ] as const) {
      assert.equal((await server.http(method, path, { token: a.token, body: {} })).status, 403, path);
      assert.equal((await server.http(method, path, { token: a.token, body: { password: PASSWORD } })).status, 403, `${path}, password alone`);
      const wrongCode = String((Number(codeOf(secret)) + 1) % 1_000_000).padStart(6, '0');
      assert.equal((await server.http(method, path, { token: a.token, body: { password: PASSWORD, code: wrongCode } })).status, 400);
    }
    const ok = await server.http('DELETE', '/api/v1/auth/mfa/totp', { token: a.token, body: { password: PASSWORD, code: codeOf(secret) } });
    assert.equal(ok.status, 200, ok.text);
  });

  test('a session signed in with the code is its own proof for STEP_UP_MAX_AGE_SECONDS (300); a refresh does not renew it', async () => {
    const a = await account();
    const secret = await enrol(a.token);
    // A two-step login on the envelope listener: it carries a refresh token.
    const first = await server.envelopeHttp('POST', '/api/v1/auth/login', { body: { username: a.username, password: PASSWORD } });
    const second = await server.envelopeHttp('POST', '/api/v1/auth/mfa/verify', { body: { mfa_token: first.body.data.mfa_token, code: codeOf(secret) } });
    const { access_token, refresh_token } = second.body.data;
    server.clock.advance(240_000);
    assert.equal((await server.http('POST', '/api/v1/auth/mfa/recovery-codes', { token: access_token, body: {} })).status, 200, 'fresh: 4 minutes');
    server.clock.advance(61_000);
    const refreshed = await server.envelopeHttp('POST', '/api/v1/auth/refresh', { body: { refresh_token } });
    assert.equal(refreshed.status, 200);
    const renewed = refreshed.body.data.access_token as string;
    const stale = await server.http('POST', '/api/v1/auth/mfa/recovery-codes', { token: renewed, body: {} });
    assert.equal(stale.status, 403, "the sign-in is 5 minutes and 1 second old, whatever the new token's iat says");
  });

  test('a password change needs a code too (both listeners); without the app, the old password alone as before', async () => {
    const a = await account();
    const secret = await enrol(a.token);
    const body = { old_password: PASSWORD, new_password: 'password456' };
    const plain = await server.http('POST', '/api/v1/auth/change-password', { token: a.token, body });
    assert.equal(plain.status, 403, plain.text);
    const envelope = await server.envelopeHttp('POST', '/api/v1/auth/change-password', { token: a.token, body });
    assert.equal(envelope.body.code, 'STEP_UP_REQUIRED');
    const wrongCode = String((Number(codeOf(secret)) + 1) % 1_000_000).padStart(6, '0');
    const wrong = await server.http('POST', '/api/v1/auth/change-password', { token: a.token, body: { ...body, code: wrongCode } });
    assert.equal(wrong.status, 400, 'a wrong code is judged, not just present');
    assert.equal((await server.http('POST', '/api/v1/auth/login/json', { body: { username: a.username, password: 'password456' } })).status, 401);
    const done = await server.http('POST', '/api/v1/auth/change-password', { token: a.token, body: { ...body, code: codeOf(secret) } });
    assert.equal(done.status, 200, done.text);
    const b = await account();
    assert.equal((await server.http('POST', '/api/v1/auth/change-password', { token: b.token, body })).status, 200);
  });

  test('the contract routes without a field for the code keep their contract for other accounts and answer 403 for an enrolled one', async () => {
    const a = await account();
    await enrol(a.token);
    const me = (body: object) => server.http('PUT', '/api/user/me', { token: a.token, body });
    for (const body of [{ password: 'password456A' }, { email: `new-${a.email}` }]) {
      const r = await me(body);
      assert.equal(r.status, 403, JSON.stringify(body));
      assert.match(r.body.detail, /^This account has two-step verification/);
    }
    assert.equal((await me({ nickname: 'still fine' })).status, 200, 'other changes as before');
    const reset = await server.http('POST', '/api/users/reset_password', { body: { email: a.email, old_password: PASSWORD, new_password: 'password456' } });
    assert.equal(reset.status, 403, reset.text);
    const wrong = await server.http('POST', '/api/users/reset_password', {
      body: { email: a.email, old_password: 'not-it-at-all', new_password: 'password456' },
    });
    assert.equal(wrong.status, 400, 'a wrong password is still just a wrong password');
    assert.equal((await server.http('POST', '/api/v1/auth/login/json', { body: { username: a.username, password: PASSWORD } })).status, 403);
    const b = await account();
    assert.equal((await server.http('PUT', '/api/user/me', { token: b.token, body: { password: 'password456A' } })).status, 200);
    const c = await account();
    const resetC = await server.http('POST', '/api/users/reset_password', { body: { email: c.email, old_password: PASSWORD, new_password: 'password456' } });
    assert.equal(resetC.status, 200, resetC.text);
  });

  test('a user disabled between the password and the code is not let in by the code', async () => {
    const a = await account();
    const secret = await enrol(a.token);
    const first = await server.http('POST', '/api/v1/auth/login/json', { body: { username: a.username, password: PASSWORD } });
    await server.core.accounts.setStatus((await server.core.accounts.findById(a.userId))!, 'disabled');
    const second = await server.http('POST', '/api/v1/auth/mfa/verify', { body: { mfa_token: first.body.mfa_token, code: codeOf(secret) } });
    assert.deepEqual([second.status, second.body.detail], [403, '账户未激活']);
  });

  test('a recovery code is the whole code: the same code with anything after it is wrong', async () => {
    const a = await account();
    const setup = await server.http('POST', '/api/v1/auth/mfa/totp', { token: a.token, body: { password: PASSWORD } });
    const confirm = await server.http('POST', '/api/v1/auth/mfa/totp/confirm', { token: a.token, body: { code: codeOf(setup.body.secret) } });
    const [code] = confirm.body.recovery_codes as string[];
    for (const typed of [`${code}x`, `${code}-2`, code!.slice(0, -1)]) {
      const first = await server.http('POST', '/api/v1/auth/login/json', { body: { username: a.username, password: PASSWORD } });
      const r = await server.http('POST', '/api/v1/auth/mfa/verify', { body: { mfa_token: first.body.mfa_token, recovery_code: typed } });
      assert.equal(r.status, 400, typed);
    }
    server.clock.advance(3600_000);
    const first = await server.http('POST', '/api/v1/auth/login/json', { body: { username: a.username, password: PASSWORD } });
    const r = await server.http('POST', '/api/v1/auth/mfa/verify', { body: { mfa_token: first.body.mfa_token, recovery_code: code } });
    assert.equal(r.status, 200, r.text);
  });
});

describe('MFA_REQUIRED=all', () => {
  let strict: TestServer;
  before(async () => {
    strict = await startTestServer({ env: { MFA_REQUIRED: 'all' } });
  });
  after(() => strict.close());

  test('covers every account, staff or not: no API token until it enrols; its last factor cannot be removed (409)', async () => {
    const { username, user } = await registerV1(strict.http);
    const plain = await strict.http('POST', '/api/v1/auth/login/json', { body: { username, password: PASSWORD } });
    assert.deepEqual([plain.status, plain.body.detail], [403, '请先在 /account 页面设置两步验证']);
    const users = await strict.http('POST', '/api/users/login', { body: { email: user.email, password: PASSWORD } });
    assert.equal(users.status, 403);
    // Enrolled (through the core, as the account page's enrolment session does), the last factor stays.
    const stored = (await strict.core.accounts.findById(user.id))!;
    const grant = await strict.core.sessions.start(stored, { accessTtl: 600, amr: ['pwd'] });
    const setup = await strict.http('POST', '/api/v1/auth/mfa/totp', { token: grant.accessToken, body: { password: PASSWORD } });
    assert.equal(setup.status, 200, setup.text);
    const code = () => codeOf(setup.body.secret, strict.clock);
    assert.equal((await strict.http('POST', '/api/v1/auth/mfa/totp/confirm', { token: grant.accessToken, body: { code: code() } })).status, 200);
    strict.clock.advance(30_000);
    const removed = await strict.http('DELETE', '/api/v1/auth/mfa/totp', { token: grant.accessToken, body: { password: PASSWORD, code: code() } });
    assert.deepEqual([removed.status, removed.body.detail], [409, '此账户必须保留至少一种两步验证方式']);
    const envelope = await strict.envelopeHttp('DELETE', '/api/v1/auth/mfa/totp', { token: grant.accessToken, body: { password: PASSWORD, code: code() } });
    assert.equal(envelope.body.code, 'LAST_FACTOR_REQUIRED');
    assert.equal((await strict.http('GET', '/api/v1/auth/mfa', { token: grant.accessToken })).body.totp, 'active');
  });
});

describe('MFA_LEGACY_LOGIN=allow', () => {
  let allowing: TestServer;
  before(async () => {
    allowing = await startTestServer({ env: { MFA_LEGACY_LOGIN: 'allow' } });
  });
  after(() => allowing.close());

  test("the contract routes change an enrolled account's password with the old password alone, each audited", async () => {
    const { username, email, user } = await registerV1(allowing.http);
    const token = (await allowing.http('POST', '/api/v1/auth/login/json', { body: { username, password: PASSWORD } })).body.access_token;
    const setup = await allowing.http('POST', '/api/v1/auth/mfa/totp', { token, body: { password: PASSWORD } });
    await allowing.http('POST', '/api/v1/auth/mfa/totp/confirm', { token, body: { code: codeOf(setup.body.secret, allowing.clock) } });
    const reset = await allowing.http('POST', '/api/users/reset_password', { body: { email, old_password: PASSWORD, new_password: 'password456' } });
    assert.equal(reset.status, 200, reset.text);
    const events = await allowing.core.audit.list(50, user.id);
    assert.ok(events.some((e) => e.type === 'mfa.legacy_login' && /password changed/.test(e.detail ?? '')));
  });
});
