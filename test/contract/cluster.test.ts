// The documented multi-instance set-up, for real: scripts/local-cluster.sh
// starts PostgreSQL, Redis, two Gatehouse instances and nginx in front.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { backendUrls, NO_BACKENDS } from '../helpers/backends.ts';
import { client } from '../helpers/http.ts';
import { ROOT } from '../helpers/process.ts';

const nginx = existsSync('/usr/sbin/nginx') || spawnSync('sh', ['-c', 'command -v nginx']).status === 0;
const skip = !backendUrls() ? NO_BACKENDS : !nginx ? 'nginx not installed' : false;

describe('two instances behind nginx (scripts/local-cluster.sh)', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cluster-'));
  chmodSync(dir, 0o755);
  const port = 20000 + (process.pid % 20000);
  const env = { ...process.env, CLUSTER_DIR: dir };
  const http = client(`http://127.0.0.1:${port}`);

  before(() => {
    execFileSync('scripts/local-cluster.sh', ['start', '2', String(port)], { cwd: ROOT, env, stdio: 'pipe' });
  });
  after(() => {
    spawnSync('scripts/local-cluster.sh', ['stop'], { cwd: ROOT, env });
    rmSync(dir, { recursive: true, force: true });
  });

  test('register, log in, use and end a session through nginx; every instance agrees', async () => {
    const reg = await http('POST', '/api/v1/auth/register', {
      body: { username: 'cluster', email: 'cluster@example.com', password: 'password123', confirm_password: 'password123' },
    });
    assert.equal(reg.status, 201);
    const token = (await http('POST', '/api/v1/auth/login/json', { body: { username: 'cluster', password: 'password123' } })).body.access_token;
    for (let i = 0; i < 6; i++) assert.equal((await http('GET', '/api/v1/auth/me', { token })).status, 200);
    assert.equal((await http('POST', '/api/v1/auth/logout', { token })).status, 200);
    for (let i = 0; i < 6; i++) assert.equal((await http('GET', '/api/v1/auth/me', { token })).status, 401);
  });

  test('one instance down: nginx sends everything to the other', async () => {
    process.kill(Number(readFileSync(join(dir, 'instance-1.pid'), 'utf8')), 'SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (let i = 0; i < 6; i++) {
      const r = await http('POST', '/api/v1/auth/login/json', { body: { username: 'cluster', password: 'password123' } });
      assert.equal(r.status, 200);
    }
  });
});
