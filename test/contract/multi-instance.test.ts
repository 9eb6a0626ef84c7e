// Two Gatehouse processes on one PostgreSQL + Redis, as behind a load balancer.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { backendUrls, freshDatabase, freshPrefix, NO_BACKENDS } from '../helpers/backends.ts';
import { runCli, startServerProcess, type ServerProcess } from '../helpers/process.ts';
import { registerV1 } from '../helpers/users.ts';

const backends = backendUrls();

describe('several instances on PostgreSQL + Redis', { skip: backends ? false : NO_BACKENDS }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-multi-'));
  let a: ServerProcess;
  let b: ServerProcess;
  let env: Record<string, string>;
  let drop: () => Promise<void>;

  before(async () => {
    const database = await freshDatabase(backends!.databaseUrl);
    drop = database.drop;
    env = {
      DATA_DIR: dataDir,
      DATABASE_URL: database.url,
      REDIS_URL: backends!.redisUrl,
      REDIS_PREFIX: freshPrefix(),
      JWT_SECRET: 'shared-secret-shared-secret-shared-secret-42',
      MFA_ENCRYPTION_KEY: 'shared-encryption-key-shared-encryption-key-7',
      LOG_LEVEL: 'warn',
    };
    [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await drop?.();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('a token from one instance works on the other; a logout on one is refused at once on the other', async () => {
    const { username } = await registerV1(a.http);
    const token = (await b.http('POST', '/api/v1/auth/login/json', { body: { username, password: 'password123' } })).body.access_token;
    assert.equal((await a.http('GET', '/api/v1/auth/me', { token })).status, 200);
    assert.equal((await a.http('POST', '/api/v1/auth/logout', { token })).status, 200);
    assert.equal((await b.http('GET', '/api/v1/auth/me', { token })).status, 401);
  });

  test('lockout counts failures made on both instances', async () => {
    const { username } = await registerV1(b.http);
    for (let i = 0; i < 5; i++) {
      const target = i % 2 === 0 ? a : b;
      assert.equal((await target.http('POST', '/api/v1/auth/login/json', { body: { username, password: 'wrong-password' } })).status, 401);
    }
    assert.equal((await a.http('POST', '/api/v1/auth/login/json', { body: { username, password: 'password123' } })).status, 423);
    assert.equal((await b.http('POST', '/api/v1/auth/login/json', { body: { username, password: 'password123' } })).status, 423);
  });

  test('tokens refreshed on one instance keep working on both; a logout with the first one on the other ends them all', async () => {
    const { username } = await registerV1(a.http);
    const token = (await a.http('POST', '/api/v1/auth/login/json', { body: { username, password: 'password123' } })).body.access_token;
    const fromA = (await a.http('POST', '/api/v1/auth/refresh', { token })).body.access_token;
    const fromB = (await b.http('POST', '/api/v1/auth/refresh', { token })).body.access_token;
    for (const t of [token, fromA, fromB]) for (const x of [a, b]) assert.equal((await x.http('GET', '/api/v1/auth/me', { token: t })).status, 200);
    assert.equal((await b.http('POST', '/api/v1/auth/logout', { token })).status, 200);
    for (const t of [token, fromA, fromB]) for (const x of [a, b]) assert.equal((await x.http('GET', '/api/v1/auth/me', { token: t })).status, 401);
  });

  test('revocation lag across instances: a logout on one is honoured by the other within 5 ms, while 50 connections hammer /me', async () => {
    const { username } = await registerV1(a.http);
    const token = (await a.http('POST', '/api/v1/auth/login/json', { body: { username, password: 'password123' } })).body.access_token;
    let acknowledgedAt = Number.POSITIVE_INFINITY;
    let firstRefusal = Number.POSITIVE_INFINITY;
    let stop = false;
    let total = 0;
    let lateHonoured = 0;
    const worker = async () => {
      while (!stop) {
        const started = performance.now();
        const r = await b.http('GET', '/api/v1/auth/me', { token });
        total++;
        if (r.status === 401) firstRefusal = Math.min(firstRefusal, started);
        // a request that starts 5 ms after the acknowledgement must be refused
        if (r.status === 200 && started > acknowledgedAt + 5) lateHonoured++;
      }
    };
    const workers = Array.from({ length: 50 }, worker);
    while (total < 200) await new Promise((r) => setTimeout(r, 5));
    assert.equal((await a.http('POST', '/api/v1/auth/logout', { token })).status, 200);
    acknowledgedAt = performance.now();
    const seen = total;
    while (total < seen + 300) await new Promise((r) => setTimeout(r, 5));
    stop = true;
    await Promise.all(workers);
    assert.equal(lateHonoured, 0);
    const lag = Math.max(0, firstRefusal - acknowledgedAt);
    console.log(`# revocation lag across instances: ${lag.toFixed(2)} ms (${total} requests)`);
    assert.ok(lag <= 5, `lag ${lag} ms`);
  });

  test('concurrent registrations of one email across both instances make exactly one account', async () => {
    const body = { username: `dup_${Date.now()}`, email: `dup${Date.now()}@example.com`, password: 'password123', confirm_password: 'password123' };
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).http('POST', '/api/v1/auth/register', { body })));
    assert.equal(answers.filter((r) => r.status === 201).length, 1);
    assert.ok(
      answers.every((r) => r.status === 201 || r.status === 400),
      answers.map((r) => r.status).join(),
    );
  });

  test('an instance refuses to start on PostgreSQL without a configured JWT_SECRET', () => {
    const r = runCli(['migrate'], { ...env, JWT_SECRET: '' });
    // migrate needs no secret; users does
    assert.equal(r.status, 0, r.stderr);
    const users = runCli(['users', 'list'], { ...env, JWT_SECRET: '' });
    assert.equal(users.status, 2);
    assert.match(users.stderr, /^gatehouse: JWT_SECRET must be set when DATABASE_URL is PostgreSQL/);
  });

  test('an instance refuses to start on PostgreSQL without a configured MFA_ENCRYPTION_KEY', () => {
    // Secrets sealed by one instance must open on every other: a key generated per instance cannot.
    const users = runCli(['users', 'list'], { ...env, MFA_ENCRYPTION_KEY: '' });
    assert.equal(users.status, 2);
    assert.match(users.stderr, /^gatehouse: MFA_ENCRYPTION_KEY must be set when DATABASE_URL is PostgreSQL \(every instance must share it\)$/m);
  });
});
