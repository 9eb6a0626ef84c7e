// The documented multi-instance set-up, for real: scripts/local-cluster.sh
// starts PostgreSQL, Redis, two Gatehouse instances and nginx in front. The
// instances sign ES256 with keys in the shared database, and an app backend
// verifies their tokens with docs/verify-tokens.md's snippets through nginx.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { parseEnv } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { backendUrls, NO_BACKENDS } from '../helpers/backends.ts';
import { client } from '../helpers/http.ts';
import { ROOT, runCli } from '../helpers/process.ts';

interface HttpsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTPS request trusting only the cluster's self-signed certificate. */
function https(url: string, ca: Buffer, method = 'GET', body?: object): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, ca, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

// Debian's python3, where python3-jwt lives (a pyenv shim earlier in PATH may lack it).
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const pyjwt = spawnSync(PYTHON, ['-c', 'import jwt, cryptography'], { encoding: 'utf8' }).status === 0;
const nginx = existsSync('/usr/sbin/nginx') || spawnSync('sh', ['-c', 'command -v nginx']).status === 0;
const skip = !backendUrls() ? NO_BACKENDS : !nginx ? 'nginx not installed' : false;

describe('two instances behind nginx (scripts/local-cluster.sh)', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cluster-'));
  chmodSync(dir, 0o755);
  const port = 20000 + (process.pid % 20000);
  // LOG_LEVEL=info: the start-up line saying what signs is an info line.
  const env = { ...process.env, CLUSTER_DIR: dir, LOG_LEVEL: 'info' };
  const http = client(`http://127.0.0.1:${port}`);

  before(async () => {
    execFileSync('scripts/local-cluster.sh', ['start', '2', String(port)], { cwd: ROOT, env, stdio: 'pipe' });
    // As a load balancer's health check would: both instances answer /readyz through nginx before traffic
    // (on a busy machine an instance may say it listens a moment before its storage answers).
    for (let tries = 0; tries < 300; tries++) {
      const answers = await Promise.all(
        [0, 1].map(() =>
          fetch(`http://127.0.0.1:${port}/readyz`).then(
            (r) => r.status,
            () => 0,
          ),
        ),
      );
      if (answers.every((status) => status === 200)) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`nginx at ${port} never answered /readyz: ${readFileSync(join(dir, 'instance-1.log'), 'utf8').slice(-2000)}`);
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

  test('TLS at nginx: https answers, the mailed link is https, the page it opens sets a Secure cookie', async () => {
    const ca = readFileSync(join(dir, 'tls/cert.pem'));
    const base = `https://127.0.0.1:${port + 25}`;
    assert.equal((await https(`${base}/healthz`, ca)).status, 200);
    const forgot = await https(`${base}/api/v1/auth/forgot-password`, ca, 'POST', { email: 'cluster@example.com' });
    assert.equal(forgot.status, 200, forgot.body);
    // The outbox, read with the gatehouse command and the cluster's own settings.
    const settings = parseEnv(readFileSync(join(dir, 'cluster.env'), 'utf8')) as Record<string, string>;
    const mail = runCli(['mail', 'list', '--json'], settings);
    assert.equal(mail.status, 0, mail.stderr);
    const [reset] = JSON.parse(mail.stdout) as { to: string; text: string }[];
    const link = reset!.text.match(/https:\/\/\S+reset-password\?token=[\w-]+/)?.[0];
    assert.ok(link?.startsWith(`${base}/`), reset!.text);
    const page = await https(link!, ca);
    assert.equal(page.status, 200);
    const cookies = [page.headers['set-cookie'] ?? []].flat();
    assert.ok(cookies.length > 0 && cookies.every((cookie) => /;\s*Secure/i.test(cookie)), JSON.stringify(cookies));
  });

  test('the instances sign ES256 with one shared key, say so at start, and publish it at /.well-known/jwks.json', async () => {
    for (const instance of [1, 2]) {
      const log = readFileSync(join(dir, `instance-${instance}.log`), 'utf8');
      assert.match(log, /signing tokens with ES256 \(key [\w-]+, kept in the database\); \/\.well-known\/jwks\.json publishes 1 key/);
      assert.doesNotMatch(log, /HS256/);
    }
    const ca = readFileSync(join(dir, 'tls/cert.pem'));
    const published = JSON.parse((await https(`https://127.0.0.1:${port + 25}/.well-known/jwks.json`, ca)).body) as { keys: { kid: string; alg: string }[] };
    assert.equal(published.keys.length, 1);
    assert.equal(published.keys[0]!.alg, 'ES256');
    // Each instance, asked directly, publishes the same key.
    for (const instance of [1, 2]) {
      const direct = (await (await fetch(`http://127.0.0.1:${port + instance}/.well-known/jwks.json`)).json()) as typeof published;
      assert.deepEqual(
        direct.keys.map((k) => k.kid),
        [published.keys[0]!.kid],
      );
    }
  });

  for (const language of ['node', 'python'] as const) {
    test(`docs/verify-tokens.md's ${language} snippet accepts a token from the cluster, through nginx over TLS`, {
      skip: language === 'python' && !pyjwt ? 'python3-jwt and python3-cryptography are not installed' : false,
    }, async () => {
      const login = await http('POST', '/api/v1/auth/login/json', { body: { username: 'cluster', password: 'password123' } });
      assert.equal(login.status, 200);
      const [command, file] = language === 'node' ? [process.execPath, 'docs/examples/verify-token.mjs'] : [PYTHON, 'docs/examples/verify_token.py'];
      const cert = join(dir, 'tls/cert.pem');
      const r = spawnSync(command, [file, login.body.access_token], {
        cwd: ROOT,
        // The cluster's self-signed certificate is the one authority each trusts here.
        env: { PATH: process.env.PATH ?? '', GATEHOUSE_URL: `https://127.0.0.1:${port + 25}`, NODE_EXTRA_CA_CERTS: cert, SSL_CERT_FILE: cert },
        encoding: 'utf8',
        timeout: 30_000,
      });
      assert.equal(r.status, 0, r.stderr);
      const claims = JSON.parse(r.stdout) as { type: string; sub: string };
      assert.equal(claims.type, 'access');
      const me = await http('GET', '/api/v1/auth/me', { token: login.body.access_token });
      assert.equal(me.status, 200);
    });
  }

  test('one instance down: nginx sends everything to the other', async () => {
    process.kill(Number(readFileSync(join(dir, 'instance-1.pid'), 'utf8')), 'SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (let i = 0; i < 6; i++) {
      const r = await http('POST', '/api/v1/auth/login/json', { body: { username: 'cluster', password: 'password123' } });
      assert.equal(r.status, 200);
    }
  });
});
