// Input that looks like SQL or like the Redis protocol is data: stored and returned as given, or refused.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { superuserToken } from '../../helpers/factors.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { loginV1, registerV1 } from '../../helpers/users.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

const NASTY = [
  "Robert'); DROP TABLE users;--",
  "' OR '1'='1",
  '1; DELETE FROM sessions WHERE 1=1',
  '*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n',
  'FLUSHALL\r\nFLUSHDB',
  '%_\\%\\_',
  '名字 🔑 \u202e',
];

test('nasty strings in every free-text field are stored and returned verbatim; nothing else changes', async () => {
  const { username } = await registerV1(server.http);
  const token = await loginV1(server.http, username);
  const before = (await server.core.accounts.list(1000, 0)).length;
  for (const value of NASTY) {
    const put = await server.http('PUT', '/api/v1/users/profile', { token, body: { full_name: value, gender: value.slice(0, 32) } });
    assert.equal(put.status, 200, JSON.stringify(value));
    const profile = (await server.http('GET', '/api/v1/users/profile', { token })).body.data;
    assert.equal(profile.full_name, value);
    assert.equal(profile.gender, value.slice(0, 32));
    const nick = await server.http('PUT', '/api/user/me', { token, body: { nickname: value } });
    assert.equal(nick.body.nickname, value);
  }
  // the account table is whole and the session still works
  assert.equal((await server.core.accounts.list(1000, 0)).length, before);
  assert.equal((await server.http('GET', '/api/v1/auth/me', { token })).status, 200);
});

test("NUL characters are refused in every surface's shape and stored nowhere", async () => {
  const { username } = await registerV1(server.http);
  const token = await loginV1(server.http, username);
  const v1 = await server.http('PUT', '/api/v1/users/profile', { token, body: { full_name: 'a\u0000b' } });
  assert.deepEqual([v1.status, v1.body.code], [400, 'VALIDATION_ERROR']);
  const users = await server.http('POST', '/api/users/login', { body: { email: 'a\u0000@example.com', password: 'x' } });
  assert.deepEqual([users.status, users.body.detail[0].loc], [422, ['body', 'email']]);
  const form = await server.http('POST', '/api/v1/auth/login', { form: { username: 'a\u0000', password: 'x' } });
  assert.equal(form.status, 400);
  const query = await server.http('GET', `/api/products/popular?limit=1%00`);
  assert.equal(query.status, 422);
  assert.notEqual((await server.http('GET', '/api/v1/users/profile', { token })).body.data.full_name, 'a\u0000b');
});

test('nasty strings as login names and emails are refused or simply not found', async () => {
  for (const value of NASTY) {
    const login = await server.http('POST', '/api/v1/auth/login/json', { body: { username: value, password: value } });
    assert.ok([400, 401].includes(login.status), `${JSON.stringify(value)} → ${login.status}`);
    const users = await server.http('POST', '/api/users/login', { body: { email: value, password: 'x' } });
    assert.equal(users.status, 400);
    const reg = await server.http('POST', '/api/v1/auth/register', {
      body: { username: value, email: 'n@example.com', password: 'password123', confirm_password: 'password123' },
    });
    assert.equal(reg.status, 400);
  }
  assert.ok((await server.core.accounts.list(1000, 0)).length >= 1);
});

test('search text with SQL wildcards and quotes matches literally (admin API)', async () => {
  const token = await superuserToken(server, { username: 'boss', email: 'boss@example.com' });
  for (const search of ["'", '%', '_', "%' OR 1=1 --", '\\']) {
    const r = await server.http('GET', `/api/admin/users?search=${encodeURIComponent(search)}`, { token });
    assert.equal(r.status, 200, search);
    // only accounts that really contain the text, character for character
    for (const u of r.body.items as Array<{ email: string | null; username: string | null }>) {
      assert.ok(`${u.email ?? ''} ${u.username?.toLowerCase() ?? ''}`.includes(search.toLowerCase()), `${search} matched ${u.email}`);
    }
    if (search !== '_') assert.deepEqual(r.body.items, [], search);
  }
});
