// deploy/relying-party.ts, the app deploy/container-smoke.sh signs in against
// the container, run here against a Gatehouse process set up as the container
// is (HOST=0.0.0.0, PUBLIC_URL the address the app uses); and docs/oidc.md's
// word on when an app gets a refresh token, held to what the app gets.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort } from '../helpers/oidc.ts';
import { CLI, ROOT, runCli } from '../helpers/process.ts';

const REDIRECT_URI = 'http://localhost/callback';
const PASSWORD = 'correct-horse-42';

describe('an OpenID Connect app signs in (deploy/relying-party.ts)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-rp-'));
  let env: Record<string, string>;
  let publicUrl: string;
  let child: ReturnType<typeof spawn>;
  let app: { client_id: string; client_secret: string };

  before(async () => {
    const port = await freePort();
    publicUrl = `http://localhost:${port}`;
    // As the image runs it: every address, with the address people use given.
    env = { DATA_DIR: dir, HOST: '0.0.0.0', PORT: String(port), ENVELOPE_PORT: 'off', PUBLIC_URL: publicUrl, LOG_LEVEL: 'warn' };
    child = spawn(process.execPath, [CLI, 'serve'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    while (!out.includes('Gatehouse listening')) {
      if (child.exitCode !== null) throw new Error(`the server exited:\n${out}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const added = runCli(['clients', 'add', '--name', 'Smoke', '--redirect-uri', REDIRECT_URI, '--json'], env);
    assert.equal(added.status, 0, added.stderr);
    app = JSON.parse(added.stdout);
    const registered = await fetch(`${publicUrl}/api/users/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'rp@example.com', password: PASSWORD, first_name: 'Rp' }),
    });
    assert.equal(registered.status, 200);
  });
  after(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    rmSync(dir, { recursive: true, force: true });
  });

  function relyingParty(extra: Record<string, string> = {}) {
    const r = spawnSync(process.execPath, ['deploy/relying-party.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        ISSUER: `${publicUrl}/oidc`,
        CLIENT_ID: app.client_id,
        CLIENT_SECRET: app.client_secret,
        REDIRECT_URI,
        LOGIN: 'rp@example.com',
        PASSWORD,
        ...extra,
      },
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { status: r.status, stderr: r.stderr, result: r.status === 0 ? JSON.parse(r.stdout) : undefined };
  }

  test("discovery, code + PKCE through the pages, the token exchange; the id_token's issuer is PUBLIC_URL/oidc", () => {
    const r = relyingParty();
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.result.iss, `${publicUrl}/oidc`);
    assert.equal(r.result.email, 'rp@example.com');
  });

  test('an app configured with another issuer is refused at discovery (what every app did with http://0.0.0.0:8000/oidc)', () => {
    const r = relyingParty({ ISSUER: `${publicUrl.replace('localhost', '127.0.0.1')}/oidc` });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /issuer/i);
  });

  test('docs/oidc.md: a refresh token with offline_access and prompt=consent, none without the consent prompt', () => {
    const doc = readFileSync(join(ROOT, 'docs/oidc.md'), 'utf8').replace(/\s+/g, ' ');
    assert.match(doc, /A refresh token is issued only when the app asks for the `offline_access` scope with `prompt=consent`/);
    assert.equal(relyingParty({ PROMPT: 'consent' }).result?.refresh_token, true);
    const withoutConsent = relyingParty({ PROMPT: '' });
    assert.equal(withoutConsent.status, 0, withoutConsent.stderr);
    assert.equal(withoutConsent.result.refresh_token, false);
  });
});
