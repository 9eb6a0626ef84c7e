// Start-up fails fast and plainly: each mistake an operator can make is one
// line naming the setting and the cause, exit code 2 (no wait: a start that
// hangs is killed by spawnSync's timeout and fails on its status); and a
// compose-style start (the database comes up after Gatehouse) waits for it.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { backendUrls, NO_BACKENDS } from '../helpers/backends.ts';
import { CLI, ROOT } from '../helpers/process.ts';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-startup-'));
// Made beforehand: a first start also says on stderr that it created the data folder.
mkdirSync(join(dir, 'data'));
after(() => rmSync(dir, { recursive: true, force: true }));

const serveEnv = (env: Record<string, string>) => ({
  PATH: process.env.PATH ?? '',
  HOST: '127.0.0.1',
  PORT: '0',
  ENVELOPE_PORT: '0',
  LOG_LEVEL: 'warn',
  DATA_DIR: join(dir, 'data'),
  ...env,
});

function serve(env: Record<string, string>) {
  const r = spawnSync(process.execPath, [CLI, 'serve'], { cwd: ROOT, env: serveEnv(env), encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stderr: r.stderr };
}

/** The same, without blocking this process (which may be playing the database server). */
async function serveAsync(env: Record<string, string>): Promise<ReturnType<typeof serve>> {
  const child = spawn(process.execPath, [CLI, 'serve'], { cwd: ROOT, env: serveEnv(env), stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const status = await new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { status, stderr };
}

/**
 * Speaks just enough of PostgreSQL's protocol to ask for a password and refuse it,
 * with PostgreSQL's own error (severity FATAL, code 28P01).
 */
async function refusingPostgres(): Promise<{ port: number; passwordsAsked(): number; close(): Promise<void> }> {
  const message = (type: string, body: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeInt32BE(body.length + 4);
    return Buffer.concat([Buffer.from(type), length, body]);
  };
  const field = (type: string, value: string) => Buffer.from(`${type}${value}\0`);
  let asked = 0;
  const server = createServer((socket) => {
    let pending = Buffer.alloc(0);
    let started = false;
    socket.on('error', () => {});
    socket.on('data', (data) => {
      pending = Buffer.concat([pending, data]);
      if (!started) {
        if (pending.length < 8 || pending.length < pending.readInt32BE(0)) return;
        const code = pending.readInt32BE(4);
        pending = pending.subarray(pending.readInt32BE(0));
        // An SSLRequest: no TLS here, as a server without it answers.
        if (code === 80877103) return void socket.write('N');
        started = true;
        asked++;
        const cleartext = Buffer.alloc(4);
        cleartext.writeInt32BE(3);
        return void socket.write(message('R', cleartext));
      }
      if (pending[0] === 0x70 /* p: the password */)
        socket.end(
          message(
            'E',
            Buffer.concat([
              field('S', 'FATAL'),
              field('V', 'FATAL'),
              field('C', '28P01'),
              field('M', 'password authentication failed for user "gatehouse"'),
              Buffer.from([0]),
            ]),
          ),
        );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    passwordsAsked: () => asked,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function assertOneLine(r: ReturnType<typeof serve>, setting: string, cause: RegExp) {
  // Besides the "waiting for ..." lines said while a backend is awaited (tested below).
  const lines = r.stderr
    .trim()
    .split('\n')
    .filter((line) => !line.startsWith('gatehouse: waiting for '));
  assert.equal(r.status, 2, r.stderr);
  assert.equal(lines.length, 1, `one line, not a stack trace:\n${r.stderr}`);
  assert.match(lines[0]!, new RegExp(`^gatehouse: ${setting}: `));
  assert.match(lines[0]!, cause);
}

describe('start-up failures are one line naming the setting, exit 2', () => {
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

  test('PORT and ENVELOPE_PORT already in use (the envelope listener can be switched off)', () => {
    assertOneLine(serve({ PORT: String(busyPort) }), 'PORT', new RegExp(`port ${busyPort} .* already in use`));
    assertOneLine(
      serve({ ENVELOPE_PORT: String(busyPort) }),
      'ENVELOPE_PORT',
      /already in use \(each instance on a host needs its own PORT and ENVELOPE_PORT, or ENVELOPE_PORT=off\)/,
    );
  });

  test('HOST 0.0.0.0 or :: without PUBLIC_URL, whatever SURFACES is: the issuer, links and passkeys would name an address no one can open', () => {
    for (const [host, surfaces] of [
      ['0.0.0.0', undefined],
      ['::', undefined],
      ['[::]', 'users'],
      ['0.0.0.0', 'catalog'],
    ] as const) {
      const r = serve({ HOST: host, ...(surfaces ? { SURFACES: surfaces } : {}) });
      assertOneLine(r, 'PUBLIC_URL', new RegExp(`must be set when HOST is ${host.replace(/[[\]]/g, '\\$&')}`));
    }
  });

  test('DATABASE_URL: a sqlite: file in a folder that does not exist (no new, empty installation made there)', () => {
    const missing = join(dir, 'no-such-folder', 'gatehouse.db');
    assertOneLine(serve({ DATABASE_URL: `sqlite:${missing}` }), 'DATABASE_URL', /the folder .*no-such-folder does not exist/);
    assert.ok(!existsSync(join(dir, 'no-such-folder')), 'the folder was not created');
  });

  test('DATABASE_URL of another kind names every accepted form, memory: included', () => {
    assertOneLine(serve({ DATABASE_URL: 'mysql://gatehouse@127.0.0.1/gatehouse' }), 'DATABASE_URL', /sqlite: or postgres:\/\/ \(or be memory:/);
  });

  test('a wrong PostgreSQL password (28P01) ends the start at once: one line, exit 2, so the unit does not restart it', async () => {
    // The test PostgreSQL trusts every local connection, so a password is never checked there: a
    // server of this test's own asks for one and refuses it as PostgreSQL does (ErrorResponse, 28P01).
    const fake = await refusingPostgres();
    try {
      const r = await serveAsync({
        DATABASE_URL: `postgres://gatehouse:wrong-password@127.0.0.1:${fake.port}/gatehouse`,
        MFA_ENCRYPTION_KEY: 'startup-encryption-key-startup-encryption-1',
        STARTUP_WAIT_SECONDS: '600',
      });
      assertOneLine(r, 'DATABASE_URL', /refused: password authentication failed for user "gatehouse"/);
      assert.doesNotMatch(r.stderr, /wrong-password/);
      assert.ok(fake.passwordsAsked() >= 1, 'the server asked for the password');
    } finally {
      await fake.close();
    }
  });

  test('TRUST_PROXY=true (any client could choose its address) names the safe forms', () => {
    assertOneLine(serve({ TRUST_PROXY: 'true' }), 'TRUST_PROXY', /a hop count .* addresses\/CIDRs/);
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
    assert.match(pgDown.stderr, /^gatehouse: waiting for PostgreSQL at 127\.0\.0\.1:1 \(1 s left\)$/m);
    assertOneLine(serve({ REDIS_URL: 'redis://127.0.0.1:1', STARTUP_WAIT_SECONDS: '1' }), 'REDIS_URL', /cannot connect/);
  });
});

const backends = backendUrls();

describe('start-up talks: it says what it waits for, and stops at once on what no wait will fix', { skip: backends ? false : NO_BACKENDS }, () => {
  const secret = 'startup-secret-startup-secret-startup-1';
  // STARTUP_WAIT_SECONDS=600: a refusal that were waited on would outlast spawnSync's timeout and fail on its status.
  const key = 'startup-encryption-key-startup-encryption-1';
  const refused = (databaseUrl: string) => serve({ DATABASE_URL: databaseUrl, JWT_SECRET: secret, MFA_ENCRYPTION_KEY: key, STARTUP_WAIT_SECONDS: '600' });

  test("a missing role, a missing database, TLS refused: exit 2 in the server's own words", () => {
    const url = new URL(backends!.databaseUrl);
    const withRole = new URL(url);
    withRole.username = `gh_nobody_${process.pid}`;
    assertOneLine(refused(withRole.toString()), 'DATABASE_URL', /refused: role "gh_nobody_\d+" does not exist/);
    const withDatabase = new URL(url);
    withDatabase.pathname = `/gh_nodb_${process.pid}`;
    assertOneLine(refused(withDatabase.toString()), 'DATABASE_URL', /refused: database "gh_nodb_\d+" does not exist/);
    // The test server has no TLS; a URL that demands it is refused by the server's answer.
    const withTls = new URL(url);
    withTls.searchParams.set('sslmode', 'no-verify');
    withTls.searchParams.set('ssl', 'true');
    assertOneLine(refused(withTls.toString()), 'DATABASE_URL', /refused: The server does not support SSL connections/);
  });

  test('PostgreSQL that comes up later: "waiting for PostgreSQL at host:port (n s left)", then the server starts', async () => {
    // A port nothing listens on yet; later, a forwarder to the test server opens on it.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const target = new URL(backends!.databaseUrl);
    const url = new URL(backends!.databaseUrl);
    url.host = `127.0.0.1:${port}`;
    const child = spawn(process.execPath, [CLI, 'serve'], {
      cwd: ROOT,
      env: serveEnv({ DATABASE_URL: url.toString(), JWT_SECRET: secret, MFA_ENCRYPTION_KEY: key, STARTUP_WAIT_SECONDS: '600' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    let forwarder: Server | undefined;
    try {
      while (child.exitCode === null && !out.includes('waiting for PostgreSQL')) await new Promise((r) => setTimeout(r, 100));
      assert.match(out, new RegExp(`gatehouse: waiting for PostgreSQL at 127\\.0\\.0\\.1:${port} \\(\\d+ s left\\)`));
      forwarder = createServer((socket) => {
        const upstream = connect(Number(target.port), target.hostname);
        socket.pipe(upstream).pipe(socket);
        socket.on('error', () => upstream.destroy());
        upstream.on('error', () => socket.destroy());
      });
      await new Promise<void>((resolve) => forwarder!.listen(port, '127.0.0.1', resolve));
      while (child.exitCode === null && (out.match(/Gatehouse listening/g) ?? []).length < 2) await new Promise((r) => setTimeout(r, 100));
      assert.equal((out.match(/Gatehouse listening/g) ?? []).length, 2, out);
      // Settings are named (the signing line names JWT_SECRET), their values never.
      assert.doesNotMatch(out, /password/i);
      for (const value of [secret, key]) assert.ok(!out.includes(value), 'a secret in the output');
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
      forwarder?.close();
    }
  });

  const redisServer = spawnSync('redis-server', ['--version']).status === 0;
  test("Redis: waiting says so; a refused password stops at once with the server's words", {
    skip: redisServer ? false : 'redis-server not installed',
  }, async () => {
    const waited = serve({ REDIS_URL: 'redis://127.0.0.1:1', STARTUP_WAIT_SECONDS: '3' });
    assert.match(waited.stderr, /^gatehouse: waiting for Redis at 127\.0\.0\.1:1 \(\d+ s left\)$/m);
    assert.match(waited.stderr, /^gatehouse: REDIS_URL: cannot connect/m);
    // A Redis of this test's own, with a password.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const redis = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--requirepass', 'right-password', '--save', '', '--appendonly', 'no'],
      {
        cwd: dir,
        stdio: 'ignore',
      },
    );
    try {
      for (let ready = false; !ready; ) {
        ready =
          spawnSync('redis-cli', ['-p', String(port), '--no-auth-warning', '-a', 'right-password', 'ping'], { encoding: 'utf8' }).stdout?.trim() === 'PONG';
        if (!ready) await new Promise((r) => setTimeout(r, 100));
      }
      const r = serve({ REDIS_URL: `redis://:wrong-password@127.0.0.1:${port}`, STARTUP_WAIT_SECONDS: '600' });
      assertOneLine(r, 'REDIS_URL', /WRONGPASS/);
      assert.doesNotMatch(r.stderr, /wrong-password/);
    } finally {
      redis.kill('SIGTERM');
    }
  });
});
