// Races an attacker (or a flaky client) would start.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { uniqueName } from '../../helpers/users.ts';

let plain: TestServer;
let envelope: TestServer;
before(async () => {
  plain = await startTestServer();
  envelope = await startTestServer({ env: { V1_AUTH_STYLE: 'envelope' } });
});
after(async () => {
  await plain.close();
  await envelope.close();
});

const fifty = <T>(fn: (i: number) => Promise<T>) => Promise.all(Array.from({ length: 50 }, (_, i) => fn(i)));

describe('50 parallel registrations of one identity make exactly one account', () => {
  test('same email on each surface', async () => {
    const cases = [
      { server: plain, path: '/api/users/register', body: (e: string) => ({ email: e, password: 'password123', first_name: 'R' }), ok: 200 },
      { server: plain, path: '/api/auth/register', body: (e: string, i: number) => ({ username: uniqueName(`r${i}`), email: e, password: 'password123', nickname: 'r' }), ok: 201 },
      { server: plain, path: '/api/v1/auth/register', body: (e: string, i: number) => ({ username: uniqueName(`r${i}`), email: e, password: 'password123', confirm_password: 'password123' }), ok: 201 },
      { server: envelope, path: '/api/v1/auth/register', body: (e: string, i: number) => ({ username: uniqueName(`r${i}`), email: e, password: 'password123' }), ok: 201 },
    ];
    for (const c of cases) {
      const email = `${uniqueName('race')}@example.com`;
      const answers = await fifty((i) => c.server.http('POST', c.path, { body: c.body(email, i) }));
      assert.equal(answers.filter((r) => r.status === c.ok).length, 1, c.path);
      assert.ok(answers.every((r) => r.status === c.ok || r.status === 400), `${c.path}: ${answers.map((r) => r.status).join(',')}`);
      assert.ok(await c.server.core.accounts.findByEmail(email));
    }
  });

  test('same username (any case) on each surface that has usernames', async () => {
    for (const [server, path, body] of [
      [plain, '/api/auth/register', (n: string, i: number) => ({ username: i % 2 ? n.toUpperCase() : n, email: `${uniqueName()}@example.com`, password: 'password123', nickname: 'r' })],
      [plain, '/api/v1/auth/register', (n: string, i: number) => ({ username: i % 2 ? n.toUpperCase() : n, email: `${uniqueName()}@example.com`, password: 'password123', confirm_password: 'password123' })],
      [envelope, '/api/v1/auth/register', (n: string) => ({ username: n, password: 'password123' })],
    ] as const) {
      const name = uniqueName('same');
      const answers = await fifty((i) => server.http('POST', path, { body: body(name, i) }));
      assert.equal(answers.filter((r) => r.status === 201).length, 1, path);
    }
  });
});

describe('50 parallel refreshes with one token', () => {
  test('rotating refresh tokens (envelope): at most one succeeds, and the replays end the session', async () => {
    const username = uniqueName('rt');
    await envelope.http('POST', '/api/v1/auth/register', { body: { username, password: 'password123' } });
    const { refresh_token } = (await envelope.http('POST', '/api/v1/auth/login', { body: { username, password: 'password123' } })).body.data;
    const answers = await fifty(() => envelope.http('POST', '/api/v1/auth/refresh', { body: { refresh_token } }));
    const won = answers.filter((r) => r.status === 200);
    assert.ok(won.length <= 1, `${won.length} refreshes succeeded`);
    assert.ok(answers.every((r) => r.status === 200 || r.status === 401));
  });

  test('seed 000 refresh: every caller gets the same new token (one rotation), the session survives', async () => {
    const email = `${uniqueName('rf')}@example.com`;
    await plain.http('POST', '/api/users/register', { body: { email, password: 'password123', first_name: 'R' } });
    const token = (await plain.http('POST', '/api/users/login', { body: { email, password: 'password123' } })).body.access_token;
    const answers = await fifty(() => plain.http('POST', '/api/users/refresh_token', { token }));
    assert.ok(answers.every((r) => r.status === 200), answers.map((r) => r.status).join());
    const jtis = new Set(answers.map((r) => JSON.parse(Buffer.from(r.body.access_token.split('.')[1], 'base64url').toString()).jti));
    assert.equal(jtis.size, 1);
    assert.equal((await plain.http('GET', '/api/users/me', { token: answers[0]!.body.access_token })).status, 200);
  });

  test('seed 004 revoking refresh: at most one succeeds', async () => {
    const username = uniqueName('rv');
    await plain.http('POST', '/api/v1/auth/register', { body: { username, email: `${username}@example.com`, password: 'password123', confirm_password: 'password123' } });
    const token = (await plain.http('POST', '/api/v1/auth/login/json', { body: { username, password: 'password123' } })).body.access_token;
    const answers = await fifty(() => plain.http('POST', '/api/v1/auth/refresh', { token }));
    assert.ok(answers.filter((r) => r.status === 200).length <= 1);
    assert.ok(answers.every((r) => r.status === 200 || r.status === 401));
  });
});
