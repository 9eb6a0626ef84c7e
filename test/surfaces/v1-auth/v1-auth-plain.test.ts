import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { loginV1, registerV1, uniqueName, waitForResetToken } from '../../helpers/users.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

const UNAUTHENTICATED = { detail: '无效的认证凭据' };
const ZULU = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

describe('POST /api/v1/auth/register', () => {
  test('201 with the new user', async () => {
    const username = uniqueName('reg');
    const r = await server.http('POST', '/api/v1/auth/register', {
      body: {
        username,
        email: `${username}@example.com`,
        password: 'password123',
        confirm_password: 'password123',
        full_name: '测试用户',
        phone: '13800138000',
      },
    });
    assert.equal(r.status, 201);
    const { id, created_at, ...rest } = r.body;
    assert.equal(typeof id, 'number');
    assert.match(created_at, ZULU);
    assert.deepEqual(rest, {
      username,
      email: `${username}@example.com`,
      full_name: '测试用户',
      phone: '13800138000',
      is_superuser: false,
      is_staff: false,
      status: 'active',
    });
  });

  test('400 用户名已存在 / 邮箱已存在', async () => {
    const first = await registerV1(server.http);
    const r1 = await server.http('POST', '/api/v1/auth/register', {
      body: { username: first.username, email: `other-${first.email}`, password: 'password123', confirm_password: 'password123' },
    });
    assert.deepEqual([r1.status, r1.body], [400, { detail: '用户名已存在' }]);
    const r2 = await server.http('POST', '/api/v1/auth/register', {
      body: { username: uniqueName(), email: first.email.toUpperCase(), password: 'password123', confirm_password: 'password123' },
    });
    assert.deepEqual([r2.status, r2.body], [400, { detail: '邮箱已存在' }]);
  });

  test('400 参数验证失败: mismatched confirmation, bad username, bad email, short password, missing field, bad JSON', async () => {
    const base = { username: uniqueName(), email: `${uniqueName()}@example.com`, password: 'password123', confirm_password: 'password123' };
    const cases: Array<[Record<string, unknown> | string, string]> = [
      [{ ...base, confirm_password: 'password124' }, '参数验证失败: 两次输入的密码不一致'],
      [{ ...base, username: 'ab' }, '参数验证失败: username 长度不能少于3个字符'],
      [{ ...base, username: 'has space' }, '参数验证失败: username 格式不正确'],
      [{ ...base, username: 'x'.repeat(51) }, '参数验证失败: username 长度不能超过50个字符'],
      [{ ...base, email: 'not-an-email' }, '参数验证失败: email 邮箱格式不正确'],
      [{ ...base, password: 'short', confirm_password: 'short' }, '参数验证失败: password 长度不能少于8个字符'],
      [{ username: base.username, email: base.email, password: 'password123' }, '参数验证失败: confirm_password 为必填字段'],
      ['{"username": ', '参数验证失败: 请求体不是有效的 JSON'],
    ];
    for (const [body, detail] of cases) {
      const r = await server.http('POST', '/api/v1/auth/register', typeof body === 'string' ? { raw: body } : { body });
      assert.deepEqual([r.status, r.body], [400, { detail }], detail);
    }
    assert.equal(await server.core.accounts.findByUsername(base.username), null);
  });
});

describe('POST /api/v1/auth/login (form) and /login/json', () => {
  test('form login by username or by email: token, 3600 s, and the user with last_login_at', async () => {
    const { username, email } = await registerV1(server.http, { full_name: '测试用户' });
    for (const id of [username, email]) {
      const r = await server.http('POST', '/api/v1/auth/login', { form: { username: id, password: 'password123' } });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.token_type, 'bearer');
      assert.equal(r.body.expires_in, 3600);
      const { id: userId, created_at, last_login_at, ...user } = r.body.user;
      assert.equal(typeof userId, 'number');
      assert.match(created_at, ZULU);
      assert.match(last_login_at, ZULU);
      assert.deepEqual(user, { username, email, full_name: '测试用户', avatar_url: null, is_superuser: false, is_staff: false, status: 'active' });
    }
  });

  test('JSON login; remember_me makes a 30-day session', async () => {
    const { username } = await registerV1(server.http);
    const plain = await server.http('POST', '/api/v1/auth/login/json', { body: { username, password: 'password123' } });
    const remembered = await server.http('POST', '/api/v1/auth/login/json', { body: { username, password: 'password123', remember_me: true } });
    assert.equal(plain.status, 200);
    assert.equal(remembered.status, 200);
    const sessionOf = async (token: string) => (await server.core.sessions.authenticate(token)).session;
    const day = 24 * 3600_000;
    const a = await sessionOf(plain.body.access_token);
    const b = await sessionOf(remembered.body.access_token);
    assert.equal(a.expiresAt - a.createdAt, 7 * day);
    assert.equal(b.expiresAt - b.createdAt, 30 * day);
  });

  test('401 用户名或密码错误; 403 账户未激活; 423 账户已被锁定', async () => {
    const { username } = await registerV1(server.http);
    const wrong = await server.http('POST', '/api/v1/auth/login', { form: { username, password: 'wrong-password' } });
    assert.deepEqual([wrong.status, wrong.body], [401, { detail: '用户名或密码错误' }]);
    const unknown = await server.http('POST', '/api/v1/auth/login/json', { body: { username: uniqueName('ghost'), password: 'password123' } });
    assert.deepEqual([unknown.status, unknown.body], [401, { detail: '用户名或密码错误' }]);

    const disabled = await registerV1(server.http);
    await server.core.accounts.setStatus((await server.core.accounts.findByUsername(disabled.username))!, 'disabled');
    const r403 = await server.http('POST', '/api/v1/auth/login/json', { body: { username: disabled.username, password: 'password123' } });
    assert.deepEqual([r403.status, r403.body], [403, { detail: '账户未激活' }]);

    for (let i = 0; i < 4; i++) await server.http('POST', '/api/v1/auth/login', { form: { username, password: 'wrong-password' } });
    const r423 = await server.http('POST', '/api/v1/auth/login', { form: { username, password: 'password123' } });
    assert.deepEqual([r423.status, r423.body], [423, { detail: '账户已被锁定' }]);
  });

  test('400 for a missing form field', async () => {
    const r = await server.http('POST', '/api/v1/auth/login', { form: { username: 'x' } });
    assert.deepEqual([r.status, r.body], [400, { detail: '参数验证失败: password 为必填字段' }]);
  });
});

describe('GET /api/v1/auth/me', () => {
  test('200 with the full profile; login_count and last_login_at kept up to date', async () => {
    const { username, email } = await registerV1(server.http, { full_name: '测试用户', phone: '13800138000' });
    await loginV1(server.http, username);
    server.clock.advance(5000);
    const token = await loginV1(server.http, username);
    const r = await server.http('GET', '/api/v1/auth/me', { token });
    assert.equal(r.status, 200);
    const { id, created_at, updated_at, last_login_at, ...rest } = r.body;
    assert.equal(typeof id, 'number');
    for (const t of [created_at, updated_at, last_login_at]) assert.match(t, ZULU);
    assert.equal(Date.parse(last_login_at) - Date.parse(created_at) >= 5000, true);
    assert.deepEqual(rest, {
      username,
      email,
      full_name: '测试用户',
      avatar_url: null,
      bio: null,
      phone: '13800138000',
      is_email_verified: false,
      is_phone_verified: false,
      is_superuser: false,
      is_staff: false,
      status: 'active',
      language: 'zh',
      timezone: 'Asia/Shanghai',
      theme: 'light',
      login_count: 2,
    });
  });

  test('401 无效的认证凭据 without a token, with garbage, after logout, after expiry', async () => {
    assert.deepEqual((await server.http('GET', '/api/v1/auth/me')).body, UNAUTHENTICATED);
    assert.deepEqual((await server.http('GET', '/api/v1/auth/me', { token: 'a.b.c' })).body, UNAUTHENTICATED);
    const { username } = await registerV1(server.http);
    const token = await loginV1(server.http, username);
    server.clock.advance(3600_000 + 1000);
    const expired = await server.http('GET', '/api/v1/auth/me', { token });
    assert.deepEqual([expired.status, expired.body], [401, UNAUTHENTICATED]);
  });
});

describe('POST /api/v1/auth/logout', () => {
  test('200 登出成功, then 401', async () => {
    const { username } = await registerV1(server.http);
    const token = await loginV1(server.http, username);
    const r = await server.http('POST', '/api/v1/auth/logout', { token });
    assert.deepEqual([r.status, r.body], [200, { message: '登出成功' }]);
    assert.deepEqual((await server.http('GET', '/api/v1/auth/me', { token })).body, UNAUTHENTICATED);
    assert.deepEqual(
      [(await server.http('POST', '/api/v1/auth/logout', { token })).status, (await server.http('POST', '/api/v1/auth/logout')).status],
      [401, 401],
    );
  });
});

describe('POST /api/v1/auth/refresh', () => {
  test('by the live access token: new token, 3600, the short user; the presented one keeps working until logout', async () => {
    const { username, email } = await registerV1(server.http);
    const token = await loginV1(server.http, username);
    const r = await server.http('POST', '/api/v1/auth/refresh', { token });
    assert.equal(r.status, 200);
    assert.equal(r.body.token_type, 'bearer');
    assert.equal(r.body.expires_in, 3600);
    assert.deepEqual({ ...r.body.user, id: 0 }, { id: 0, username, email });
    assert.equal((await server.http('GET', '/api/v1/auth/me', { token })).status, 200);
    assert.equal((await server.http('GET', '/api/v1/auth/me', { token: r.body.access_token })).status, 200);
    // refreshing again with the same token works too, and logging out with it ends every token of the session
    const again = await server.http('POST', '/api/v1/auth/refresh', { token });
    assert.equal(again.status, 200);
    assert.deepEqual((await server.http('POST', '/api/v1/auth/logout', { token })).body, { message: '登出成功' });
    for (const t of [token, r.body.access_token, again.body.access_token])
      assert.deepEqual((await server.http('GET', '/api/v1/auth/me', { token: t })).body, UNAUTHENTICATED);
  });

  test('an expired access token cannot refresh here (401)', async () => {
    const { username } = await registerV1(server.http);
    const token = await loginV1(server.http, username);
    server.clock.advance(3601_000);
    assert.deepEqual((await server.http('POST', '/api/v1/auth/refresh', { token })).body, UNAUTHENTICATED);
  });

  test("by body {refresh_token} from seed 002's login: v1 shape, no rotation", async () => {
    const username = uniqueName('two');
    await server.http('POST', '/api/auth/register', { body: { username, email: `${username}@example.com`, password: 'wonderland42', nickname: 'n' } });
    const { refresh_token } = (await server.http('POST', '/api/auth/login', { body: { username, password: 'wonderland42' } })).body;
    for (let i = 0; i < 2; i++) {
      const r = await server.http('POST', '/api/v1/auth/refresh', { body: { refresh_token } });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.expires_in, 3600);
      assert.equal(r.body.user.username, username);
    }
    assert.deepEqual((await server.http('POST', '/api/v1/auth/refresh', { body: { refresh_token: 'x.y.z' } })).body, UNAUTHENTICATED);
  });
});

describe('POST /api/v1/auth/change-password', () => {
  test('200 密码修改成功: other sessions end, this one stays', async () => {
    const { username } = await registerV1(server.http);
    const mine = await loginV1(server.http, username);
    const other = await loginV1(server.http, username);
    const r = await server.http('POST', '/api/v1/auth/change-password', { token: mine, body: { old_password: 'password123', new_password: 'newpassword123' } });
    assert.deepEqual([r.status, r.body], [200, { message: '密码修改成功' }]);
    assert.equal((await server.http('GET', '/api/v1/auth/me', { token: mine })).status, 200);
    assert.equal((await server.http('GET', '/api/v1/auth/me', { token: other })).status, 401);
    await loginV1(server.http, username, 'newpassword123');
  });

  test('400 旧密码错误; 400 policy; 401 without a token', async () => {
    const { username } = await registerV1(server.http);
    const token = await loginV1(server.http, username);
    const wrong = await server.http('POST', '/api/v1/auth/change-password', { token, body: { old_password: 'nope-nope', new_password: 'newpassword123' } });
    assert.deepEqual([wrong.status, wrong.body], [400, { detail: '旧密码错误' }]);
    const weak = await server.http('POST', '/api/v1/auth/change-password', { token, body: { old_password: 'password123', new_password: 'short' } });
    assert.deepEqual([weak.status, weak.body], [400, { detail: '参数验证失败: new_password 长度不能少于8个字符' }]);
    const anon = await server.http('POST', '/api/v1/auth/change-password', { body: { old_password: 'password123', new_password: 'newpassword123' } });
    assert.deepEqual([anon.status, anon.body], [401, UNAUTHENTICATED]);
  });
});

describe('POST /api/v1/auth/forgot-password and /reset-password', () => {
  const SENT = { message: '如果邮箱存在，重置链接已发送' };

  test('the same answer for a known and an unknown email; only the known one gets mail', async () => {
    const { email } = await registerV1(server.http);
    const known = await server.http('POST', '/api/v1/auth/forgot-password', { body: { email } });
    const unknown = await server.http('POST', '/api/v1/auth/forgot-password', { body: { email: `${uniqueName('ghost')}@example.com` } });
    assert.deepEqual([known.status, known.body], [200, SENT]);
    assert.deepEqual([unknown.status, unknown.body], [200, SENT]);
    assert.ok(await waitForResetToken(server.stores.outbox, email));
  });

  test('400 for a bad email', async () => {
    const r = await server.http('POST', '/api/v1/auth/forgot-password', { body: { email: 'nope' } });
    assert.deepEqual([r.status, r.body], [400, { detail: '参数验证失败: email 邮箱格式不正确' }]);
  });

  test('reset: 200 密码重置成功; sessions end; lockout lifts; the token works once', async () => {
    const { username, email } = await registerV1(server.http);
    const token = await loginV1(server.http, username);
    for (let i = 0; i < 5; i++) await server.http('POST', '/api/v1/auth/login/json', { body: { username, password: 'wrong-password' } });
    assert.equal((await server.http('POST', '/api/v1/auth/login/json', { body: { username, password: 'password123' } })).status, 423);

    await server.http('POST', '/api/v1/auth/forgot-password', { body: { email } });
    const resetToken = await waitForResetToken(server.stores.outbox, email);
    const r = await server.http('POST', '/api/v1/auth/reset-password', { body: { token: resetToken, new_password: 'newpassword123' } });
    assert.deepEqual([r.status, r.body], [200, { message: '密码重置成功' }]);
    assert.equal((await server.http('GET', '/api/v1/auth/me', { token })).status, 401);
    await loginV1(server.http, username, 'newpassword123');

    const again = await server.http('POST', '/api/v1/auth/reset-password', { body: { token: resetToken, new_password: 'another-pass-1' } });
    assert.deepEqual([again.status, again.body], [400, { detail: '重置令牌无效或已过期' }]);
  });

  test('400 重置令牌无效或已过期 for an unknown or 30-minute-old token; 400 policy', async () => {
    const { email } = await registerV1(server.http);
    const unknown = await server.http('POST', '/api/v1/auth/reset-password', { body: { token: 'made-up', new_password: 'newpassword123' } });
    assert.deepEqual([unknown.status, unknown.body], [400, { detail: '重置令牌无效或已过期' }]);
    await server.http('POST', '/api/v1/auth/forgot-password', { body: { email } });
    const resetToken = await waitForResetToken(server.stores.outbox, email);
    const weak = await server.http('POST', '/api/v1/auth/reset-password', { body: { token: resetToken, new_password: 'short' } });
    assert.deepEqual([weak.status, weak.body], [400, { detail: '参数验证失败: new_password 长度不能少于8个字符' }]);
    server.clock.advance(30 * 60_000);
    const late = await server.http('POST', '/api/v1/auth/reset-password', { body: { token: resetToken, new_password: 'newpassword123' } });
    assert.deepEqual([late.status, late.body], [400, { detail: '重置令牌无效或已过期' }]);
  });
});
