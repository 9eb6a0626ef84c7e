// Redis and PostgreSQL go away under load and come back: requests answer 503
// quickly (never 500, never a hang), /readyz says so, service comes back by
// itself, and no answered registration is lost.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { backendUrls, NO_BACKENDS } from '../helpers/backends.ts';
import { startServerProcess, type ServerProcess } from '../helpers/process.ts';
import { postgresControl, redisControl, startServices, stopServices } from '../support/services.ts';

const available = backendUrls() !== null;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Tally {
  statuses: Map<number, number>;
  slowest: number;
  registered: string[];
}

/** Keeps logging in, registering and probing /readyz until `stop` says so. */
async function loadUntil(server: ServerProcess, username: string, stop: () => boolean): Promise<Tally> {
  const tally: Tally = { statuses: new Map(), slowest: 0, registered: [] };
  let n = 0;
  const worker = async () => {
    while (!stop()) {
      const name = `load_${process.pid}_${n++}`;
      const requests = [
        server.http('POST', '/api/v1/auth/login/json', { body: { username, password: 'password123' } }),
        server
          .http('POST', '/api/v1/auth/register', {
            body: { username: name, email: `${name}@example.com`, password: 'password123', confirm_password: 'password123' },
          })
          .then((r) => {
            if (r.status === 201) tally.registered.push(name);
            return r;
          }),
      ];
      const started = Date.now();
      // A dropped connection would mean the server died: counted, and the test fails on it.
      for (const r of await Promise.all(requests.map((p) => p.catch(() => ({ status: 0 })))))
        tally.statuses.set(r.status, (tally.statuses.get(r.status) ?? 0) + 1);
      tally.slowest = Math.max(tally.slowest, Date.now() - started);
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  return tally;
}

describe('backend outages', { skip: available ? false : NO_BACKENDS }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-outage-'));
  chmodSync(dir, 0o755); // PostgreSQL runs as its own user and must reach its folder
  let server: ServerProcess;
  let urls: { databaseUrl: string; redisUrl: string };

  before(async () => {
    urls = await startServices(join(dir, 'services'));
    server = await startServerProcess({
      DATA_DIR: join(dir, 'data'),
      DATABASE_URL: urls.databaseUrl,
      REDIS_URL: urls.redisUrl,
      JWT_SECRET: 'outage-secret-outage-secret-outage-secret-1',
      MFA_ENCRYPTION_KEY: 'outage-encryption-key-outage-encryption-key-1',
      STORE_TIMEOUT_MS: '1000',
      LOG_LEVEL: 'warn',
      // Volume: three workers log in and register from one address for seconds (rate limits stay on: their
      // counters live in Redis too, and the next test covers every limited endpoint with the defaults).
      RATE_LIMIT_PER_IP: '100000',
      RATE_LIMIT_PER_ACCOUNT: '100000',
    });
    const r = await server.http('POST', '/api/v1/auth/register', {
      body: { username: 'steady', email: 'steady@example.com', password: 'password123', confirm_password: 'password123' },
    });
    assert.equal(r.status, 201);
  });
  after(async () => {
    await server?.stop();
    stopServices(join(dir, 'services'));
    rmSync(dir, { recursive: true, force: true });
  });

  for (const backend of ['redis', 'postgres'] as const) {
    test(`${backend} stops and restarts under load: 503s, no 500, readiness follows, nothing answered is lost`, async () => {
      let done = false;
      const loading = loadUntil(server, 'steady', () => done);
      await sleep(500);
      (backend === 'redis' ? redisControl : postgresControl)(join(dir, 'services'), 'stop');
      await sleep(1000);
      const ready = await server.http('GET', '/readyz').catch((error: unknown) => {
        throw new Error(`the server stopped answering (${(error as Error).message}):\n${server.output()}`);
      });
      assert.equal(ready.status, 503);
      const login = await server.http('POST', '/api/v1/auth/login/json', { body: { username: 'steady', password: 'password123' } });
      assert.deepEqual([login.status, login.body], [503, { detail: '服务暂时不可用' }]);
      assert.equal(login.headers.get('retry-after'), '1');
      (backend === 'redis' ? redisControl : postgresControl)(join(dir, 'services'), 'start');

      // service comes back by itself
      const deadline = Date.now() + 10_000;
      let back = false;
      while (!back && Date.now() < deadline) {
        await sleep(200);
        back = (await server.http('POST', '/api/v1/auth/login/json', { body: { username: 'steady', password: 'password123' } })).status === 200;
      }
      await sleep(300);
      done = true;
      const tally = await loading;
      assert.ok(back, 'logins work again after the restart');
      assert.equal((await server.http('GET', '/readyz')).status, 200);
      assert.ok(!tally.statuses.has(500) && !tally.statuses.has(0), `statuses (0 = connection dropped): ${JSON.stringify([...tally.statuses])}`);
      assert.equal(server.child.exitCode, null, `the server exited:\n${server.output()}`);
      assert.match(server.output(), /a storage backend is unreachable: answered 503/);
      assert.ok((tally.statuses.get(503) ?? 0) > 0, 'some requests saw the outage');
      assert.ok(tally.slowest < 4000, `a request took ${tally.slowest} ms`);
      // every registration that was answered 201 is there and can log in
      for (const name of tally.registered.slice(-25)) {
        const r = await server.http('POST', '/api/v1/auth/login/json', { body: { username: name, password: 'password123' } });
        assert.equal(r.status, 200, name);
      }
    });
  }

  test('Redis away, default settings: every rate-limited endpoint of every surface answers without a 500', async () => {
    const defaults = await startServerProcess({
      DATA_DIR: join(dir, 'defaults'),
      DATABASE_URL: urls.databaseUrl,
      REDIS_URL: urls.redisUrl,
      REDIS_PREFIX: 'defaults:',
      JWT_SECRET: 'outage-secret-outage-secret-outage-secret-1',
      MFA_ENCRYPTION_KEY: 'outage-encryption-key-outage-encryption-key-1',
      LOG_LEVEL: 'warn',
    });
    try {
      const u = `rl_${process.pid}`;
      const calls: Array<[ServerProcess['http'], string, unknown]> = [
        [defaults.http, '/api/users/register', { email: `${u}a@example.com`, password: 'password123', first_name: 'R' }],
        [defaults.http, '/api/users/login', { email: 'steady@example.com', password: 'password123' }],
        [defaults.http, '/api/users/refresh_token', undefined],
        [defaults.http, '/api/users/reset_password', { email: 'steady@example.com', old_password: 'wrong-password', new_password: 'password123' }],
        [defaults.http, '/api/auth/register', { username: `${u}b`, email: `${u}b@example.com`, password: 'password123', nickname: 'r' }],
        [defaults.http, '/api/auth/login', { username: 'steady', password: 'password123' }],
        [defaults.http, '/api/auth/refresh', { refresh_token: 'a.b.c' }],
      ];
      for (const http of [defaults.http, defaults.envelopeHttp]) {
        const name = `${u}${http === defaults.http ? 'c' : 'd'}`;
        calls.push(
          [http, '/api/v1/auth/register', { username: name, email: `${name}@example.com`, password: 'password123', confirm_password: 'password123' }],
          [http, '/api/v1/auth/login/json', { username: 'steady', password: 'password123' }],
          [http, '/api/v1/auth/refresh', { refresh_token: 'a.b.c' }],
          [http, '/api/v1/auth/forgot-password', { email: 'steady@example.com' }],
          [http, '/api/v1/auth/reset-password', { token: 'nope', new_password: 'password123' }],
          [http, '/api/v1/auth/verify-email', { token: 'nope' }],
          [http, '/api/v1/auth/resend-verification', { email: 'steady@example.com' }],
        );
      }
      redisControl(join(dir, 'services'), 'stop');
      try {
        await sleep(500);
        const answers = [];
        for (const [http, path, body] of calls) {
          const r = await http('POST', path, { body, token: body === undefined ? 'a.b.c' : undefined });
          answers.push(`${path} ${r.status}`);
          assert.ok(r.status < 500 || r.status === 503, `${path}: ${r.status} ${r.text}`);
          if (r.status === 503) assert.equal(r.headers.get('retry-after'), '1', path);
        }
        // what the database alone serves keeps working: registrations
        for (const line of answers.filter((a) => a.includes('register'))) assert.match(line, / 20[01]$/);
        assert.match(defaults.output(), /Redis is unreachable: rate limits are counted in this instance/);
      } finally {
        redisControl(join(dir, 'services'), 'start');
      }
    } finally {
      await defaults.stop();
    }
  });
});
