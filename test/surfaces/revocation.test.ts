// Revocation takes effect at once even though sessions and users are served
// from memory: while 50 connections hammer /me, no request that starts after a
// logout, a disable or a password change is acknowledged is still honoured.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { loginV1, registerV1 } from '../helpers/users.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

/**
 * Hammers `GET /api/v1/auth/me` with `token` on 50 connections while `revoke`
 * runs; returns the requests that started after the revocation was acknowledged
 * and were still answered 200.
 */
async function hammerWhile(token: string, revoke: () => Promise<unknown>): Promise<{ honouredAfter: number; total: number }> {
  let acknowledgedAt = Number.POSITIVE_INFINITY;
  let stop = false;
  let honouredAfter = 0;
  let total = 0;
  const worker = async () => {
    while (!stop) {
      const started = performance.now();
      const r = await server.http('GET', '/api/v1/auth/me', { token });
      total++;
      if (r.status === 200 && started > acknowledgedAt) honouredAfter++;
    }
  };
  const workers = Array.from({ length: 50 }, worker);
  const until = async (n: number) => {
    while (total < n) await new Promise((r) => setTimeout(r, 5));
  };
  await until(100); // the cache is warm
  await revoke();
  acknowledgedAt = performance.now();
  await until(total + 200);
  stop = true;
  await Promise.all(workers);
  return { honouredAfter, total };
}

describe('revocation with the in-memory session cache', () => {
  test('logout: nothing started after the acknowledgement is honoured', async () => {
    const { username } = await registerV1(server.http);
    const token = await loginV1(server.http, username);
    const { honouredAfter, total } = await hammerWhile(token, () =>
      server.http('POST', '/api/v1/auth/logout', { token }).then((r) => assert.equal(r.status, 200)),
    );
    assert.ok(total >= 300, `${total} requests`);
    assert.equal(honouredAfter, 0);
  });

  test('disable (admin or CLI path through the core), password change, session revocation', async () => {
    const cases: Array<[string, (user: { username: string }, token: string) => Promise<unknown>]> = [
      ['disable', async ({ username }) => server.core.accounts.setStatus((await server.core.accounts.findByUsername(username))!, 'disabled')],
      [
        'password change elsewhere',
        async ({ username }) => server.core.accounts.setPassword((await server.core.accounts.findByUsername(username))!, 'another-password-1'),
      ],
      ['all sessions ended', async ({ username }) => server.core.sessions.endAllForUser((await server.core.accounts.findByUsername(username))!.id)],
      ['delete', async ({ username }) => server.core.accounts.delete((await server.core.accounts.findByUsername(username))!)],
    ];
    for (const [name, revoke] of cases) {
      const user = await registerV1(server.http);
      const token = await loginV1(server.http, user.username);
      const { honouredAfter } = await hammerWhile(token, () => revoke(user, token));
      assert.equal(honouredAfter, 0, name);
    }
  });

  test('a refreshed token still works; a profile change shows at once', async () => {
    const { username } = await registerV1(server.http);
    const token = await loginV1(server.http, username);
    assert.equal((await server.http('GET', '/api/v1/auth/me', { token })).body.full_name, null);
    await server.http('PUT', '/api/v1/users/profile', { token, body: { full_name: 'Changed Name' } });
    assert.equal((await server.http('GET', '/api/v1/auth/me', { token })).body.full_name, 'Changed Name');
  });
});
