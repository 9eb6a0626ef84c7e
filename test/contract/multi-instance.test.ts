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

  test('an instance refuses to start on PostgreSQL with HS256 but without a configured JWT_SECRET', () => {
    const r = runCli(['migrate'], { ...env, JWT_SECRET: '', JWT_ALGORITHM: 'HS256' });
    // migrate needs no secret; users does
    assert.equal(r.status, 0, r.stderr);
    // Without JWT_SECRET and JWT_ALGORITHM, a PostgreSQL installation signs ES256 with keys kept in the database.
    assert.equal(runCli(['users', 'list'], { ...env, JWT_SECRET: '' }).status, 0);
    const users = runCli(['users', 'list'], { ...env, JWT_SECRET: '', JWT_ALGORITHM: 'HS256' });
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

describe('signing keys shared by several instances on PostgreSQL', { skip: backends ? false : NO_BACKENDS }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-multi-keys-'));
  let a: ServerProcess;
  let b: ServerProcess;
  let env: Record<string, string>;
  let drop: () => Promise<void>;

  before(async () => {
    const database = await freshDatabase(backends!.databaseUrl);
    drop = database.drop;
    // No JWT_SECRET: a new PostgreSQL installation signs ES256 with keys kept in the database.
    env = { DATA_DIR: dataDir, DATABASE_URL: database.url, MFA_ENCRYPTION_KEY: 'shared-encryption-key-shared-encryption-key-8', LOG_LEVEL: 'warn' };
    [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await drop?.();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const kids = async (server: ServerProcess): Promise<string[]> =>
    (await server.http('GET', '/.well-known/jwks.json')).body.keys.map((k: { kid: string }) => k.kid);
  const login = async (server: ServerProcess, username: string) =>
    (await server.http('POST', '/api/v1/auth/login/json', { body: { username, password: 'password123' } })).body.access_token as string;
  const kidOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid as string;

  test('a rotation made from the command line reaches both instances without a restart; tokens cross over at every moment', async () => {
    const { username } = await registerV1(a.http);
    const before = await login(a, username);
    assert.equal((await b.http('GET', '/api/v1/auth/me', { token: before })).status, 200);
    const rotated = runCli(['keys', 'rotate', '--algorithm', 'ES256'], env);
    assert.equal(rotated.status, 0, rotated.stderr);
    const newKid = /^new ES256 key (\S+):/.exec(rotated.stdout)?.[1];
    assert.ok(newKid);
    // Whichever instance reads the new key first, a token it signs works on the other at once.
    // One round a second: two logins, well within the default rate limits, for as long as the instances take.
    for (let i = 0; i < 60; i++) {
      for (const [from, to] of [
        [a, b],
        [b, a],
      ] as const) {
        const token = await login(from, username);
        assert.equal((await to.http('GET', '/api/v1/auth/me', { token })).status, 200, `signed by ${kidOf(token)}`);
      }
      if ((await kids(a))[0] === newKid && (await kids(b))[0] === newKid) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    assert.equal((await kids(a))[0], newKid);
    assert.equal((await kids(b))[0], newKid);
    assert.equal(kidOf(await login(b, username)), newKid);
    assert.equal((await a.http('GET', '/api/v1/auth/me', { token: before })).status, 200, 'the old key still verifies');
  });
});
