// Races an attacker (or a flaky client) would start.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { uniqueName } from '../../helpers/users.ts';

let server: TestServer;
let plain: { http: TestServer['http']; core: TestServer['core'] };
let envelope: { http: TestServer['http']; core: TestServer['core'] };
before(async () => {
  // Volume: hundreds of registrations and refreshes from one address within a minute (the per-IP limit is tested on its own).
  server = await startTestServer({ env: { RATE_LIMIT_PER_IP: '10000' } });
  plain = { http: server.http, core: server.core };
  envelope = { http: server.envelopeHttp, core: server.core };
});
after(async () => {
  await server.close();
});

const fifty = <T>(fn: (i: number) => Promise<T>) => Promise.all(Array.from({ length: 50 }, (_, i) => fn(i)));

describe('50 parallel registrations of one identity make exactly one account', () => {
  test('same email on each surface', async () => {
    const cases = [
      { server: plain, path: '/api/users/register', body: (e: string) => ({ email: e, password: 'password123', first_name: 'R' }), ok: 200 },
      {
        server: plain,
        path: '/api/auth/register',
        body: (e: string, i: number) => ({ username: uniqueName(`r${i}`), email: e, password: 'password123', nickname: 'r' }),
        ok: 201,
      },
      {
        server: plain,
        path: '/api/v1/auth/register',
        body: (e: string, i: number) => ({ username: uniqueName(`r${i}`), email: e, password: 'password123', confirm_password: 'password123' }),
        ok: 201,
      },
      {
        server: envelope,
        path: '/api/v1/auth/register',
        body: (e: string, i: number) => ({ username: uniqueName(`r${i}`), email: e, password: 'password123' }),
        ok: 201,
      },
    ];
    for (const c of cases) {
      const email = `${uniqueName('race')}@example.com`;
      const answers = await fifty((i) => c.server.http('POST', c.path, { body: c.body(email, i) }));
      assert.equal(answers.filter((r) => r.status === c.ok).length, 1, c.path);
      assert.ok(
        answers.every((r) => r.status === c.ok || r.status === 400),
        `${c.path}: ${answers.map((r) => r.status).join(',')}`,
      );
      assert.ok(await c.server.core.accounts.findByEmail(email));
    }
  });

  test('same username (any case) on each surface that has usernames', async () => {
    for (const [server, path, body] of [
      [
        plain,
        '/api/auth/register',
        (n: string, i: number) => ({ username: i % 2 ? n.toUpperCase() : n, email: `${uniqueName()}@example.com`, password: 'password123', nickname: 'r' }),
      ],
      [
        plain,
        '/api/v1/auth/register',
        (n: string, i: number) => ({
          username: i % 2 ? n.toUpperCase() : n,
          email: `${uniqueName()}@example.com`,
          password: 'password123',
          confirm_password: 'password123',
        }),
      ],
      [envelope, '/api/v1/auth/register', (n: string) => ({ username: n, password: 'password123' })],
    ] as const) {
      const name = uniqueName('same');
      const answers = await fifty((i) => server.http('POST', path, { body: body(name, i) }));
      assert.equal(answers.filter((r) => r.status === 201).length, 1, path);
    }
  });
});

describe('50 parallel refreshes with one credential: every call succeeds and every token returned works', () => {
  const works = async (path: string, token: string, http = plain.http) => (await http('GET', path, { token })).status === 200;
  const jti = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti as string;

  test('/api/users/refresh_token with a live token, and with an expired one (one rotation, the session survives)', async () => {
    const email = `${uniqueName('rf')}@example.com`;
    await plain.http('POST', '/api/users/register', { body: { email, password: 'password123', first_name: 'R' } });
    const token = (await plain.http('POST', '/api/users/login', { body: { email, password: 'password123' } })).body.access_token;
    const live = await fifty(() => plain.http('POST', '/api/users/refresh_token', { token }));
    assert.ok(
      live.every((r) => r.status === 200),
      live.map((r) => r.status).join(),
    );
    for (const r of live) assert.ok(await works('/api/users/me', r.body.access_token));
    assert.ok(await works('/api/users/me', token));

    const newest = live.at(-1)!.body.access_token;
    server.clock.advance(181 * 60_000);
    const expired = await fifty(() => plain.http('POST', '/api/users/refresh_token', { token: newest }));
    assert.ok(
      expired.every((r) => r.status === 200),
      expired.map((r) => r.status).join(),
    );
    for (const r of expired) assert.ok(await works('/api/users/me', r.body.access_token));
    assert.equal(new Set(expired.map((r) => jti(r.body.access_token))).size, 1);
  });

  test('/api/auth/refresh with one refresh token', async () => {
    const username = uniqueName('ra');
    await plain.http('POST', '/api/auth/register', { body: { username, email: `${username}@example.com`, password: 'password123', nickname: 'r' } });
    const { refresh_token } = (await plain.http('POST', '/api/auth/login', { body: { username, password: 'password123' } })).body;
    const answers = await fifty(() => plain.http('POST', '/api/auth/refresh', { body: { refresh_token } }));
    assert.ok(
      answers.every((r) => r.status === 200),
      answers.map((r) => r.status).join(),
    );
    for (const r of answers) assert.ok(await works('/api/user/me', r.body.access_token));
  });

  test('/api/v1/auth/refresh (plain) with one bearer, and with one refresh token', async () => {
    const username = uniqueName('rv');
    await plain.http('POST', '/api/v1/auth/register', {
      body: { username, email: `${username}@example.com`, password: 'password123', confirm_password: 'password123' },
    });
    const token = (await plain.http('POST', '/api/v1/auth/login/json', { body: { username, password: 'password123' } })).body.access_token;
    const answers = await fifty(() => plain.http('POST', '/api/v1/auth/refresh', { token }));
    assert.ok(
      answers.every((r) => r.status === 200),
      answers.map((r) => r.status).join(),
    );
    for (const r of answers) assert.ok(await works('/api/v1/auth/me', r.body.access_token));
    assert.ok(await works('/api/v1/auth/me', token));

    const { refresh_token } = (await plain.http('POST', '/api/auth/login', { body: { username, password: 'password123' } })).body;
    const byBody = await fifty(() => plain.http('POST', '/api/v1/auth/refresh', { body: { refresh_token } }));
    assert.ok(
      byBody.every((r) => r.status === 200),
      byBody.map((r) => r.status).join(),
    );
    for (const r of byBody) assert.ok(await works('/api/v1/auth/me', r.body.access_token));
  });

  test('/api/v1/auth/refresh (envelope) with one refresh token', async () => {
    const username = uniqueName('rt');
    await envelope.http('POST', '/api/v1/auth/register', { body: { username, password: 'password123' } });
    const { refresh_token } = (await envelope.http('POST', '/api/v1/auth/login', { body: { username, password: 'password123' } })).body.data;
    const answers = await fifty(() => envelope.http('POST', '/api/v1/auth/refresh', { body: { refresh_token } }));
    assert.ok(
      answers.every((r) => r.status === 200),
      answers.map((r) => r.status).join(),
    );
    for (const r of answers) {
      assert.equal(r.body.data.refresh_token, refresh_token);
      assert.ok(await works('/api/v1/users/profile', r.body.data.access_token, envelope.http));
    }
  });
});
