import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { uniqueName } from '../../helpers/users.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

const CREDENTIALS = { detail: 'Could not validate credentials' };
const NAIVE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

async function register(overrides: Record<string, string> = {}) {
  const username = uniqueName('al');
  const body = { username, email: `${username}@example.com`, password: 'wonderland42', nickname: 'Al', ...overrides };
  const r = await server.http('POST', '/api/auth/register', { body });
  assert.equal(r.status, 201, r.text);
  return { ...body, user: r.body };
}

async function login(username: string, password = 'wonderland42') {
  const r = await server.http('POST', '/api/auth/login', { body: { username, password } });
  assert.equal(r.status, 200, r.text);
  return r.body as { access_token: string; refresh_token: string; token_type: string };
}

describe('POST /api/auth/register', () => {
  test('201 with the user object', async () => {
    const { username, email, user } = await register();
    assert.deepEqual(Object.keys(user).sort(), ['_id', 'created_at', 'email', 'is_active', 'is_admin', 'nickname', 'updated_at', 'username']);
    assert.equal(user.username, username);
    assert.equal(user.email, email);
    assert.equal(user.nickname, 'Al');
    assert.match(user._id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(user.is_admin, false);
    assert.equal(user.is_active, true);
    assert.match(user.created_at, NAIVE_TIME);
    assert.match(user.updated_at, NAIVE_TIME);
  });

  test('400 Username already registered (any case) / Email already registered', async () => {
    const first = await register();
    const sameName = await server.http('POST', '/api/auth/register', {
      body: { username: first.username.toUpperCase(), email: `x${first.email}`, password: 'wonderland42', nickname: 'x' },
    });
    assert.deepEqual([sameName.status, sameName.body], [400, { detail: 'Username already registered' }]);
    const sameEmail = await server.http('POST', '/api/auth/register', {
      body: { username: uniqueName(), email: first.email, password: 'wonderland42', nickname: 'x' },
    });
    assert.deepEqual([sameEmail.status, sameEmail.body], [400, { detail: 'Email already registered' }]);
  });

  test('422 when a field is missing, and for a password without a letter or a digit', async () => {
    const missing = await server.http('POST', '/api/auth/register', { body: { username: uniqueName(), email: 'n@example.com', password: 'wonderland42' } });
    assert.equal(missing.status, 422);
    assert.deepEqual(missing.body.detail, [{ type: 'missing', loc: ['body', 'nickname'], msg: 'Field required' }]);
    for (const password of ['wonderland', '1234567890', 'short1']) {
      const r = await server.http('POST', '/api/auth/register', {
        body: { username: uniqueName(), email: `${uniqueName()}@example.com`, password, nickname: 'x' },
      });
      assert.equal(r.status, 422, password);
      assert.deepEqual(r.body.detail[0].loc, ['body', 'password']);
    }
  });
});

describe('POST /api/auth/login', () => {
  test('200 with access and refresh tokens', async () => {
    const { username } = await register();
    const r = await server.http('POST', '/api/auth/login', { body: { username, password: 'wonderland42' } });
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.body).sort(), ['access_token', 'refresh_token', 'token_type']);
    assert.equal(r.body.token_type, 'bearer');
    assert.equal(r.headers.get('cache-control'), 'no-store');
    const claims = JSON.parse(Buffer.from(r.body.access_token.split('.')[1], 'base64url').toString());
    assert.equal(claims.exp - claims.iat, 30 * 60);
  });

  test('401 Incorrect username or password (wrong password, unknown user)', async () => {
    const { username } = await register();
    for (const body of [
      { username, password: 'wrong-pass-1' },
      { username: uniqueName('ghost'), password: 'wonderland42' },
    ]) {
      const r = await server.http('POST', '/api/auth/login', { body });
      assert.deepEqual([r.status, r.body], [401, { detail: 'Incorrect username or password' }]);
    }
  });

  test('403 User is disabled; 423 Account is temporarily locked; 422', async () => {
    const disabled = await register();
    await server.core.accounts.setStatus((await server.core.accounts.findByUsername(disabled.username))!, 'disabled');
    const r403 = await server.http('POST', '/api/auth/login', { body: { username: disabled.username, password: 'wonderland42' } });
    assert.deepEqual([r403.status, r403.body], [403, { detail: 'User is disabled' }]);

    const locked = await register();
    for (let i = 0; i < 5; i++) await server.http('POST', '/api/auth/login', { body: { username: locked.username, password: 'wrong-pass-1' } });
    const r423 = await server.http('POST', '/api/auth/login', { body: { username: locked.username, password: 'wonderland42' } });
    assert.deepEqual([r423.status, r423.body], [423, { detail: 'Account is temporarily locked' }]);

    const r422 = await server.http('POST', '/api/auth/login', { body: { username: 'x' } });
    assert.equal(r422.status, 422);
  });
});

describe('POST /api/auth/refresh', () => {
  test('200 with a new access token that works', async () => {
    const { username } = await register();
    const tokens = await login(username);
    const r = await server.http('POST', '/api/auth/refresh', { body: { refresh_token: tokens.refresh_token } });
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.body).sort(), ['access_token', 'token_type']);
    assert.equal((await server.http('GET', '/api/user/me', { token: r.body.access_token })).status, 200);
    // no rotation on this surface: the same refresh token works again
    assert.equal((await server.http('POST', '/api/auth/refresh', { body: { refresh_token: tokens.refresh_token } })).status, 200);
  });

  test('401 Invalid refresh token: garbage, an access token, an ended session, an expired one', async () => {
    const { username } = await register();
    const tokens = await login(username);
    const invalid = { detail: 'Invalid refresh token' };
    for (const refresh_token of ['garbage', 'a.b.c', tokens.access_token]) {
      const r = await server.http('POST', '/api/auth/refresh', { body: { refresh_token } });
      assert.deepEqual([r.status, r.body], [401, invalid], refresh_token);
    }
    await server.http('POST', '/api/users/logout', { token: tokens.access_token });
    const ended = await server.http('POST', '/api/auth/refresh', { body: { refresh_token: tokens.refresh_token } });
    assert.deepEqual([ended.status, ended.body], [401, invalid]);

    const later = await login(username);
    server.clock.advance(7 * 24 * 3600_000 + 1000);
    const expired = await server.http('POST', '/api/auth/refresh', { body: { refresh_token: later.refresh_token } });
    assert.deepEqual([expired.status, expired.body], [401, invalid]);
  });
});

describe('GET /api/user/me', () => {
  test('200 with the user object', async () => {
    const { username, user } = await register();
    const { access_token } = await login(username);
    const r = await server.http('GET', '/api/user/me', { token: access_token });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, user);
  });

  test('401 Could not validate credentials; Not authenticated without a bearer header', async () => {
    const { username } = await register();
    const { refresh_token, access_token } = await login(username);
    for (const token of ['aaa.bbb.ccc', refresh_token]) {
      const r = await server.http('GET', '/api/user/me', { token });
      assert.deepEqual([r.status, r.body], [401, CREDENTIALS]);
      assert.equal(r.headers.get('www-authenticate'), 'Bearer');
    }
    const none = await server.http('GET', '/api/user/me');
    assert.deepEqual([none.status, none.body], [401, { detail: 'Not authenticated' }]);
    server.clock.advance(31 * 60_000);
    assert.deepEqual((await server.http('GET', '/api/user/me', { token: access_token })).body, CREDENTIALS);
  });
});

describe('PUT /api/user/me', () => {
  test('200 with the updated object; email and nickname change', async () => {
    const { username } = await register();
    const { access_token } = await login(username);
    const email = `${uniqueName()}@example.com`;
    server.clock.advance(2000);
    const r = await server.http('PUT', '/api/user/me', { token: access_token, body: { email: email.toUpperCase(), nickname: 'Queen' } });
    assert.equal(r.status, 200);
    assert.equal(r.body.email, email);
    assert.equal(r.body.nickname, 'Queen');
    assert.notEqual(r.body.updated_at, r.body.created_at);
  });

  test('a new password ends the other sessions but keeps this one', async () => {
    const { username } = await register();
    const mine = await login(username);
    const other = await login(username);
    const r = await server.http('PUT', '/api/user/me', { token: mine.access_token, body: { password: 'through-glass-7' } });
    assert.equal(r.status, 200);
    assert.equal((await server.http('GET', '/api/user/me', { token: mine.access_token })).status, 200);
    assert.equal((await server.http('GET', '/api/user/me', { token: other.access_token })).status, 401);
    assert.equal((await server.http('POST', '/api/auth/refresh', { body: { refresh_token: other.refresh_token } })).status, 401);
    await login(username, 'through-glass-7');
  });

  test('400 Email already registered, and nothing changes', async () => {
    const taken = await register();
    const { username } = await register();
    const { access_token } = await login(username);
    const r = await server.http('PUT', '/api/user/me', { token: access_token, body: { email: taken.email, nickname: 'Changed' } });
    assert.deepEqual([r.status, r.body], [400, { detail: 'Email already registered' }]);
    assert.equal((await server.http('GET', '/api/user/me', { token: access_token })).body.nickname, 'Al');
  });

  test('422 for a weak password or a bad email, and nothing changes', async () => {
    const { username } = await register();
    const { access_token } = await login(username);
    for (const body of [
      { password: 'lettersonly', nickname: 'Changed' },
      { email: 'nope', nickname: 'Changed' },
    ]) {
      const r = await server.http('PUT', '/api/user/me', { token: access_token, body });
      assert.equal(r.status, 422, JSON.stringify(body));
    }
    assert.equal((await server.http('GET', '/api/user/me', { token: access_token })).body.nickname, 'Al');
    assert.equal((await server.http('PUT', '/api/user/me', { body: { nickname: 'x' } })).status, 401);
  });
});
