import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { rawRequest } from '../../helpers/raw-http.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { loginV1, registerV1 } from '../../helpers/users.ts';

describe('HTTP hardening', () => {
  let server: TestServer;
  let hookServer: Server;
  const received: unknown[] = [];
  before(async () => {
    hookServer = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => hookServer.listen(0, '127.0.0.1', resolve));
    const hook = `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/audit`;
    server = await startTestServer({ env: { CORS_ORIGINS: 'https://app.example.com', SESSION_IDLE_MINUTES: '30', AUDIT_WEBHOOK_URL: hook } });
  });
  after(async () => {
    await server.close();
    hookServer.close();
  });

  test('security headers on every response; no-store on API answers', async () => {
    for (const path of ['/healthz', '/api/users/me', '/api/nothing', '/docs/']) {
      const r = await server.http('GET', path);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(r.headers.get('referrer-policy'), 'no-referrer', path);
      assert.equal(r.headers.get('x-frame-options'), 'DENY', path);
      // the HTML-only headers stay on the pages
      assert.equal(r.headers.get('cross-origin-opener-policy'), null, path);
    }
    assert.equal((await server.http('GET', '/api/users/me')).headers.get('cache-control'), 'no-store');
  });

  test('CORS: the configured origin is allowed (with preflight), others are not', async () => {
    const ok = await server.http('GET', '/healthz', { headers: { origin: 'https://app.example.com' } });
    assert.equal(ok.headers.get('access-control-allow-origin'), 'https://app.example.com');
    const other = await server.http('GET', '/healthz', { headers: { origin: 'https://evil.example' } });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
    const preflight = await server.http('OPTIONS', '/api/v1/auth/login/json', {
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' },
    });
    assert.equal(preflight.status, 204);
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /Authorization/);
    const refused = await server.http('OPTIONS', '/api/v1/auth/login/json', {
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    // no permission granted: the browser refuses to send the request
    assert.equal(refused.headers.get('access-control-allow-origin'), null);
    // unknown routes still answer 404, not 405, with a preflight route in place
    assert.equal((await server.http('GET', '/api/nothing-here')).status, 404);
  });

  test('oversized headers are refused (431) before any handler runs', async () => {
    const r = await rawRequest(server.url, 'GET', '/healthz', { 'x-big': 'a'.repeat(20_000) });
    assert.equal(r.status, 431);
  });

  test('a user lists their sessions and ends one or all others', async () => {
    const { username } = await registerV1(server.http);
    const a = await loginV1(server.http, username);
    const b = (await server.http('POST', '/api/v1/auth/login/json', { body: { username, password: 'password123' }, headers: { 'user-agent': 'phone' } })).body
      .access_token;
    await loginV1(server.http, username);
    const list = await server.http('GET', '/api/v1/auth/sessions', { token: a });
    assert.equal(list.status, 200);
    assert.equal(list.body.length, 3);
    assert.equal(list.body.filter((s: { current: boolean }) => s.current).length, 1);
    const phone = list.body.find((s: { user_agent: string }) => s.user_agent === 'phone');
    assert.equal(phone.ip, '127.0.0.1');
    assert.match(phone.last_seen_at, /Z$/);
    const end = await server.http('DELETE', `/api/v1/auth/sessions/${phone.id}`, { token: a });
    assert.deepEqual([end.status, end.body], [200, { message: '会话已结束' }]);
    assert.equal((await server.http('GET', '/api/v1/auth/me', { token: b })).status, 401);
    assert.deepEqual((await server.http('DELETE', `/api/v1/auth/sessions/${phone.id}`, { token: a })).body, { detail: '会话不存在' });
    // another user's session id cannot be ended
    const stranger = await registerV1(server.http);
    const theirs = await loginV1(server.http, stranger.username);
    const theirId = (await server.http('GET', '/api/v1/auth/sessions', { token: theirs })).body[0].id;
    assert.equal((await server.http('DELETE', `/api/v1/auth/sessions/${theirId}`, { token: a })).status, 404);
    assert.equal((await server.http('GET', '/api/v1/auth/me', { token: theirs })).status, 200);
    const others = await server.http('DELETE', '/api/v1/auth/sessions', { token: a });
    assert.deepEqual(others.body, { message: '其他会话已结束', ended: 1 });
    assert.equal((await server.http('GET', '/api/v1/auth/sessions', { token: a })).body.length, 1);
  });

  test('idle timeout: a session unused for 30 minutes ends; use keeps it alive', async () => {
    const { username } = await registerV1(server.http);
    const used = await loginV1(server.http, username);
    const idle = await loginV1(server.http, username);
    for (let i = 0; i < 4; i++) {
      server.clock.advance(10 * 60_000);
      assert.equal((await server.http('GET', '/api/v1/auth/me', { token: used })).status, 200, `step ${i}`);
    }
    assert.equal((await server.http('GET', '/api/v1/auth/me', { token: idle })).status, 401);
  });

  test('audit events: stored with user, IP and user agent, and posted to the webhook', async () => {
    const { username } = await registerV1(server.http);
    const user = (await server.core.accounts.findByUsername(username))!;
    await server.http('POST', '/api/v1/auth/login/json', { body: { username, password: 'wrong-password' }, headers: { 'user-agent': 'attacker-agent' } });
    const token = await loginV1(server.http, username);
    await server.http('POST', '/api/v1/auth/change-password', { token, body: { old_password: 'password123', new_password: 'password456' } });
    const out = await server.http('POST', '/api/v1/auth/logout', { token });
    assert.equal(out.status, 200, out.text);
    const events = await server.stores.audit.list(10, user.id);
    assert.deepEqual(
      events
        .map((e) => e.type)
        .filter((t) => t !== 'verification.sent')
        .reverse(),
      ['user.registered', 'login.failed', 'login.succeeded', 'password.changed', 'logout'],
    );
    const failed = events.find((e) => e.type === 'login.failed')!;
    assert.deepEqual([failed.ip, failed.userAgent, failed.detail], ['127.0.0.1', 'attacker-agent', 'wrong password']);
    const postedFor = () =>
      received
        .filter((e) => (e as { userId: number }).userId === user.id)
        .map((e) => (e as { type: string }).type)
        .filter((t) => t !== 'verification.sent');
    for (let i = 0; i < 100 && postedFor().length < 5; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    const posted = postedFor();
    assert.deepEqual(posted, ['user.registered', 'login.failed', 'login.succeeded', 'password.changed', 'logout']);
  });
});

test('key rotation: tokens signed with the previous secret keep working; new ones use the new secret', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-rotation-'));
  // One database for the three generations of the server (the same deployment, restarted).
  const database = { DATABASE_URL: `sqlite:${join(dir, 'gatehouse.db')}`, REDIS_URL: '' };
  const oldSecret = 'the-old-signing-secret-of-at-least-32-bytes';
  const newSecret = 'the-new-signing-secret-of-at-least-32-bytes';
  try {
    const first = await startTestServer({ env: { ...database, JWT_SECRET: oldSecret } });
    const { username } = await registerV1(first.http);
    const token = await loginV1(first.http, username);
    await first.close();
    const rotated = await startTestServer({ env: { ...database, JWT_SECRET: newSecret, JWT_PREVIOUS_SECRETS: oldSecret } });
    assert.equal((await rotated.http('GET', '/api/v1/auth/me', { token })).status, 200);
    const fresh = await loginV1(rotated.http, username);
    await rotated.close();
    const dropped = await startTestServer({ env: { ...database, JWT_SECRET: newSecret } });
    assert.equal((await dropped.http('GET', '/api/v1/auth/me', { token })).status, 401);
    assert.equal((await dropped.http('GET', '/api/v1/auth/me', { token: fresh })).status, 200);
    await dropped.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
