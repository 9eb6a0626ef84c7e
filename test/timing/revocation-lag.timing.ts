// How late an instance learns of a logout made on another: a wall-clock bound, so it
// lives here (run alone, after the other tests) and not in the parallel pass. The
// ordering guarantee itself (never honoured again once refused) is asserted in
// test/contract/multi-instance.test.ts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { backendUrls, freshDatabase, freshPrefix, NO_BACKENDS } from '../helpers/backends.ts';
import { startServerProcess, type ServerProcess } from '../helpers/process.ts';
import { registerV1 } from '../helpers/users.ts';

const backends = backendUrls();

describe('revocation lag across two instances on PostgreSQL + Redis', { skip: backends ? false : NO_BACKENDS }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-lag-'));
  let a: ServerProcess;
  let b: ServerProcess;
  let drop: () => Promise<void>;
  before(async () => {
    const database = await freshDatabase(backends!.databaseUrl);
    drop = database.drop;
    const env = {
      DATA_DIR: dataDir,
      DATABASE_URL: database.url,
      REDIS_URL: backends!.redisUrl,
      REDIS_PREFIX: freshPrefix(),
      JWT_SECRET: 'shared-secret-shared-secret-shared-secret-42',
      MFA_ENCRYPTION_KEY: 'shared-encryption-key-shared-encryption-key-4',
      LOG_LEVEL: 'warn',
    };
    [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await drop?.();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('a logout on one is honoured by the other within 5 ms, while 50 connections hammer /me', async () => {
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
});
