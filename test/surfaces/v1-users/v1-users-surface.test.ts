import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { loginV1, registerV1 } from '../../helpers/users.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

const err = (message: string, code: string) => ({ status: 'error', message, code });
const invalidInput = (what: string) => err(`请求参数错误: ${what}`, 'VALIDATION_ERROR');

async function session() {
  const { username } = await registerV1(server.http, { full_name: '测试用户' });
  return { username, token: await loginV1(server.http, username) };
}

describe('authentication on /api/v1/users', () => {
  test('MISSING_TOKEN, INVALID_TOKEN_FORMAT, INVALID_TOKEN, INVALID_TOKEN_TYPE', async () => {
    const missing = await server.http('GET', '/api/v1/users/profile');
    assert.deepEqual([missing.status, missing.body], [401, err('缺少认证token', 'MISSING_TOKEN')]);
    for (const authorization of ['Basic abc', 'Bearer', 'Bearer onlyonepart', 'Bearer two.parts', 'Token a.b.c']) {
      const r = await server.http('GET', '/api/v1/users/profile', { headers: { authorization } });
      assert.deepEqual([r.status, r.body], [401, err('token格式错误', 'INVALID_TOKEN_FORMAT')], authorization);
    }
    const bad = await server.http('GET', '/api/v1/users/profile', { token: 'aaa.bbb.ccc' });
    assert.deepEqual([bad.status, bad.body], [401, err('token无效或已过期', 'INVALID_TOKEN')]);

    const username = `u_${Date.now()}`;
    await server.http('POST', '/api/auth/register', { body: { username, email: `${username}@example.com`, password: 'wonderland42', nickname: 'n' } });
    const { refresh_token, access_token } = (await server.http('POST', '/api/auth/login', { body: { username, password: 'wonderland42' } })).body;
    const wrongType = await server.http('GET', '/api/v1/users/profile', { token: refresh_token });
    assert.deepEqual([wrongType.status, wrongType.body], [401, err('token类型错误', 'INVALID_TOKEN_TYPE')]);

    server.clock.advance(31 * 60_000);
    const expired = await server.http('GET', '/api/v1/users/profile', { token: access_token });
    assert.deepEqual([expired.status, expired.body], [401, err('token无效或已过期', 'INVALID_TOKEN')]);
  });

  test('404 USER_NOT_FOUND once the user is deleted; 403 when disabled', async () => {
    const { username, token } = await session();
    const user = (await server.core.accounts.findByUsername(username))!;
    await server.core.accounts.setStatus(user, 'disabled');
    const disabled = await server.http('GET', '/api/v1/users/profile', { token });
    assert.deepEqual([disabled.status, disabled.body], [403, err('账户已被禁用', 'USER_DISABLED')]);
    await server.core.accounts.delete(user);
    const gone = await server.http('GET', '/api/v1/users/profile', { token });
    assert.deepEqual([gone.status, gone.body], [404, err('用户不存在', 'USER_NOT_FOUND')]);
  });
});

describe('GET /api/v1/users/profile', () => {
  test('200 获取用户信息成功 with the profile', async () => {
    const { username, token } = await session();
    const r = await server.http('GET', '/api/v1/users/profile', { token });
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'success');
    assert.equal(r.body.message, '获取用户信息成功');
    const { uuid, created_at, updated_at, ...rest } = r.body.data;
    assert.match(uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.match(created_at, /Z$/);
    assert.match(updated_at, /Z$/);
    assert.deepEqual(rest, { username, full_name: '测试用户', gender: null, age: null, birth_date: null, is_active: true });
  });
});

describe('PUT /api/v1/users/settings', () => {
  test('200 配置更新成功 listing the keys given, in contract order; values are kept', async () => {
    const { token } = await session();
    const r = await server.http('PUT', '/api/v1/users/settings', { token, body: { notifications: { push: true }, theme: 'dark', language: 'zh-CN' } });
    assert.deepEqual(
      [r.status, r.body],
      [200, { status: 'success', message: '配置更新成功', data: { updated_settings: ['language', 'theme', 'notifications'] } }],
    );
    const me = (await server.http('GET', '/api/v1/auth/me', { token })).body;
    assert.equal(me.language, 'zh-CN');
    assert.equal(me.theme, 'dark');
    const stored = (await server.core.sessions.authenticate(token)).user;
    assert.deepEqual(stored.notifications, { email: true, push: true });
    const one = await server.http('PUT', '/api/v1/users/settings', { token, body: { theme: 'system' } });
    assert.deepEqual(one.body.data, { updated_settings: ['theme'] });
  });

  test('400 VALIDATION_ERROR: empty body, unknown key, bad theme, bad language, bad notifications', async () => {
    const { token } = await session();
    const cases: Array<[unknown, string]> = [
      [{}, '请求体不能为空'],
      [{ colour: 'red' }, '不支持的字段 colour'],
      [{ theme: 'neon' }, 'theme 取值无效，可选值: light, dark, system'],
      [{ language: 'chinese please' }, 'language 格式不正确'],
      [{ notifications: { email: 'yes' } }, 'notifications.email 类型错误，应为布尔值'],
    ];
    for (const [body, what] of cases) {
      const r = await server.http('PUT', '/api/v1/users/settings', { token, body });
      assert.deepEqual([r.status, r.body], [400, invalidInput(what)], JSON.stringify(body));
    }
  });
});

describe('PUT /api/v1/users/profile', () => {
  test('200 用户信息更新成功 with uuid and the fields given', async () => {
    const { token } = await session();
    const r = await server.http('PUT', '/api/v1/users/profile', { token, body: { birth_date: '1990-05-17', age: 36, gender: 'female', full_name: '新名字' } });
    assert.equal(r.status, 200);
    assert.equal(r.body.message, '用户信息更新成功');
    assert.deepEqual(r.body.data.updated_fields, ['full_name', 'gender', 'age', 'birth_date']);
    const profile = (await server.http('GET', '/api/v1/users/profile', { token })).body.data;
    assert.equal(r.body.data.uuid, profile.uuid);
    assert.deepEqual([profile.full_name, profile.gender, profile.age, profile.birth_date], ['新名字', 'female', 36, '1990-05-17']);
  });

  test('400 VALIDATION_ERROR for age, birth_date, gender and unknown keys; nothing changes', async () => {
    const { token } = await session();
    const tomorrow = new Date(server.clock.now() + 86400_000).toISOString().slice(0, 10);
    const cases: Array<[unknown, string]> = [
      [{ age: 151 }, 'age 不能大于150'],
      [{ age: -1 }, 'age 不能小于0'],
      [{ age: 30.5 }, 'age 类型错误，应为整数'],
      [{ age: '30' }, 'age 类型错误，应为整数'],
      [{ birth_date: '1990/05/17' }, 'birth_date 格式不正确'],
      [{ birth_date: '1990-02-30' }, 'birth_date must be a date in YYYY-MM-DD form'],
      [{ birth_date: tomorrow }, 'birth_date must not be in the future'],
      [{ gender: 'x'.repeat(33) }, 'gender 长度不能超过32个字符'],
      [{ nickname: 'x' }, '不支持的字段 nickname'],
    ];
    for (const [body, what] of cases) {
      const r = await server.http('PUT', '/api/v1/users/profile', { token, body: { full_name: 'should not stick', ...(body as object) } });
      assert.deepEqual([r.status, r.body], [400, invalidInput(what)], JSON.stringify(body));
    }
    const empty = await server.http('PUT', '/api/v1/users/profile', { token, body: {} });
    assert.deepEqual([empty.status, empty.body], [400, invalidInput('请求体不能为空')]);
    assert.equal((await server.http('GET', '/api/v1/users/profile', { token })).body.data.full_name, '测试用户');
  });
});
