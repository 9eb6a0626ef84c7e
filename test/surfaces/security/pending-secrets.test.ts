// Finding 5 of the security review: reset tokens and verification codes end with
// what should end them. A reset, a password change, an email change, disabling or
// deleting the account cancels every pending reset token and verification code.
// Runs on SQLite and, with GATEHOUSE_TEST_BACKEND=postgres+redis, on PostgreSQL +
// Redis (where reset tokens live in Redis).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { loginV1, registerV1, uniqueName, waitForVerification } from '../../helpers/users.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
});

/** Every reset token mailed to `email`, once `count` of them have arrived. */
async function resetTokens(email: string, count: number): Promise<string[]> {
  for (let i = 0; i < 200; i++) {
    const tokens = (await server.stores.outbox.list(200))
      .filter((m) => m.to === email.toLowerCase())
      .map((m) => /Reset token: (\S+)/.exec(m.text)?.[1])
      .filter((t): t is string => !!t);
    if (tokens.length >= count) return [...new Set(tokens)];
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`fewer than ${count} reset mails for ${email}`);
}

const forgot = (email: string) => server.http('POST', '/api/v1/auth/forgot-password', { body: { email } });
const reset = (token: string, password = 'new-password-9') => server.http('POST', '/api/v1/auth/reset-password', { body: { token, new_password: password } });

describe('pending reset tokens and verification codes end with what should end them', () => {
  test('three reset mails: after the newest is used, the two older tokens are dead', async () => {
    const { email } = await registerV1(server.http);
    for (let i = 0; i < 3; i++) assert.equal((await forgot(email)).status, 200);
    const tokens = await resetTokens(email, 3);
    assert.equal(tokens.length, 3);
    const [newest, ...older] = tokens;
    // whichever is used first, the others die with it
    assert.equal((await reset(newest!)).status, 200);
    for (const token of older) assert.equal((await reset(token, 'another-password-9')).status, 400, 'an older token after the reset');
  });

  test('a password change ends a reset token mailed before it', async () => {
    const { username, email } = await registerV1(server.http);
    assert.equal((await forgot(email)).status, 200);
    const [token] = await resetTokens(email, 1);
    const access = await loginV1(server.http, username);
    const change = await server.http('POST', '/api/v1/auth/change-password', {
      token: access,
      body: { old_password: 'password123', new_password: 'password456' },
    });
    assert.equal(change.status, 200, change.text);
    assert.equal((await reset(token!)).status, 400);
  });

  test('an email change (PUT /api/user/me) ends a reset token and a verification code mailed to the old address', async () => {
    const email = `${uniqueName('old')}@example.com`;
    const username = uniqueName('mover');
    const reg = await server.http('POST', '/api/auth/register', { body: { username, email, password: 'password123', nickname: 'm' } });
    assert.equal(reg.status, 201, reg.text);
    const verification = await waitForVerification(server.stores.outbox, email);
    assert.equal((await forgot(email)).status, 200);
    const [token] = await resetTokens(email, 1);
    const login = await server.http('POST', '/api/auth/login', { body: { username, password: 'password123' } });
    assert.equal(login.status, 200, login.text);
    const moved = await server.http('PUT', '/api/user/me', { token: login.body.access_token, body: { email: `${uniqueName('new')}@example.com` } });
    assert.equal(moved.status, 200, moved.text);
    assert.equal((await reset(token!)).status, 400, 'the reset token mailed to the old address');
    const code = await server.http('POST', '/api/v1/auth/verify-email', { body: { token: verification.token } });
    assert.equal(code.status, 400, 'the verification link mailed to the old address');
  });

  test('a password change ends a pending verification code', async () => {
    const { username, email } = await registerV1(server.http);
    const { code } = await waitForVerification(server.stores.outbox, email);
    const access = await loginV1(server.http, username);
    const change = await server.http('POST', '/api/v1/auth/change-password', {
      token: access,
      body: { old_password: 'password123', new_password: 'password456' },
    });
    assert.equal(change.status, 200, change.text);
    const verify = await server.http('POST', '/api/v1/auth/verify-email', { body: { email, code } });
    assert.equal(verify.status, 400, verify.text);
  });

  test('disabling the account ends its reset tokens, also once it is enabled again', async () => {
    const { username, email } = await registerV1(server.http);
    assert.equal((await forgot(email)).status, 200);
    const [token] = await resetTokens(email, 1);
    const user = await server.core.accounts.findByUsername(username);
    assert.ok(user);
    await server.core.accounts.setStatus(user, 'disabled');
    await server.core.accounts.setStatus(user, 'active');
    assert.equal((await reset(token!)).status, 400);
  });

  test('deleting the account ends its reset tokens', async () => {
    const { username, email } = await registerV1(server.http);
    assert.equal((await forgot(email)).status, 200);
    const [token] = await resetTokens(email, 1);
    const user = await server.core.accounts.findByUsername(username);
    assert.ok(user);
    await server.core.accounts.delete(user);
    assert.equal(await server.core.resets.isUsable(token!), false);
  });
});
