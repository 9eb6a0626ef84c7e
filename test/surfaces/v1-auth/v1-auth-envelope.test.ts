import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { uniqueName, waitForResetToken } from '../../helpers/users.ts';

// The default server: its envelope listener (ENVELOPE_PORT) answers /api/v1/auth in envelope style.
let server: TestServer;
let http: TestServer['http'];
before(async () => {
  server = await startTestServer();
  http = server.envelopeHttp;
});
after(() => server.close());

const err = (message: string, code: string) => ({ status: 'error', message, code });

async function register(extra: Record<string, unknown> = {}) {
  const username = uniqueName('env');
  const r = await http('POST', '/api/v1/auth/register', { body: { username, password: 'password123', full_name: '测试用户', ...extra } });
  assert.equal(r.status, 201, r.text);
  return { username, body: r.body };
}

async function login(username: string, password = 'password123') {
  const r = await http('POST', '/api/v1/auth/login', { body: { username, password } });
  assert.equal(r.status, 200, r.text);
  return r.body.data as { access_token: string; refresh_token: string; token_type: string; expires_in: number };
}

describe('/api/v1/auth in envelope style (the ENVELOPE_PORT listener)', () => {
  test('register: 201 注册成功 with uuid; email optional; duplicates 400 USERNAME_EXISTS / EMAIL_EXISTS', async () => {
    const { username, body } = await register();
    assert.equal(body.status, 'success');
    assert.equal(body.message, '注册成功');
    assert.match(body.data.uuid, /^[0-9a-f-]{36}$/);
    assert.equal(body.data.username, username);
    assert.equal(body.data.full_name, '测试用户');
    assert.equal(body.data.email, null);
    const dup = await http('POST', '/api/v1/auth/register', { body: { username: username.toUpperCase(), password: 'password123' } });
    assert.deepEqual([dup.status, dup.body], [400, err('用户名已存在', 'USERNAME_EXISTS')]);
    const { username: other } = await register({ email: 'env-shared@example.com' });
    assert.ok(other);
    const dupEmail = await http('POST', '/api/v1/auth/register', {
      body: { username: uniqueName(), password: 'password123', email: 'ENV-shared@example.com' },
    });
    assert.deepEqual([dupEmail.status, dupEmail.body], [400, err('邮箱已存在', 'EMAIL_EXISTS')]);
  });

  test('register: 400 VALIDATION_ERROR', async () => {
    const r = await http('POST', '/api/v1/auth/register', { body: { username: 'ab', password: 'password123' } });
    assert.deepEqual([r.status, r.body], [400, err('请求参数错误: username 长度不能少于3个字符', 'VALIDATION_ERROR')]);
  });

  test('login: 200 登录成功 with access and refresh tokens, 86400 s; 401 INVALID_CREDENTIALS', async () => {
    const { username } = await register();
    const r = await http('POST', '/api/v1/auth/login', { body: { username, password: 'password123' } });
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'success');
    assert.equal(r.body.message, '登录成功');
    assert.deepEqual(Object.keys(r.body.data).sort(), ['access_token', 'expires_in', 'refresh_token', 'token_type']);
    assert.equal(r.body.data.expires_in, 86400);
    const claims = JSON.parse(Buffer.from(r.body.data.access_token.split('.')[1], 'base64url').toString());
    assert.equal(claims.exp - claims.iat, 86400);
    const bad = await http('POST', '/api/v1/auth/login', { body: { username, password: 'wrong-password' } });
    assert.deepEqual([bad.status, bad.body], [401, err('用户名或密码错误', 'INVALID_CREDENTIALS')]);
  });

  test('refresh: the refresh token does not rotate by default and works on every call (the retry helper of the envelope clients)', async () => {
    const { username } = await register();
    const first = await login(username);
    for (let i = 0; i < 3; i++) {
      const r = await http('POST', '/api/v1/auth/refresh', { body: { refresh_token: first.refresh_token } });
      assert.equal(r.status, 200);
      assert.equal(r.body.message, '令牌刷新成功');
      assert.equal(r.body.data.refresh_token, first.refresh_token);
      assert.equal(r.body.data.expires_in, 86400);
      assert.equal((await http('GET', '/api/v1/users/profile', { token: r.body.data.access_token })).status, 200);
    }
    assert.equal((await http('GET', '/api/v1/users/profile', { token: first.access_token })).status, 200);
  });

  test('refresh: an access token is INVALID_TOKEN_TYPE; garbage is INVALID_TOKEN', async () => {
    const { username } = await register();
    const tokens = await login(username);
    const wrongType = await http('POST', '/api/v1/auth/refresh', { body: { refresh_token: tokens.access_token } });
    assert.deepEqual([wrongType.status, wrongType.body], [401, err('token类型错误', 'INVALID_TOKEN_TYPE')]);
    const garbage = await http('POST', '/api/v1/auth/refresh', { body: { refresh_token: 'x.y.z' } });
    assert.deepEqual([garbage.status, garbage.body], [401, err('token无效或已过期', 'INVALID_TOKEN')]);
  });

  test('twenty concurrent refreshes with one refresh token all succeed, and every token returned works', async () => {
    const { username } = await register();
    const tokens = await login(username);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => http('POST', '/api/v1/auth/refresh', { body: { refresh_token: tokens.refresh_token } })),
    );
    assert.deepEqual(
      results.map((r) => r.status),
      Array(20).fill(200),
    );
    for (const r of results) assert.equal((await http('GET', '/api/v1/auth/me', { token: r.body.data.access_token })).status, 200);
  });

  test('me, logout, change-password, forgot and reset, enveloped', async () => {
    const email = `${uniqueName()}@example.com`;
    const { username } = await register({ email });
    const { access_token } = await login(username);
    const me = await http('GET', '/api/v1/auth/me', { token: access_token });
    assert.equal(me.body.status, 'success');
    assert.equal(me.body.data.username, username);
    assert.equal(me.body.data.email, email);

    const cp = await http('POST', '/api/v1/auth/change-password', {
      token: access_token,
      body: { old_password: 'password123', new_password: 'newpassword123' },
    });
    assert.deepEqual([cp.status, cp.body], [200, { status: 'success', message: '密码修改成功', data: null }]);
    const wrongOld = await http('POST', '/api/v1/auth/change-password', {
      token: access_token,
      body: { old_password: 'password123', new_password: 'newpassword456' },
    });
    assert.deepEqual([wrongOld.status, wrongOld.body], [400, err('旧密码错误', 'INVALID_OLD_PASSWORD')]);

    const forgot = await http('POST', '/api/v1/auth/forgot-password', { body: { email } });
    assert.deepEqual(forgot.body, { status: 'success', message: '如果邮箱存在，重置链接已发送', data: null });
    const resetToken = await waitForResetToken(server.stores.outbox, email);
    const reset = await http('POST', '/api/v1/auth/reset-password', { body: { token: resetToken, new_password: 'resetpassword1' } });
    assert.deepEqual(reset.body, { status: 'success', message: '密码重置成功', data: null });
    const again = await http('POST', '/api/v1/auth/reset-password', { body: { token: resetToken, new_password: 'resetpassword1' } });
    assert.deepEqual([again.status, again.body], [400, err('重置令牌无效或已过期', 'INVALID_RESET_TOKEN')]);

    const fresh = await login(username, 'resetpassword1');
    const out = await http('POST', '/api/v1/auth/logout', { token: fresh.access_token });
    assert.deepEqual([out.status, out.body], [200, { status: 'success', message: '登出成功', data: null }]);
    const missing = await http('GET', '/api/v1/auth/me');
    assert.deepEqual([missing.status, missing.body], [401, err('缺少认证token', 'MISSING_TOKEN')]);
  });
});

describe('REFRESH_TOKEN_ROTATION=on (envelope style)', () => {
  let rotating: TestServer;
  before(async () => {
    rotating = await startTestServer({ env: { REFRESH_TOKEN_ROTATION: 'on' } });
  });
  after(() => rotating.close());

  test('each refresh hands out a new refresh token; the replaced one gets the same answer for 10 s, then ends the session', async () => {
    const rhttp = rotating.envelopeHttp;
    const username = uniqueName('rot');
    assert.equal((await rhttp('POST', '/api/v1/auth/register', { body: { username, password: 'password123' } })).status, 201);
    const first = (await rhttp('POST', '/api/v1/auth/login', { body: { username, password: 'password123' } })).body.data;
    const r = await rhttp('POST', '/api/v1/auth/refresh', { body: { refresh_token: first.refresh_token } });
    assert.equal(r.status, 200);
    assert.notEqual(r.body.data.refresh_token, first.refresh_token);
    rotating.clock.advance(5_000);
    const within = await rhttp('POST', '/api/v1/auth/refresh', { body: { refresh_token: first.refresh_token } });
    assert.equal(within.status, 200);
    // the same successor: a client that stores either answer keeps working
    const jti = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti;
    assert.equal(jti(within.body.data.refresh_token), jti(r.body.data.refresh_token));
    rotating.clock.advance(6_000);
    const late = await rhttp('POST', '/api/v1/auth/refresh', { body: { refresh_token: first.refresh_token } });
    assert.deepEqual([late.status, late.body], [401, err('token无效或已过期', 'INVALID_TOKEN')]);
    // the whole session ended: the newest tokens are dead too, and the reuse is audited
    assert.equal((await rhttp('POST', '/api/v1/auth/refresh', { body: { refresh_token: r.body.data.refresh_token } })).status, 401);
    assert.equal((await rhttp('GET', '/api/v1/users/profile', { token: r.body.data.access_token })).status, 401);
    const events = await rotating.stores.audit.list(20);
    assert.ok(events.some((e) => e.type === 'session.reuse_detected'));
  });

  test('twenty concurrent refreshes with one refresh token all succeed with the same successor', async () => {
    const rhttp = rotating.envelopeHttp;
    const username = uniqueName('rot');
    await rhttp('POST', '/api/v1/auth/register', { body: { username, password: 'password123' } });
    const first = (await rhttp('POST', '/api/v1/auth/login', { body: { username, password: 'password123' } })).body.data;
    const results = await Promise.all(
      Array.from({ length: 20 }, () => rhttp('POST', '/api/v1/auth/refresh', { body: { refresh_token: first.refresh_token } })),
    );
    assert.deepEqual(
      results.map((r) => r.status),
      Array(20).fill(200),
    );
    for (const r of results) assert.equal((await rhttp('GET', '/api/v1/auth/me', { token: r.body.data.access_token })).status, 200);
    const next = await rhttp('POST', '/api/v1/auth/refresh', { body: { refresh_token: results[0]!.body.data.refresh_token } });
    assert.equal(next.status, 200);
  });

  test("seed 002's /api/auth/refresh never rotates, whatever the setting", async () => {
    const username = uniqueName('two');
    await rotating.http('POST', '/api/auth/register', { body: { username, email: `${username}@example.com`, password: 'wonderland42', nickname: 'n' } });
    const { refresh_token } = (await rotating.http('POST', '/api/auth/login', { body: { username, password: 'wonderland42' } })).body;
    for (let i = 0; i < 3; i++) assert.equal((await rotating.http('POST', '/api/auth/refresh', { body: { refresh_token } })).status, 200);
  });
});

describe('V1_AUTH_STYLE=envelope', () => {
  test('makes the main listener answer /api/v1/auth in envelope style too', async () => {
    const both = await startTestServer({ env: { V1_AUTH_STYLE: 'envelope' } });
    try {
      const r = await both.http('POST', '/api/v1/auth/login', { body: { username: 'nobody', password: 'password123' } });
      assert.deepEqual([r.status, r.body], [401, err('用户名或密码错误', 'INVALID_CREDENTIALS')]);
    } finally {
      await both.close();
    }
  });
});
