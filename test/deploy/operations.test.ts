// docs/operations.md's commands, run as printed, in a fresh production install
// (a copy of the project, `npm install --omit=dev`, the machine's own Node
// first in PATH). Every shell block of the document is listed below: run here,
// or the reason it cannot run on a test machine (and what checks it instead).
// A new block fails this test until it is listed.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { backendUrls, freshDatabase } from '../helpers/backends.ts';
import { ROOT } from '../helpers/process.ts';

const doc = readFileSync(join(ROOT, 'docs/operations.md'), 'utf8');
const blocks = [...doc.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!.trim());

type Plan = { run: 'serve' | 'once'; needs?: 'postgres' | 'sqlite3' } | { skip: string };
/** Keyed by each block's first line. */
const PLANS: Record<string, Plan> = {
  'npm install && npm start': { skip: "the README's own command: .ci/run runs `npm install`, and every server test starts the server this way" },
  'npm install --omit=dev': { run: 'serve' },
  'node_modules/.bin/node --max-semi-space-size=4 src/cli/gatehouse.ts doctor': { run: 'once' },
  'useradd --system --home-dir /var/lib/gatehouse --shell /usr/sbin/nologin gatehouse': {
    skip: 'needs root and systemd running as process 1; test/deploy/systemd.test.ts verifies the unit with systemd-analyze',
  },
  'apt-get install podman buildah mmdebstrap runc slirp4netns uidmap': { skip: '.ci/run installs these and runs deploy/container-smoke.sh' },
  'podman build --format docker -t localhost/gatehouse .': { skip: 'needs the base image; deploy/container-smoke.sh builds and runs the same image' },
  'printf \'POSTGRES_PASSWORD=%s\\nJWT_SECRET=%s\\nMFA_ENCRYPTION_KEY=%s\\n\' "$(openssl rand -hex 24)" "$(openssl rand -base64 48 | tr -d \'\\n\')" "$(openssl rand -base64 48 | tr -d \'\\n\')" > .env':
    { run: 'once' },
  'PORT=8001 ENVELOPE_PORT=5001 npm start &': { skip: 'fixed ports; test/contract/startup.test.ts checks what a second instance on the same ports says' },
  "apt-get install postgresql redis-server nginx    # Debian's packages": { skip: 'test/contract/cluster.test.ts runs scripts/local-cluster.sh' },
  'export DATABASE_URL=postgres://gatehouse:secret@db.internal:5432/gatehouse   # the new, empty database': { run: 'once', needs: 'postgres' },
  'npx gatehouse keys list            # kid, algorithm, state (signing / verifying / expired / retired), until when': {
    skip: 'test/cli/keys.test.ts runs keys list, rotate and retire against a running server',
  },
  'sqlite3 data/gatehouse.db ".backup data/backup-$(date +%F).db"': { run: 'once', needs: 'sqlite3' },
  'pg_dump --format=custom --file=gatehouse-$(date +%F).dump "$DATABASE_URL"': { run: 'once', needs: 'postgres' },
  'pg_restore --clean --if-exists --dbname="$DATABASE_URL" gatehouse-2026-11-21.dump': { run: 'once', needs: 'postgres' },
};

const npm = spawnSync('npm', ['--version']).status === 0;
const sqlite3 = spawnSync('sqlite3', ['--version']).status === 0;
const backends = npm ? backendUrls() : null;
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-operations-'));
const install = join(dir, 'gatehouse');
// The machine's PATH without any node_modules/.bin: the Node found first is the machine's own.
const PATH = (process.env.PATH ?? '')
  .split(delimiter)
  .filter((entry) => !entry.includes('node_modules'))
  .join(delimiter);
const env: Record<string, string> = { PATH, HOME: process.env.HOME ?? dir, npm_config_prefer_offline: 'true', npm_config_update_notifier: 'false' };
let database: Awaited<ReturnType<typeof freshDatabase>> | undefined;
after(async () => {
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** Example values a deployer replaces, and what they become here. */
function substitute(block: string): string {
  const today = new Date().toISOString().slice(0, 10);
  return block
    .replace('postgres://gatehouse:secret@db.internal:5432/gatehouse', database?.url ?? '')
    .replace('gatehouse-2026-11-21.dump', `gatehouse-${today}.dump`);
}

function runOnce(block: string) {
  const vars = database ? { ...env, DATABASE_URL: database.url } : env;
  const r = spawnSync('bash', ['--norc', '--noprofile', '-euo', 'pipefail', '-c', substitute(block)], {
    cwd: install,
    env: vars,
    encoding: 'utf8',
    timeout: 300_000,
  });
  assert.equal(r.status, 0, `${block}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Runs a block that ends by starting the server: waits for both listeners, checks it, then stops it with SIGTERM. */
async function runServe(block: string) {
  const child = spawn('bash', ['--norc', '--noprofile', '-euo', 'pipefail', '-c', block], {
    cwd: install,
    env: { ...env, PORT: '0', ENVELOPE_PORT: '0', HOST: '127.0.0.1' },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  // Closed once every process of the block (bash, npm, node) has exited.
  const closed = Promise.all([child.stdout, child.stderr].map((stream) => new Promise((resolve) => stream.once('close', resolve))));
  // However long the install takes on a busy machine: the block either listens or exits.
  while (child.exitCode === null && (out.match(/Gatehouse listening on/g) ?? []).length < 2) await new Promise((r) => setTimeout(r, 200));
  assert.equal((out.match(/Gatehouse listening on/g) ?? []).length, 2, out);
  const url = out.match(/Gatehouse listening on (http:\/\/\S+) \(PORT/)![1]!;
  assert.equal((await fetch(`${url}/healthz`)).status, 200);
  const registered = await fetch(`${url}/api/users/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'ops@example.com', password: 'correct-horse-42', first_name: 'Ops' }),
  });
  assert.equal(registered.status, 200);
  process.kill(-child.pid!, 'SIGTERM');
  await closed;
  assert.match(out, /shutting down/, `the server handled SIGTERM:\n${out}`);
  return out;
}

describe('docs/operations.md, as printed', { skip: npm ? false : 'npm not installed' }, () => {
  test('every shell block is either run below or says why not', () => {
    const unlisted = blocks.filter((block) => !PLANS[block.split('\n')[0]!]);
    assert.deepEqual(unlisted, []);
  });

  for (const block of blocks) {
    const plan = PLANS[block.split('\n')[0]!];
    if (!plan) continue;
    const name = block.split('\n')[0]!;
    if ('skip' in plan) {
      test(name, { skip: plan.skip }, () => {});
      continue;
    }
    const skip = plan.needs === 'postgres' && !backends ? 'PostgreSQL not available' : plan.needs === 'sqlite3' && !sqlite3 ? 'sqlite3 not installed' : false;
    test(name, { skip, timeout: 600_000 }, async () => {
      if (plan.needs === 'postgres') database ??= await freshDatabase(backends!.databaseUrl);
      if (plan.run === 'serve') {
        // A production install: the project's files only, no node_modules.
        // scripts/: `npm install` runs the build script (prepare), which leaves the sources as they are without TypeScript.
        for (const part of ['package.json', 'package-lock.json', 'bin', 'scripts', 'src', 'deploy', 'docs'])
          cpSync(join(ROOT, part), join(install, part), { recursive: true });
        await runServe(block);
        assert.ok(existsSync(join(install, 'node_modules/node/bin/node')), 'Node 24 installed as a production dependency');
        for (const devOnly of ['typescript', '@biomejs', 'playwright-core'])
          assert.ok(!existsSync(join(install, 'node_modules', devOnly)), `${devOnly} installed`);
        return;
      }
      const out = runOnce(block);
      if (name.includes('doctor')) assert.match(out, /all checks passed/);
      if (name.startsWith('printf')) {
        assert.match(readFileSync(join(install, '.env'), 'utf8'), /^POSTGRES_PASSWORD=\w+\nJWT_SECRET=\S{40,}\nMFA_ENCRYPTION_KEY=\S{40,}\n$/);
        assert.ok(existsSync(join(install, 'deploy/tls/cert.pem')));
      }
      if (name.startsWith('sqlite3')) assert.ok(readdirSync(join(install, 'data')).some((f) => f.startsWith('backup-')));
      if (name.startsWith('export DATABASE_URL')) assert.match(out, /^copied users 1, totp_factors 0, .*signing_keys [1-9]/m);
    });
  }
});
