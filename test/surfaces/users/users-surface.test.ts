import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createSigner } from 'fast-jwt';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { PASSWORD, registerAndLogin, uniqueEmail } from '../../helpers/users.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

const NOT_AUTHENTICATED = { detail: 'Not authenticated' };
const INVALID = { detail: 'Token is invalid' };

describe('POST /api/users/register', () => {
  test('200 with the message; the email is stored lower-cased', async () => {
    const email = uniqueEmail('Reg').replace('reg', 'REG');
    const r = await server.http('POST', '/api/users/register', { body: { email, password: PASSWORD, first_name: 'Ada', last_name: 'L', phone_number: '123' } });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { message: 'User registered successfully.' });
    assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
    const stored = await server.core.accounts.findByEmail(email);
    assert.equal(stored?.email, email.toLowerCase());
    assert.equal(stored?.fullName, 'Ada L');
  });

  test('one of first_name, last_name, phone_number is enough', async () => {
    for (const extra of [{ first_name: 'A' }, { last_name: 'B' }, { phone_number: '1' }]) {
      const r = await server.http('POST', '/api/users/register', { body: { email: uniqueEmail(), password: PASSWORD, ...extra } });
      assert.equal(r.status, 200, JSON.stringify(extra));
    }
  });

  test('400 Email already registered, whatever the case', async () => {
    const email = uniqueEmail();
    await server.http('POST', '/api/users/register', { body: { email, password: PASSWORD, first_name: 'A' } });
    const r = await server.http('POST', '/api/users/register', { body: { email: email.toUpperCase(), password: PASSWORD, first_name: 'B' } });
    assert.equal(r.status, 400);
    assert.deepEqual(r.body, { detail: 'Email already registered' });
  });

  test("422 with the seed's string when first_name, last_name and phone_number are all missing or empty", async () => {
    for (const extra of [{}, { first_name: '', last_name: '  ', phone_number: null }]) {
      const r = await server.http('POST', '/api/users/register', { body: { email: uniqueEmail(), password: PASSWORD, ...extra } });
      assert.equal(r.status, 422);
      assert.deepEqual(r.body, { detail: 'At least one of the following must be provided: first_name, last_name, phone_number' });
    }
  });

  test("422 in FastAPI's shape for schema errors", async () => {
    const r = await server.http('POST', '/api/users/register', { body: { email: 'not-an-email', password: 'short', first_name: 5 } });
    assert.equal(r.status, 422);
    assert.deepEqual(r.body, {
      detail: [
        { type: 'value_error', loc: ['body', 'email'], msg: 'value is not a valid email address: An email address must have an @-sign.' },
        { type: 'string_too_short', loc: ['body', 'password'], msg: 'String should have at least 8 characters' },
        { type: 'string_type', loc: ['body', 'first_name'], msg: 'Input should be a valid string' },
      ],
    });
    const missing = await server.http('POST', '/api/users/register', { body: { first_name: 'A' } });
    assert.equal(missing.status, 422);
    assert.deepEqual(
      missing.body.detail.map((d: { loc: unknown }) => d.loc),
      [
        ['body', 'email'],
        ['body', 'password'],
      ],
    );
    assert.equal(missing.body.detail[0].msg, 'Field required');
  });

  test('422 for a password over 128 characters, a JSON array, or malformed JSON', async () => {
    const long = await server.http('POST', '/api/users/register', { body: { email: uniqueEmail(), password: 'x'.repeat(129), first_name: 'A' } });
    assert.equal(long.status, 422);
    assert.equal(long.body.detail[0].type, 'string_too_long');
    const array = await server.http('POST', '/api/users/register', { body: [1, 2] });
    assert.equal(array.status, 422);
    const broken = await server.http('POST', '/api/users/register', { raw: '{"email": ' });
    assert.equal(broken.status, 422);
    assert.deepEqual(broken.body, { detail: [{ type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error' }] });
  });
});

describe('POST /api/users/login', () => {
  test('200 with a bearer token and expires_in in minutes (180)', async () => {
    const email = uniqueEmail();
    await server.http('POST', '/api/users/register', { body: { email, password: PASSWORD, first_name: 'A' } });
    const r = await server.http('POST', '/api/users/login', { body: { email: email.toUpperCase(), password: PASSWORD } });
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.body).sort(), ['access_token', 'expires_in', 'token_type']);
    assert.equal(r.body.token_type, 'bearer');
    assert.equal(r.body.expires_in, 180);
    assert.equal(r.headers.get('cache-control'), 'no-store');
    const claims = JSON.parse(Buffer.from(r.body.access_token.split('.')[1], 'base64url').toString());
    assert.deepEqual(Object.keys(claims).sort(), ['amr', 'exp', 'iat', 'jti', 'sid', 'sub', 'type']);
    assert.deepEqual(claims.amr, ['pwd'], 'how the user got in (RFC 8176)');
    assert.equal(claims.type, 'access');
    assert.equal(claims.exp - claims.iat, 180 * 60);
  });

  test('400 Incorrect email or password, for a wrong password and an unknown email alike', async () => {
    const { email } = await registerAndLogin(server.http);
    const wrong = await server.http('POST', '/api/users/login', { body: { email, password: 'not-the-password' } });
    const unknown = await server.http('POST', '/api/users/login', { body: { email: uniqueEmail('ghost'), password: PASSWORD } });
    for (const r of [wrong, unknown]) {
      assert.equal(r.status, 400);
      assert.deepEqual(r.body, { detail: 'Incorrect email or password' });
    }
  });

  test('403 User is disabled (right password only)', async () => {
    const { email } = await registerAndLogin(server.http);
    const user = await server.core.accounts.findByEmail(email);
    await server.core.accounts.setStatus(user!, 'disabled');
    const r = await server.http('POST', '/api/users/login', { body: { email, password: PASSWORD } });
    assert.equal(r.status, 403);
    assert.deepEqual(r.body, { detail: 'User is disabled' });
    const wrong = await server.http('POST', '/api/users/login', { body: { email, password: 'not-the-password' } });
    assert.equal(wrong.status, 400);
  });

  test('423 Account is temporarily locked after 5 failures, even with the right password', async () => {
    const { email } = await registerAndLogin(server.http);
    for (let i = 0; i < 5; i++) {
      const r = await server.http('POST', '/api/users/login', { body: { email, password: 'not-the-password' } });
      assert.equal(r.status, 400, `failure ${i + 1}`);
    }
    const locked = await server.http('POST', '/api/users/login', { body: { email, password: PASSWORD } });
    assert.equal(locked.status, 423);
    assert.deepEqual(locked.body, { detail: 'Account is temporarily locked' });
    server.clock.advance(15 * 60_000 + 1);
    const open = await server.http('POST', '/api/users/login', { body: { email, password: PASSWORD } });
    assert.equal(open.status, 200);
  });

  test('422 for a missing field', async () => {
    const r = await server.http('POST', '/api/users/login', { body: { email: 'a@example.com' } });
    assert.equal(r.status, 422);
    assert.deepEqual(r.body, { detail: [{ type: 'missing', loc: ['body', 'password'], msg: 'Field required' }] });
  });
});

describe('GET /api/users/me', () => {
  test('200 with the profile', async () => {
    const email = uniqueEmail();
    await server.http('POST', '/api/users/register', { body: { email, password: PASSWORD, first_name: 'Ada', phone_number: '555' } });
    const login = await server.http('POST', '/api/users/login', { body: { email, password: PASSWORD } });
    const r = await server.http('GET', '/api/users/me', { token: login.body.access_token });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { email, first_name: 'Ada', last_name: null, phone_number: '555' });
  });

  test('401 Not authenticated without a bearer header, with WWW-Authenticate', async () => {
    for (const headers of [{}, { authorization: 'Basic dXNlcjpwYXNz' }, { authorization: 'Bearer' }] as Record<string, string>[]) {
      const r = await server.http('GET', '/api/users/me', { headers });
      assert.equal(r.status, 401);
      assert.deepEqual(r.body, NOT_AUTHENTICATED);
      assert.equal(r.headers.get('www-authenticate'), 'Bearer');
    }
  });

  test('401 Token is invalid for garbage, a foreign signature, and an ended session', async () => {
    const { token } = await registerAndLogin(server.http);
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    const foreign = createSigner({ key: 'some-other-secret-of-32-bytes-or-more' })(claims);
    for (const t of ['garbage', 'a.b.c', foreign]) {
      const r = await server.http('GET', '/api/users/me', { headers: { authorization: `Bearer ${t}` } });
      assert.equal(r.status, 401, t);
      assert.deepEqual(r.body, INVALID);
    }
    await server.http('POST', '/api/users/logout', { token });
    const ended = await server.http('GET', '/api/users/me', { token });
    assert.equal(ended.status, 401);
    assert.deepEqual(ended.body, INVALID);
  });

  test('401 Token has expired after 180 minutes', async () => {
    const { token } = await registerAndLogin(server.http);
    server.clock.advance(180 * 60_000 + 1000);
    const r = await server.http('GET', '/api/users/me', { token });
    assert.equal(r.status, 401);
    assert.deepEqual(r.body, { detail: 'Token has expired' });
  });

  test('401 User not found once the user is deleted', async () => {
    const { email, token } = await registerAndLogin(server.http);
    await server.core.accounts.delete((await server.core.accounts.findByEmail(email))!);
    const r = await server.http('GET', '/api/users/me', { token });
    assert.equal(r.status, 401);
    assert.deepEqual(r.body, { detail: 'User not found' });
  });

  test('403 User is disabled for a live token of a disabled user', async () => {
    const { email, token } = await registerAndLogin(server.http);
    await server.core.accounts.setStatus((await server.core.accounts.findByEmail(email))!, 'disabled');
    const r = await server.http('GET', '/api/users/me', { token });
    assert.equal(r.status, 403);
    assert.deepEqual(r.body, { detail: 'User is disabled' });
  });
});

describe('POST /api/users/logout', () => {
  test('200, then 404 Token record not found for the same token', async () => {
    const { token } = await registerAndLogin(server.http);
    const first = await server.http('POST', '/api/users/logout', { token });
    assert.equal(first.status, 200);
    assert.deepEqual(first.body, { message: 'You have been logged out.' });
    const second = await server.http('POST', '/api/users/logout', { token });
    assert.equal(second.status, 404);
    assert.deepEqual(second.body, { detail: 'Token record not found' });
  });

  test('only that session ends', async () => {
    const { email, token } = await registerAndLogin(server.http);
    const other = await server.http('POST', '/api/users/login', { body: { email, password: PASSWORD } });
    await server.http('POST', '/api/users/logout', { token });
    assert.equal((await server.http('GET', '/api/users/me', { token: other.body.access_token })).status, 200);
  });

  test('401 Token has expired / Token is invalid / Not authenticated', async () => {
    const { token } = await registerAndLogin(server.http);
    assert.deepEqual((await server.http('POST', '/api/users/logout', { headers: { authorization: 'Bearer x.y.z' } })).body, INVALID);
    assert.deepEqual((await server.http('POST', '/api/users/logout')).body, NOT_AUTHENTICATED);
    server.clock.advance(181 * 60_000);
    const expired = await server.http('POST', '/api/users/logout', { token });
    assert.equal(expired.status, 401);
    assert.deepEqual(expired.body, { detail: 'Token has expired' });
  });
});

describe('POST /api/users/refresh_token', () => {
  test('200 with a new token, also for an expired one; the new one works', async () => {
    const { token } = await registerAndLogin(server.http);
    server.clock.advance(181 * 60_000);
    assert.equal((await server.http('GET', '/api/users/me', { token })).status, 401);
    const r = await server.http('POST', '/api/users/refresh_token', { token });
    assert.equal(r.status, 200);
    assert.equal(r.body.token_type, 'bearer');
    assert.equal(r.body.expires_in, 180);
    assert.notEqual(r.body.access_token, token);
    assert.equal((await server.http('GET', '/api/users/me', { token: r.body.access_token })).status, 200);
  });

  test('401 Token is invalid for a token we did not sign', async () => {
    const r = await server.http('POST', '/api/users/refresh_token', { headers: { authorization: 'Bearer aaa.bbb.ccc' } });
    assert.equal(r.status, 401);
    assert.deepEqual(r.body, INVALID);
  });

  test('403 Refresh token is invalid or expired once the session ended', async () => {
    const { token } = await registerAndLogin(server.http);
    await server.http('POST', '/api/users/logout', { token });
    const r = await server.http('POST', '/api/users/refresh_token', { token });
    assert.equal(r.status, 403);
    assert.deepEqual(r.body, { detail: 'Refresh token is invalid or expired' });
  });

  test('403 once the session is past its 7-day lifetime', async () => {
    const { token } = await registerAndLogin(server.http);
    server.clock.advance(7 * 24 * 3600_000 + 1);
    const r = await server.http('POST', '/api/users/refresh_token', { token });
    assert.equal(r.status, 403);
    assert.deepEqual(r.body, { detail: 'Refresh token is invalid or expired' });
  });

  test('a live token refreshes and keeps working; an expired replaced one presented after 10 s ends the session (403)', async () => {
    const { token } = await registerAndLogin(server.http);
    const next = await server.http('POST', '/api/users/refresh_token', { token });
    assert.equal((await server.http('GET', '/api/users/me', { token })).status, 200);
    // both expire; the replaced one is now an old credential that only a thief would still hold
    server.clock.advance(181 * 60_000);
    const reuse = await server.http('POST', '/api/users/refresh_token', { token });
    assert.equal(reuse.status, 403);
    assert.deepEqual(reuse.body, { detail: 'Refresh token is invalid or expired' });
    assert.equal((await server.http('POST', '/api/users/refresh_token', { token: next.body.access_token })).status, 403);
  });
});

describe('POST /api/users/reset_password', () => {
  test('200; the new password works, the old one does not, and every session ended', async () => {
    const { email, token } = await registerAndLogin(server.http);
    const r = await server.http('POST', '/api/users/reset_password', { body: { email, old_password: PASSWORD, new_password: 'brand-new-pass-9' } });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { message: 'Password has been reset successfully.' });
    assert.deepEqual((await server.http('GET', '/api/users/me', { token })).body, INVALID);
    assert.equal((await server.http('POST', '/api/users/login', { body: { email, password: PASSWORD } })).status, 400);
    assert.equal((await server.http('POST', '/api/users/login', { body: { email, password: 'brand-new-pass-9' } })).status, 200);
  });

  test('the new password may equal the old one', async () => {
    const { email } = await registerAndLogin(server.http);
    const r = await server.http('POST', '/api/users/reset_password', { body: { email, old_password: PASSWORD, new_password: PASSWORD } });
    assert.equal(r.status, 200);
  });

  test('404 User not found', async () => {
    const r = await server.http('POST', '/api/users/reset_password', {
      body: { email: uniqueEmail('ghost'), old_password: PASSWORD, new_password: 'brand-new-pass-9' },
    });
    assert.equal(r.status, 404);
    assert.deepEqual(r.body, { detail: 'User not found' });
  });

  test('400 Incorrect password; five of them lock the account (423)', async () => {
    const { email } = await registerAndLogin(server.http);
    for (let i = 0; i < 5; i++) {
      const r = await server.http('POST', '/api/users/reset_password', { body: { email, old_password: 'wrong-password', new_password: 'brand-new-pass-9' } });
      assert.equal(r.status, 400);
      assert.deepEqual(r.body, { detail: 'Incorrect password' });
    }
    const locked = await server.http('POST', '/api/users/reset_password', { body: { email, old_password: PASSWORD, new_password: 'brand-new-pass-9' } });
    assert.equal(locked.status, 423);
    assert.deepEqual(locked.body, { detail: 'Account is temporarily locked' });
    assert.equal((await server.http('POST', '/api/users/login', { body: { email, password: PASSWORD } })).status, 423);
  });

  test('422 for a new password that breaks the policy', async () => {
    const { email } = await registerAndLogin(server.http);
    const r = await server.http('POST', '/api/users/reset_password', { body: { email, old_password: PASSWORD, new_password: 'short' } });
    assert.equal(r.status, 422);
    assert.deepEqual(r.body.detail[0].loc, ['body', 'new_password']);
  });
});
