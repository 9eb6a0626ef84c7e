// Start-up fails fast and plainly: each mistake an operator can make is one
// line naming the setting and the cause, exit code 2, within 10 s; and a
// compose-style start (the database comes up after Gatehouse) waits for it.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { backendUrls, NO_BACKENDS } from '../helpers/backends.ts';
import { CLI, ROOT } from '../helpers/process.ts';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-startup-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function serve(env: Record<string, string>) {
  const started = Date.now();
  const r = spawnSync(process.execPath, [CLI, 'serve'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ENVELOPE_PORT: '0', LOG_LEVEL: 'warn', DATA_DIR: join(dir, 'data'), ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: r.status, stderr: r.stderr, ms: Date.now() - started };
}

function assertOneLine(r: ReturnType<typeof serve>, setting: string, cause: RegExp) {
  const lines = r.stderr.trim().split('\n');
  assert.equal(r.status, 2, r.stderr);
  assert.equal(lines.length, 1, `one line, not a stack trace:\n${r.stderr}`);
  assert.match(lines[0]!, new RegExp(`^gatehouse: ${setting}: `));
  assert.match(lines[0]!, cause);
  assert.ok(r.ms < 10_000, `took ${r.ms} ms`);
}

describe('start-up failures are one line naming the setting, exit 2, within 10 s', () => {
  let busy: Server;
  let busyPort: number;
  before(async () => {
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    busyPort = (busy.address() as { port: number }).port;
  });
  after(() => busy.close());

  test('DATA_DIR is a file', () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    assertOneLine(serve({ DATA_DIR: file }), 'DATA_DIR', /is a file, not a folder/);
  });

  test('DATA_DIR cannot be created (and the start does not spin)', () => {
    assertOneLine(serve({ DATA_DIR: '/proc/gatehouse-nope' }), 'DATA_DIR', /cannot create/);
  });

  test('PORT and ENVELOPE_PORT already in use', () => {
    assertOneLine(serve({ PORT: String(busyPort) }), 'PORT', new RegExp(`port ${busyPort} .* already in use`));
    assertOneLine(serve({ ENVELOPE_PORT: String(busyPort) }), 'ENVELOPE_PORT', /already in use/);
  });

  test('HOST that does not resolve', () => {
    assertOneLine(serve({ HOST: 'no-such-host.invalid' }), 'HOST', /cannot listen on "no-such-host.invalid"/);
  });

  test('PostgreSQL and Redis unreachable, once STARTUP_WAIT_SECONDS is up', () => {
    const pgDown = serve({
      DATABASE_URL: 'postgres://gatehouse@127.0.0.1:1/gatehouse',
      JWT_SECRET: 'startup-secret-startup-secret-startup-1',
      MFA_ENCRYPTION_KEY: 'startup-encryption-key-startup-encryption-1',
      STARTUP_WAIT_SECONDS: '1',
    });
    assertOneLine(pgDown, 'DATABASE_URL', /cannot reach the database \(connect ECONNREFUSED/);
    assertOneLine(serve({ REDIS_URL: 'redis://127.0.0.1:1', STARTUP_WAIT_SECONDS: '1' }), 'REDIS_URL', /cannot connect/);
  });
});

const backends = backendUrls();

describe('a compose-style start waits for PostgreSQL', { skip: backends ? false : NO_BACKENDS }, () => {
  test('two instances started before their role and database exist come up once they do', async () => {
    const role = `gh_late_${process.pid}`;
    const url = new URL(backends!.databaseUrl);
    url.username = role;
    url.password = 'late-password';
    url.pathname = `/${role}`;
    const env = {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: '0',
      ENVELOPE_PORT: '0',
      DATA_DIR: join(dir, 'late'),
      DATABASE_URL: url.toString(),
      JWT_SECRET: 'startup-secret-startup-secret-startup-1',
      MFA_ENCRYPTION_KEY: 'startup-encryption-key-startup-encryption-1',
      STARTUP_WAIT_SECONDS: '30',
      LOG_LEVEL: 'warn',
    };
    const children = [0, 1].map(() => spawn(process.execPath, [CLI, 'serve'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] }));
    const outputs = children.map((child) => {
      let out = '';
      child.stdout!.on('data', (d) => (out += d));
      child.stderr!.on('data', (d) => (out += d));
      return () => out;
    });
    const admin = new pg.Client({ connectionString: backends!.databaseUrl });
    try {
      await new Promise((r) => setTimeout(r, 2000));
      for (const child of children) assert.equal(child.exitCode, null, 'still waiting, not exited');
      await admin.connect();
      await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD 'late-password'`);
      await admin.query(`CREATE DATABASE ${role} OWNER ${role}`);
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && !outputs.every((o) => (o().match(/Gatehouse listening/g) ?? []).length === 2))
        await new Promise((r) => setTimeout(r, 200));
      for (const o of outputs) assert.equal((o().match(/Gatehouse listening/g) ?? []).length, 2, o());
    } finally {
      for (const child of children) child.kill('SIGTERM');
      await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
      await admin.query(`DROP DATABASE IF EXISTS ${role} WITH (FORCE)`).catch(() => {});
      await admin.query(`DROP ROLE IF EXISTS ${role}`).catch(() => {});
      await admin.end();
    }
  });
});
