import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generateSync } from 'otplib';
import { enrolTotp, twoStepToken } from '../../helpers/factors.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { loginV1, registerV1 } from '../../helpers/users.ts';

let server: TestServer;
let adminToken: string;
/** The superuser's token from a password-only login: not enough for staff power while CONSOLE_MFA is on (the default). */
let passwordOnlyToken: string;
before(async () => {
  server = await startTestServer();
  const root = await server.core.accounts.register({ username: 'root_admin', email: 'root@example.com', password: 'admin-password-1', isSuperuser: true });
  passwordOnlyToken = await loginV1(server.http, 'root_admin', 'admin-password-1');
  const { codeAt } = await enrolTotp(server.core, root, 'admin-password-1');
  adminToken = await twoStepToken(server.http, server.clock, 'root_admin', 'admin-password-1', codeAt);
});
after(() => server.close());

describe('/api/admin (superusers only)', () => {
  test('401 without a token, 403 for a normal user', async () => {
    assert.deepEqual((await server.http('GET', '/api/admin/users')).body, { detail: 'Not authenticated' });
    const { username } = await registerV1(server.http);
    const token = await loginV1(server.http, username);
    const r = await server.http('GET', '/api/admin/users', { token });
    assert.deepEqual([r.status, r.body], [403, { detail: 'Not enough privileges' }]);
  });

  test('staff power needs the second factor: a superuser token from a password-only login gets 403 naming the rule, for every route', async () => {
    // (Enrolling its factor ended that session; a password-only session started now is what an old admin script would hold.)
    const stale = await server.http('GET', '/api/admin/users', { token: passwordOnlyToken });
    assert.equal(stale.status, 401, 'the first factor ended the sessions from before it');
    const root = (await server.core.accounts.findByUsername('root_admin'))!;
    const grant = await server.core.sessions.start(root, { accessTtl: 600, amr: ['pwd'] });
    for (const [method, path] of [
      ['GET', '/api/admin/users'],
      ['POST', `/api/admin/users/${root.uuid}/disable`],
      ['DELETE', `/api/admin/users/${root.uuid}/mfa`],
      ['POST', '/api/admin/clients'],
    ] as const) {
      const body = path === '/api/admin/clients' ? { name: 'Evil', redirect_uris: ['https://evil.example/cb'] } : undefined;
      const r = await server.http(method, path, { token: grant.accessToken, body });
      assert.equal(r.status, 403, `${method} ${path}`);
      assert.match(r.body.detail, /^Staff power needs a sign-in with a second factor \(CONSOLE_MFA, MFA_REQUIRED\)/);
    }
    assert.equal((await server.http('GET', '/api/admin/users', { token: adminToken })).status, 200, 'a two-step token works');
  });

  test('list pages and searches', async () => {
    for (let i = 0; i < 3; i++) await registerV1(server.http, { username: `findable_${i}_${Date.now()}` });
    const page = await server.http('GET', '/api/admin/users?limit=2', { token: adminToken });
    assert.equal(page.status, 200);
    assert.equal(page.body.items.length, 2);
    assert.equal(page.body.next_offset, 2);
    assert.equal(page.body.items[0].username, 'root_admin');
    assert.equal(page.body.items[0].password_hash, undefined);
    const found = await server.http('GET', '/api/admin/users?search=FINDABLE&limit=50', { token: adminToken });
    assert.equal(found.body.items.length, 3);
    assert.equal(found.body.next_offset, null);
    assert.equal((await server.http('GET', '/api/admin/users?limit=0', { token: adminToken })).status, 422);
  });

  test('disable, enable, and end sessions of an account', async () => {
    const { username, user } = await registerV1(server.http);
    const token = await loginV1(server.http, username);
    const uuid = (await server.core.accounts.findById(user.id))!.uuid;
    const disabled = await server.http('POST', `/api/admin/users/${uuid}/disable`, { token: adminToken });
    assert.equal(disabled.body.status, 'disabled');
    assert.equal((await server.http('GET', '/api/v1/auth/me', { token })).status, 403);
    assert.equal((await server.http('POST', `/api/admin/users/${uuid}/enable`, { token: adminToken })).body.status, 'active');
    assert.equal((await server.http('GET', '/api/v1/auth/me', { token })).status, 401, 'enabling again revives no session from before');
    const again = await loginV1(server.http, username);
    const ended = await server.http('DELETE', `/api/admin/users/${uuid}/sessions`, { token: adminToken });
    assert.deepEqual(ended.body, { ended: 1 });
    assert.equal((await server.http('GET', '/api/v1/auth/me', { token: again })).status, 401);
    const missing = await server.http('POST', '/api/admin/users/00000000-0000-4000-8000-000000000000/disable', { token: adminToken });
    assert.deepEqual([missing.status, missing.body], [404, { detail: 'User not found' }]);
    assert.equal((await server.http('POST', '/api/admin/users/not-a-uuid/disable', { token: adminToken })).status, 422);
  });

  test('second factors: what an account has enrolled, and an audited reset that lets the password alone in again', async () => {
    const { username, user } = await registerV1(server.http);
    const token = await loginV1(server.http, username);
    const { secret } = (await server.http('POST', '/api/v1/auth/mfa/totp', { token, body: { password: 'password123' } })).body;
    const code = generateSync({ secret, epoch: Math.floor(server.clock.now() / 1000) });
    assert.equal((await server.http('POST', '/api/v1/auth/mfa/totp/confirm', { token, body: { code } })).status, 200);
    const uuid = (await server.core.accounts.findById(user.id))!.uuid;
    const shown = await server.http('GET', `/api/admin/users/${uuid}/mfa`, { token: adminToken });
    assert.deepEqual([shown.status, shown.body], [200, { totp: 'active', recovery_codes_left: 10, passkeys: [] }]);
    assert.equal((await server.http('POST', '/api/v1/auth/login/json', { body: { username, password: 'password123' } })).status, 403);
    assert.equal((await server.http('DELETE', `/api/admin/users/${uuid}/mfa`, { token })).status, 403, 'not for a normal user');
    const reset = await server.http('DELETE', `/api/admin/users/${uuid}/mfa`, { token: adminToken });
    assert.deepEqual([reset.status, reset.body], [200, { reset: true }]);
    assert.equal((await server.http('POST', '/api/v1/auth/login/json', { body: { username, password: 'password123' } })).status, 200);
    assert.deepEqual((await server.http('GET', `/api/admin/users/${uuid}/mfa`, { token: adminToken })).body, {
      totp: 'none',
      recovery_codes_left: 0,
      passkeys: [],
    });
    assert.ok((await server.core.audit.list(20, user.id)).some((e) => e.type === 'mfa.reset'));
  });

  test('documented in /openapi.json', async () => {
    const doc = (await server.http('GET', '/openapi.json')).body;
    assert.deepEqual(doc.paths['/api/admin/users'].get.tags, ['admin (staff API)']);
  });
});

describe('/api/admin/clients (OpenID Connect apps)', () => {
  test('register (secret shown once), list, rotate, remove; normal users refused; bad input 422', async () => {
    const { username } = await registerV1(server.http);
    const userToken = await loginV1(server.http, username);
    assert.equal((await server.http('GET', '/api/admin/clients', { token: userToken })).status, 403);
    const added = await server.http('POST', '/api/admin/clients', { token: adminToken, body: { name: 'Notes', redirect_uris: ['https://notes.example/cb'] } });
    assert.equal(added.status, 201, added.text);
    const { client_id, client_secret } = added.body;
    assert.match(client_secret, /^[A-Za-z0-9_-]{43}$/);
    const listed = await server.http('GET', '/api/admin/clients', { token: adminToken });
    const entry = listed.body.items.find((a: { client_id: string }) => a.client_id === client_id);
    assert.deepEqual(
      { ...entry, created_at: undefined },
      {
        client_id,
        name: 'Notes',
        public: false,
        redirect_uris: ['https://notes.example/cb'],
        id_token_alg: 'RS256',
        scopes: [],
        created_at: undefined,
      },
    );
    assert.ok(!listed.text.includes(client_secret), 'the secret is never shown again');
    const rotated = await server.http('POST', `/api/admin/clients/${client_id}/rotate-secret`, { token: adminToken });
    assert.equal(rotated.status, 200);
    assert.notEqual(rotated.body.client_secret, client_secret);
    const pub = await server.http('POST', '/api/admin/clients', {
      token: adminToken,
      body: { name: 'SPA', redirect_uris: ['http://localhost:5173/cb'], public: true, id_token_alg: 'EdDSA' },
    });
    assert.deepEqual([pub.status, pub.body.client_secret], [201, null]);
    assert.equal((await server.http('POST', `/api/admin/clients/${pub.body.client_id}/rotate-secret`, { token: adminToken })).status, 422);
    assert.equal(
      (await server.http('POST', '/api/admin/clients', { token: adminToken, body: { name: 'X', redirect_uris: ['http://evil.example/cb'] } })).status,
      422,
    );
    assert.equal((await server.http('POST', '/api/admin/clients', { token: adminToken, body: { name: 'X', redirect_uris: [] } })).status, 422);
    assert.equal((await server.http('DELETE', `/api/admin/clients/${client_id}`, { token: adminToken })).status, 204);
    assert.equal((await server.http('DELETE', `/api/admin/clients/${client_id}`, { token: adminToken })).status, 404);
    const events = await server.core.audit.list(20);
    const root = await server.core.accounts.findByUsername('root_admin');
    for (const type of ['app.registered', 'app.secret_rotated', 'app.removed'])
      assert.equal(events.find((e) => e.type === type)?.actorId, root!.id, `${type}, audited with the superuser who did it`);
  });

  test('an app registered with API scopes shows them; a user scope or a public app with scopes is 422', async () => {
    const added = await server.http('POST', '/api/admin/clients', {
      token: adminToken,
      body: { name: 'Billing job', redirect_uris: ['https://billing.example/cb'], scopes: ['invoices:read', 'invoices:write'] },
    });
    assert.equal(added.status, 201, added.text);
    const listed = await server.http('GET', '/api/admin/clients', { token: adminToken });
    const entry = listed.body.items.find((a: { client_id: string }) => a.client_id === added.body.client_id);
    assert.deepEqual(entry.scopes, ['invoices:read', 'invoices:write']);
    for (const body of [
      { name: 'X', redirect_uris: ['https://x.example/cb'], scopes: ['openid'] },
      { name: 'X', redirect_uris: ['https://x.example/cb'], scopes: ['profile'] },
      { name: 'X', redirect_uris: ['https://x.example/cb'], scopes: ['two words'] },
      { name: 'X', redirect_uris: ['https://x.example/cb'], scopes: ['a:b'], public: true },
    ]) {
      assert.equal((await server.http('POST', '/api/admin/clients', { token: adminToken, body })).status, 422, JSON.stringify(body));
    }
  });
});

describe('/api/admin with CONSOLE_MFA=off', () => {
  test('a password-only superuser token works (the documented way for admin scripts), unless MFA_REQUIRED covers the account', async () => {
    for (const [env, expected] of [
      [{ CONSOLE_MFA: 'off' }, 200],
      [{ CONSOLE_MFA: 'off', MFA_REQUIRED: 'staff' }, 403],
    ] as const) {
      const other = await startTestServer({ env });
      try {
        const root = await other.core.accounts.register({ username: 'ops', email: 'ops@example.com', password: 'admin-password-1', isSuperuser: true });
        // MFA_REQUIRED=staff would refuse its API login until it enrols; the token of a password session stands in for it.
        const grant = await other.core.sessions.start(root, { accessTtl: 600, amr: ['pwd'] });
        const r = await other.http('GET', '/api/admin/users', { token: grant.accessToken });
        assert.equal(r.status, expected, `${JSON.stringify(env)}: ${r.text}`);
      } finally {
        await other.close();
      }
    }
  });
});
