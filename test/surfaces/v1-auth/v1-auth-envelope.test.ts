import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { uniqueName, waitForResetToken } from '../../helpers/users.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer({ env: { V1_AUTH_STYLE: 'envelope' } });
});
after(() => server.close());

const err = (message: string, code: string) => ({ status: 'error', message, code });

async function register(extra: Record<string, unknown> = {}) {
  const username = uniqueName('env');
  const r = await server.http('POST', '/api/v1/auth/register', { body: { username, password: 'password123', full_name: '测试用户', ...extra } });
  assert.equal(r.status, 201, r.text);
  return { username, body: r.body };
}

async function login(username: string, password = 'password123') {
  const r = await server.http('POST', '/api/v1/auth/login', { body: { username, password } });
  assert.equal(r.status, 200, r.text);
  return r.body.data as { access_token: string; refresh_token: string; token_type: string; expires_in: number };
}

describe('V1_AUTH_STYLE=envelope on /api/v1/auth', () => {
  test('register: 201 注册成功 with uuid; email optional; duplicates 400 USERNAME_EXISTS / EMAIL_EXISTS', async () => {
    const { username, body } = await register();
    assert.equal(body.status, 'success');
    assert.equal(body.message, '注册成功');
    assert.match(body.data.uuid, /^[0-9a-f-]{36}$/);
    assert.equal(body.data.username, username);
    assert.equal(body.data.full_name, '测试用户');
    assert.equal(body.data.email, null);
    const dup = await server.http('POST', '/api/v1/auth/register', { body: { username: username.toUpperCase(), password: 'password123' } });
    assert.deepEqual([dup.status, dup.body], [400, err('用户名已存在', 'USERNAME_EXISTS')]);
    const { username: other } = await register({ email: 'env-shared@example.com' });
    assert.ok(other);
    const dupEmail = await server.http('POST', '/api/v1/auth/register', { body: { username: uniqueName(), password: 'password123', email: 'ENV-shared@example.com' } });
    assert.deepEqual([dupEmail.status, dupEmail.body], [400, err('邮箱已存在', 'EMAIL_EXISTS')]);
  });

  test('register: 400 VALIDATION_ERROR', async () => {
    const r = await server.http('POST', '/api/v1/auth/register', { body: { username: 'ab', password: 'password123' } });
    assert.deepEqual([r.status, r.body], [400, err('请求参数错误: username 长度不能少于3个字符', 'VALIDATION_ERROR')]);
  });

  test('login: 200 登录成功 with access and refresh tokens, 86400 s; 401 INVALID_CREDENTIALS', async () => {
    const { username } = await register();
    const r = await server.http('POST', '/api/v1/auth/login', { body: { username, password: 'password123' } });
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'success');
    assert.equal(r.body.message, '登录成功');
    assert.deepEqual(Object.keys(r.body.data).sort(), ['access_token', 'expires_in', 'refresh_token', 'token_type']);
    assert.equal(r.body.data.expires_in, 86400);
    const claims = JSON.parse(Buffer.from(r.body.data.access_token.split('.')[1], 'base64url').toString());
    assert.equal(claims.exp - claims.iat, 86400);
    const bad = await server.http('POST', '/api/v1/auth/login', { body: { username, password: 'wrong-password' } });
    assert.deepEqual([bad.status, bad.body], [401, err('用户名或密码错误', 'INVALID_CREDENTIALS')]);
  });

  test('refresh rotates the refresh token; a replaced one is refused at once and ends the session', async () => {
    const { username } = await register();
    const first = await login(username);
    const r = await server.http('POST', '/api/v1/auth/refresh', { body: { refresh_token: first.refresh_token } });
    assert.equal(r.status, 200);
    assert.equal(r.body.message, '令牌刷新成功');
    assert.notEqual(r.body.data.refresh_token, first.refresh_token);
    assert.equal(r.body.data.expires_in, 86400);
    const replay = await server.http('POST', '/api/v1/auth/refresh', { body: { refresh_token: first.refresh_token } });
    assert.deepEqual([replay.status, replay.body], [401, err('token无效或已过期', 'INVALID_TOKEN')]);
    // the whole session ended: the newest tokens are dead too
    assert.equal((await server.http('POST', '/api/v1/auth/refresh', { body: { refresh_token: r.body.data.refresh_token } })).status, 401);
    assert.equal((await server.http('GET', '/api/v1/users/profile', { token: r.body.data.access_token })).status, 401);
  });

  test('refresh: an access token is INVALID_TOKEN_TYPE; garbage is INVALID_TOKEN', async () => {
    const { username } = await register();
    const tokens = await login(username);
    const wrongType = await server.http('POST', '/api/v1/auth/refresh', { body: { refresh_token: tokens.access_token } });
    assert.deepEqual([wrongType.status, wrongType.body], [401, err('token类型错误', 'INVALID_TOKEN_TYPE')]);
    const garbage = await server.http('POST', '/api/v1/auth/refresh', { body: { refresh_token: 'x.y.z' } });
    assert.deepEqual([garbage.status, garbage.body], [401, err('token无效或已过期', 'INVALID_TOKEN')]);
  });

  test('concurrent refreshes with one refresh token: at most one succeeds, and the replay ends the session', async () => {
    const { username } = await register();
    const tokens = await login(username);
    const results = await Promise.all(Array.from({ length: 10 }, () => server.http('POST', '/api/v1/auth/refresh', { body: { refresh_token: tokens.refresh_token } })));
    assert.ok(results.filter((r) => r.status === 200).length <= 1);
    assert.ok(results.every((r) => r.status === 200 || r.status === 401));
  });

  test('me, logout, change-password, forgot and reset, enveloped', async () => {
    const email = `${uniqueName()}@example.com`;
    const { username } = await register({ email });
    const { access_token } = await login(username);
    const me = await server.http('GET', '/api/v1/auth/me', { token: access_token });
    assert.equal(me.body.status, 'success');
    assert.equal(me.body.data.username, username);
    assert.equal(me.body.data.email, email);

    const cp = await server.http('POST', '/api/v1/auth/change-password', { token: access_token, body: { old_password: 'password123', new_password: 'newpassword123' } });
    assert.deepEqual([cp.status, cp.body], [200, { status: 'success', message: '密码修改成功', data: null }]);
    const wrongOld = await server.http('POST', '/api/v1/auth/change-password', { token: access_token, body: { old_password: 'password123', new_password: 'newpassword456' } });
    assert.deepEqual([wrongOld.status, wrongOld.body], [400, err('旧密码错误', 'INVALID_OLD_PASSWORD')]);

    const forgot = await server.http('POST', '/api/v1/auth/forgot-password', { body: { email } });
    assert.deepEqual(forgot.body, { status: 'success', message: '如果邮箱存在，重置链接已发送', data: null });
    const resetToken = await waitForResetToken(server.stores.outbox, email);
    const reset = await server.http('POST', '/api/v1/auth/reset-password', { body: { token: resetToken, new_password: 'resetpassword1' } });
    assert.deepEqual(reset.body, { status: 'success', message: '密码重置成功', data: null });
    const again = await server.http('POST', '/api/v1/auth/reset-password', { body: { token: resetToken, new_password: 'resetpassword1' } });
    assert.deepEqual([again.status, again.body], [400, err('重置令牌无效或已过期', 'INVALID_RESET_TOKEN')]);

    const fresh = await login(username, 'resetpassword1');
    const out = await server.http('POST', '/api/v1/auth/logout', { token: fresh.access_token });
    assert.deepEqual([out.status, out.body], [200, { status: 'success', message: '登出成功', data: null }]);
    const missing = await server.http('GET', '/api/v1/auth/me');
    assert.deepEqual([missing.status, missing.body], [401, err('缺少认证token', 'MISSING_TOKEN')]);
  });
});
