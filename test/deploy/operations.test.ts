// docs/operations.md's commands, run as printed, in a fresh production install
// (a copy of the project, `npm install --omit=dev`, the machine's own Node
// first in PATH). Every shell block of the document is listed below: run here,
// or the test or script that covers it where a test machine cannot run it
// (root, systemd as process 1, fixed ports), which the page names in the
// block's own section. A new block fails this test until it is listed.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { backendUrls, freshDatabase } from '../helpers/backends.ts';
import { ROOT } from '../helpers/process.ts';

const doc = readFileSync(join(ROOT, 'docs/operations.md'), 'utf8');
const blocks = [...doc.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!.trim());

type Plan = { run: 'serve' | 'once' | 'install'; needs?: 'postgres' | 'sqlite3' } | { skip: string; coveredBy: string[] };
/** Keyed by each block's first line. */
const CONTAINER = 'deploy/container-smoke.sh runs it as printed (in a podman storage of its own); .ci/run runs that after npm test';
const PLANS: Record<string, Plan> = {
  'npm install && npm start': {
    skip: "the README's own command, with dev tooling: .ci/run runs `npm install`; the production install's block below runs the same start",
    coveredBy: ['test/deploy/operations.test.ts'],
  },
  'npm install --omit=dev': { run: 'serve' },
  'node_modules/.bin/node --max-semi-space-size=4 src/cli/gatehouse.ts doctor': { run: 'once' },
  'mkdir -p /opt/gatehouse && git archive HEAD | tar -x -C /opt/gatehouse': { run: 'install' },
  'useradd --system --home-dir /var/lib/gatehouse --shell /usr/sbin/nologin gatehouse': {
    skip: 'needs root and systemd running as process 1; the install block above is run here and the unit verified against it',
    coveredBy: ['test/deploy/operations.test.ts'],
  },
  'apt-get install podman buildah mmdebstrap runc slirp4netns uidmap': { skip: '.ci/run installs these', coveredBy: ['deploy/container-smoke.sh'] },
  'nofile=$(ulimit -Hn) nproc=$(ulimit -Hu) pid_max=$(cat /proc/sys/kernel/pid_max)': { skip: CONTAINER, coveredBy: ['deploy/container-smoke.sh'] },
  "mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources)": { skip: CONTAINER, coveredBy: ['deploy/container-smoke.sh'] },
  'podman build --format docker -t localhost/gatehouse .': { skip: CONTAINER, coveredBy: ['deploy/container-smoke.sh'] },
  'printf \'POSTGRES_PASSWORD=%s\\nMFA_ENCRYPTION_KEY=%s\\n\' "$(openssl rand -hex 24)" "$(openssl rand -base64 48 | tr -d \'\\n\')" > .env': { run: 'once' },
  'PORT=8001 ENVELOPE_PORT=5001 npm start &': {
    skip: 'fixed ports: the startup test checks what a second instance on the same ports says',
    coveredBy: ['test/contract/startup.test.ts'],
  },
  "apt-get install postgresql redis-server nginx    # Debian's packages": {
    skip: 'the cluster test runs scripts/local-cluster.sh as printed',
    coveredBy: ['test/contract/cluster.test.ts'],
  },
  'export DATABASE_URL=postgres://gatehouse:secret@db.internal:5432/gatehouse   # the new, empty database': { run: 'once', needs: 'postgres' },
  'npx gatehouse keys list            # kid, algorithm, state (signing / verifying / expired / retired), until when': {
    skip: 'keys list, rotate and retire run against a running server there',
    coveredBy: ['test/cli/keys.test.ts'],
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

/**
 * The systemd section's install, from this checkout into a folder standing for
 * /opt/gatehouse (`git archive HEAD`: the committed files), then the unit as
 * the next block installs it, pointed at that folder: systemd-analyze verify
 * accepts it (its ExecStart among what it checks), and its ExecStart, run from
 * its WorkingDirectory, is the gatehouse command.
 */
function installForSystemd(block: string) {
  const opt = join(dir, 'opt', 'gatehouse');
  const r = spawnSync('bash', ['--norc', '--noprofile', '-euo', 'pipefail', '-c', block.replaceAll('/opt/gatehouse', opt)], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: 600_000,
  });
  assert.equal(r.status, 0, `${block}\n${r.stdout}\n${r.stderr}`);
  for (const devOnly of ['typescript', '@biomejs', 'playwright-core']) assert.ok(!existsSync(join(opt, 'node_modules', devOnly)), `${devOnly} installed`);
  for (const local of ['.env', 'data']) assert.ok(!existsSync(join(opt, local)), `the checkout's ${local} was copied`);
  const unit = readFileSync(join(opt, 'deploy/gatehouse.service'), 'utf8').replaceAll('/opt/gatehouse', opt);
  const [, exec = ''] = unit.match(/^ExecStart=(.*)$/m) ?? [];
  const [command = '', ...args] = exec.split(' ');
  const ran = spawnSync(command, [...args.slice(0, -1), '--help'], { cwd: opt, env: { PATH }, encoding: 'utf8', timeout: 120_000 });
  assert.equal(ran.status, 0, `${exec}\n${ran.stderr}`);
  assert.match(ran.stdout, /^Usage: gatehouse <command>/);
  if (spawnSync('systemd-analyze', ['--version']).status !== 0) return;
  writeFileSync(join(dir, 'gatehouse.service'), unit);
  const verified = spawnSync('systemd-analyze', ['verify', join(dir, 'gatehouse.service')], { encoding: 'utf8' });
  assert.equal(verified.status, 0, verified.stderr);
  assert.equal(verified.stderr.trim(), '', 'any word from systemd is a mistake in the unit');
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

  test('the settings every instance of a cluster shares: each once, ES256 with keys in the database, no JWT_SECRET; the table has one row per setting', () => {
    const section = doc.slice(doc.indexOf('## Several instances: PostgreSQL + Redis'));
    const ini = section.match(/^```ini\n([\s\S]*?)^```$/m)![1]!;
    const names = [...ini.matchAll(/^([A-Z_]+)=/gm)].map((m) => m[1]!);
    assert.deepEqual(names, [...new Set(names)], 'a setting repeated');
    // Placeholders (<at least 32 random bytes ...>) filled as an operator would; comments dropped.
    const settings = Object.fromEntries(
      ini
        .split('\n')
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => {
          const [name = '', value = ''] = line.replace(/\s+#.*$/, '').split(/=(.*)/);
          return [name, value.startsWith('<') ? 'r'.repeat(48) : value];
        }),
    );
    const config = loadConfig(settings);
    assert.equal(config.database.kind, 'postgres');
    assert.equal(config.jwtAlgorithm, 'ES256');
    assert.equal(config.jwtSecret, null);
    assert.ok(config.encryptionKey);
    assert.ok(config.redisUrl);
    assert.ok(config.trustProxy);
    assert.match(config.publicUrl, /^https:\/\//);
    const table = section.slice(section.indexOf('### What each setting does at scale'));
    const rows = [...table.matchAll(/^\| `([A-Z_]+)`/gm)].map((m) => m[1]!);
    assert.ok(rows.length > 3);
    assert.deepEqual(rows, [...new Set(rows)], 'a setting with two rows');
  });

  test("a block not run here is covered by a test or script that exists and that the block's section of the page names", () => {
    const unnamed: string[] = [];
    for (const block of blocks) {
      const plan = PLANS[block.split('\n')[0]!];
      if (!plan || !('skip' in plan)) continue;
      assert.ok(plan.coveredBy.length > 0, block);
      const at = doc.indexOf(block);
      const start = doc.lastIndexOf('\n#', at);
      const end = doc.indexOf('\n#', at + block.length);
      const section = doc.slice(start, end === -1 ? undefined : end);
      for (const file of plan.coveredBy) {
        assert.ok(existsSync(join(ROOT, file)), `${file} does not exist`);
        if (!section.includes(file)) unnamed.push(`${block.split('\n')[0]} → ${file}`);
      }
    }
    assert.deepEqual(unnamed, [], 'the section of these blocks does not name the test covering them');
  });

  for (const block of blocks) {
    const plan = PLANS[block.split('\n')[0]!];
    if (!plan) continue;
    const name = block.split('\n')[0]!;
    if ('skip' in plan) {
      test(name, { skip: `${plan.skip} (${plan.coveredBy.join(', ')})` }, () => {});
      continue;
    }
    const skip = plan.needs === 'postgres' && !backends ? 'PostgreSQL not available' : plan.needs === 'sqlite3' && !sqlite3 ? 'sqlite3 not installed' : false;
    test(name, { skip, timeout: 600_000 }, async () => {
      if (plan.needs === 'postgres') database ??= await freshDatabase(backends!.databaseUrl);
      if (plan.run === 'install') return installForSystemd(block);
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
        // No JWT_SECRET: the instances sign ES256 with keys kept in PostgreSQL.
        assert.match(readFileSync(join(install, '.env'), 'utf8'), /^POSTGRES_PASSWORD=\w+\nMFA_ENCRYPTION_KEY=\S{40,}\n$/);
        assert.ok(existsSync(join(install, 'deploy/tls/cert.pem')));
      }
      if (name.startsWith('sqlite3')) assert.ok(readdirSync(join(install, 'data')).some((f) => f.startsWith('backup-')));
      if (name.startsWith('export DATABASE_URL')) assert.match(out, /^copied users 1, totp_factors 0, .*signing_keys [1-9]/m);
    });
  }
});
