// Finding 7 of the security review: usernames are compared in Unicode NFKC form,
// so `ﬁle` (with the ligature U+FB01) and `file` are one account, on register and
// on login, and full-width letters are their ASCII selves.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
});

test('ﬁle and file are one account: the second registration is refused, and either spelling logs in', async () => {
  const tail = `${process.pid}${Date.now().toString(36)}`;
  const plain = `file${tail}`;
  const ligature = `\uFB01le${tail}`;
  const first = await server.http('POST', '/api/auth/register', {
    body: { username: plain, email: `a${tail}@example.com`, password: 'wonderland42', nickname: 'n' },
  });
  assert.equal(first.status, 201, first.text);
  const second = await server.http('POST', '/api/auth/register', {
    body: { username: ligature, email: `b${tail}@example.com`, password: 'wonderland42', nickname: 'n' },
  });
  assert.equal(second.status, 400, second.text);
  const login = await server.http('POST', '/api/auth/login', { body: { username: ligature, password: 'wonderland42', nickname: 'n' } });
  assert.equal(login.status, 200, login.text);
  const me = await server.http('GET', '/api/user/me', { token: login.body.access_token });
  assert.equal(me.body.username, plain);
});

test('a name registered with compatibility characters is stored in NFKC form', async () => {
  const tail = `${process.pid}${Date.now().toString(36)}`;
  // Ｆｕｌｌ (full-width) registers as Full
  const r = await server.http('POST', '/api/auth/register', {
    body: { username: `\uFF26\uFF55\uFF4C\uFF4C${tail}`, email: `c${tail}@example.com`, password: 'wonderland42', nickname: 'n' },
  });
  assert.equal(r.status, 201, r.text);
  const login = await server.http('POST', '/api/auth/login', { body: { username: `Full${tail}`, password: 'wonderland42', nickname: 'n' } });
  assert.equal(login.status, 200, login.text);
  const me = await server.http('GET', '/api/user/me', { token: login.body.access_token });
  assert.equal(me.body.username, `Full${tail}`);
});

test('a name stored before normalisation (imported, not NFKC) still logs in by its own spelling', async () => {
  const tail = `${process.pid}${Date.now().toString(36)}`;
  const legacy = `\uFB01old${tail}`;
  await server.stores.users.create({
    uuid: crypto.randomUUID(),
    email: `d${tail}@example.com`,
    username: legacy,
    passwordHash: await server.core.hasher.hash('wonderland42'),
    createdAt: Date.now(),
  });
  const login = await server.http('POST', '/api/auth/login', { body: { username: legacy, password: 'wonderland42' } });
  assert.equal(login.status, 200, login.text);
});
