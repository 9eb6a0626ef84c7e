import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { uniqueName } from '../helpers/users.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

/** One account that every surface can log in: email and username both set (registered through seed 002). */
async function account() {
  const username = uniqueName('x');
  const email = `${username}@example.com`;
  const r = await server.http('POST', '/api/auth/register', { body: { username, email, password: 'password123', nickname: 'X' } });
  assert.equal(r.status, 201);
  return { username, email };
}

const PROTECTED = [
  ['GET', '/api/users/me'],
  ['GET', '/api/user/me'],
  ['GET', '/api/v1/auth/me'],
  ['GET', '/api/v1/users/profile'],
] as const;

describe('one user base, one session store', () => {
  test("an access token from any surface's login works on every surface's protected endpoints", async () => {
    const { username, email } = await account();
    const tokens = [
      (await server.http('POST', '/api/users/login', { body: { email, password: 'password123' } })).body.access_token,
      (await server.http('POST', '/api/auth/login', { body: { username, password: 'password123' } })).body.access_token,
      (await server.http('POST', '/api/v1/auth/login', { form: { username, password: 'password123' } })).body.access_token,
      (await server.http('POST', '/api/v1/auth/login/json', { body: { username: email, password: 'password123' } })).body.access_token,
    ];
    for (const token of tokens) {
      for (const [method, path] of PROTECTED) {
        const r = await server.http(method, path, { token });
        assert.equal(r.status, 200, `${path} ${r.text}`);
      }
    }
  });

  test('a logout on one surface ends the token on every surface', async () => {
    const { username } = await account();
    const token = (await server.http('POST', '/api/auth/login', { body: { username, password: 'password123' } })).body.access_token;
    assert.equal((await server.http('POST', '/api/v1/auth/logout', { token })).status, 200);
    for (const [method, path] of PROTECTED) assert.equal((await server.http(method, path, { token })).status, 401, path);
  });

  test('five failures on /api/v1/auth/login lock the account on /api/users/login and /api/auth/login too', async () => {
    const { username, email } = await account();
    for (let i = 0; i < 5; i++) {
      const r = await server.http('POST', '/api/v1/auth/login', { form: { username, password: 'wrong-password' } });
      assert.equal(r.status, 401);
    }
    const users = await server.http('POST', '/api/users/login', { body: { email, password: 'password123' } });
    assert.deepEqual([users.status, users.body], [423, { detail: 'Account is temporarily locked' }]);
    const auth = await server.http('POST', '/api/auth/login', { body: { username, password: 'password123' } });
    assert.deepEqual([auth.status, auth.body], [423, { detail: 'Account is temporarily locked' }]);
    const v1 = await server.http('POST', '/api/v1/auth/login/json', { body: { username, password: 'password123' } });
    assert.deepEqual([v1.status, v1.body], [423, { detail: '账户已被锁定' }]);
  });

  test('failures add up across surfaces', async () => {
    const { username, email } = await account();
    await server.http('POST', '/api/users/login', { body: { email, password: 'wrong-password' } });
    await server.http('POST', '/api/auth/login', { body: { username, password: 'wrong-password' } });
    await server.http('POST', '/api/v1/auth/login', { form: { username, password: 'wrong-password' } });
    await server.http('POST', '/api/users/reset_password', { body: { email, old_password: 'wrong-password', new_password: 'password456' } });
    await server.http('POST', '/api/v1/auth/login/json', { body: { username: email, password: 'wrong-password' } });
    assert.equal((await server.http('POST', '/api/v1/auth/login/json', { body: { username, password: 'password123' } })).status, 423);
  });

  test('a profile change on one surface shows on the others', async () => {
    const { username } = await account();
    const token = (await server.http('POST', '/api/auth/login', { body: { username, password: 'password123' } })).body.access_token;
    await server.http('PUT', '/api/v1/users/profile', { token, body: { full_name: '全名' } });
    await server.http('PUT', '/api/v1/users/settings', { token, body: { theme: 'dark' } });
    const me = (await server.http('GET', '/api/v1/auth/me', { token })).body;
    assert.equal(me.full_name, '全名');
    assert.equal(me.theme, 'dark');
  });
});
