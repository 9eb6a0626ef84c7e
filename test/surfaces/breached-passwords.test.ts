// PASSWORD_BREACH_CHECK against a local range server answering like Pwned Passwords: every path
// that sets a password refuses `password123` in its own validation shape (block), accepts it
// with an audit event (warn), and nothing depends on the range server being up.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FormBrowser } from '../helpers/form-browser.ts';
import { CLI, ROOT } from '../helpers/process.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { registerV1, uniqueEmail, uniqueName, waitForResetToken } from '../helpers/users.ts';

const BREACHED = 'password123';
const sha1 = (text: string) => createHash('sha1').update(text).digest('hex').toUpperCase();

/**
 * A range API: the breached passwords' suffixes under their prefix, plus padding lines (count 0) —
 * among them the hashes of `padded`, fine passwords a client must not mistake for breached ones — and what it was asked.
 */
async function rangeServer(breached: string[], padded: string[] = []) {
  const asked: Array<{ path: string; padding: string | undefined }> = [];
  const server: Server = createServer((req, res) => {
    asked.push({ path: req.url ?? '', padding: req.headers['add-padding'] as string | undefined });
    const prefix = (req.url ?? '').split('/').at(-1) ?? '';
    const lines = breached
      .map(sha1)
      .filter((h) => h.startsWith(prefix))
      .map((h) => `${h.slice(5)}:${42}`);
    for (const h of padded.map(sha1).filter((h) => h.startsWith(prefix))) lines.push(`${h.slice(5)}:0`);
    for (let i = 0; i < 5; i++) lines.push(`${createHash('sha1').update(`pad${i}`).digest('hex').toUpperCase().slice(5)}:0`);
    res.writeHead(200, { 'content-type': 'text/plain' }).end(lines.join('\r\n'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/range/`,
    asked,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** `gatehouse ...args` in a child process, without blocking this one (the range server answers from here). */
function cli(args: string[], env: Record<string, string>): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

const FINE = 'a-fine-password-9';

describe('PASSWORD_BREACH_CHECK=block', () => {
  let server: TestServer;
  let range: Awaited<ReturnType<typeof rangeServer>>;
  before(async () => {
    range = await rangeServer([BREACHED], [FINE]);
    server = await startTestServer({ env: { PASSWORD_BREACH_CHECK: 'block', PASSWORD_BREACH_URL: range.url } });
  });
  after(async () => {
    await server.close();
    await range.close();
  });

  test('every register path refuses password123 with its own validation error; another password registers; only 5 hex characters leave, with padding asked for', async () => {
    const email = uniqueEmail();
    const users = await server.http('POST', '/api/users/register', { body: { email, password: BREACHED, first_name: 'A' } });
    assert.equal(users.status, 422);
    assert.match(JSON.stringify(users.body), /appeared in a data breach/);
    const auth = await server.http('POST', '/api/auth/register', { body: { username: uniqueName(), email: uniqueEmail(), password: BREACHED, nickname: 'A' } });
    assert.equal(auth.status, 422);
    assert.match(JSON.stringify(auth.body), /appeared in a data breach/);
    const v1 = await server.http('POST', '/api/v1/auth/register', {
      body: { username: uniqueName(), email: uniqueEmail(), password: BREACHED, confirm_password: BREACHED },
    });
    assert.equal(v1.status, 400);
    assert.match(v1.body.detail, /^参数验证失败: password This password has appeared in a data breach/);
    const envelope = await server.envelopeHttp('POST', '/api/v1/auth/register', { body: { username: uniqueName(), email: uniqueEmail(), password: BREACHED } });
    assert.equal(envelope.status, 400);
    assert.equal(envelope.body.code, 'VALIDATION_ERROR');
    assert.equal(await server.core.accounts.findByEmail(email), null, 'nothing was made');

    // FINE's hash is in the answer as padding (count 0): not breached.
    assert.equal((await server.http('POST', '/api/users/register', { body: { email, password: FINE, first_name: 'A' } })).status, 200);
    assert.ok(range.asked.length >= 5);
    for (const { path, padding } of range.asked) {
      assert.match(path, /^\/range\/[0-9A-F]{5}$/, 'only the prefix of the SHA-1');
      assert.equal(padding, 'true');
    }
    assert.ok(!range.asked.some((a) => a.path.includes(sha1(BREACHED).slice(5))), 'never the rest of the hash');
  });

  test('the CLI: users create and users set-password refuse it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-breach-'));
    try {
      const env = { DATA_DIR: dataDir, PASSWORD_BREACH_CHECK: 'block', PASSWORD_BREACH_URL: range.url };
      const made = await cli(['users', 'create', '--email', 'op@example.com', '--password', BREACHED], env);
      assert.equal(made.status, 1, made.stderr);
      assert.match(made.stderr, /^gatehouse: This password has appeared in a data breach/);
      assert.equal((await cli(['users', 'create', '--email', 'op@example.com', '--password', 'a-fine-password-9'], env)).status, 0);
      const set = await cli(['users', 'set-password', 'op@example.com', '--password', BREACHED], env);
      assert.equal(set.status, 1, set.stderr);
      assert.match(set.stderr, /appeared in a data breach/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('a reset refuses it and leaves the link working; a change refuses it on every surface', async () => {
    const { username, email, password } = await registerV1(server.http, { password: 'a-fine-password-9', confirm_password: 'a-fine-password-9' });
    await server.http('POST', '/api/v1/auth/forgot-password', { body: { email } });
    const token = await waitForResetToken(server.stores.outbox, email);
    const refused = await server.http('POST', '/api/v1/auth/reset-password', { body: { token, new_password: BREACHED } });
    assert.equal(refused.status, 400);
    assert.match(refused.body.detail, /new_password This password has appeared in a data breach/);
    assert.equal((await server.http('POST', '/api/v1/auth/reset-password', { body: { token, new_password: 'another-fine-one-8' } })).status, 200);

    const login = await server.http('POST', '/api/v1/auth/login/json', { body: { username, password: 'another-fine-one-8' } });
    const bearer = login.body.access_token;
    const change = await server.http('POST', '/api/v1/auth/change-password', {
      token: bearer,
      body: { old_password: 'another-fine-one-8', new_password: BREACHED },
    });
    assert.equal(change.status, 400);
    assert.match(change.body.detail, /appeared in a data breach/);
    const legacy = await server.http('POST', '/api/users/reset_password', { body: { email, old_password: 'another-fine-one-8', new_password: BREACHED } });
    assert.equal(legacy.status, 422);
    const authToken = (await server.http('POST', '/api/auth/login', { body: { username, password: 'another-fine-one-8' } })).body.access_token;
    const me = await server.http('PUT', '/api/user/me', { token: authToken, body: { password: BREACHED } });
    assert.equal(me.status, 422);
    assert.ok(password);
    const page = new FormBrowser(server.url);
    await page.request('GET', '/account?lang=en');
    await page.post('/account/sign-in?lang=en', { login: username, password: 'another-fine-one-8' });
    assert.match(page.page, /Your account/);
    await page.post('/account/password?lang=en', { old_password: 'another-fine-one-8', new_password: BREACHED });
    assert.equal(page.status, 400, '/account refuses it too');
    assert.match(page.page, /Some of what was entered is not valid/);
    assert.equal((await server.http('POST', '/api/v1/auth/login/json', { body: { username, password: 'another-fine-one-8' } })).status, 200, 'unchanged');
  });
});

describe('PASSWORD_BREACH_CHECK=warn', () => {
  let server: TestServer;
  let range: Awaited<ReturnType<typeof rangeServer>>;
  before(async () => {
    range = await rangeServer([BREACHED, 'qwertyuiop1']);
    server = await startTestServer({ env: { PASSWORD_BREACH_CHECK: 'warn', PASSWORD_BREACH_URL: range.url } });
  });
  after(async () => {
    await server.close();
    await range.close();
  });

  test('accepts it at registration, a reset and a change, and records password.breached on the account each time', async () => {
    const { username } = await registerV1(server.http, { password: BREACHED, confirm_password: BREACHED });
    const user = (await server.core.accounts.findByUsername(username))!;
    const events = await server.stores.audit.query({ limit: 10, userId: user.id, type: 'password.breached' });
    assert.deepEqual(
      events.map((e) => e.detail),
      ['at registration'],
    );
    const clean = await registerV1(server.http, { password: 'a-fine-password-9', confirm_password: 'a-fine-password-9' });
    const other = (await server.core.accounts.findByUsername(clean.username))!;
    assert.deepEqual(await server.stores.audit.query({ limit: 10, userId: other.id, type: 'password.breached' }), []);

    // A reset and a change to it are accepted too, each recorded.
    await server.http('POST', '/api/v1/auth/forgot-password', { body: { email: clean.email } });
    const token = await waitForResetToken(server.stores.outbox, clean.email);
    assert.equal((await server.http('POST', '/api/v1/auth/reset-password', { body: { token, new_password: BREACHED } })).status, 200);
    const bearer = (await server.http('POST', '/api/v1/auth/login/json', { body: { username: clean.username, password: BREACHED } })).body.access_token;
    const change = await server.http('POST', '/api/v1/auth/change-password', { token: bearer, body: { old_password: BREACHED, new_password: 'qwertyuiop1' } });
    assert.equal(change.status, 200);
    const trail = await server.stores.audit.query({ limit: 10, userId: other.id, type: 'password.breached' });
    assert.deepEqual(trail.map((e) => e.detail).sort(), ['at a change', 'at a reset']);
  });
});

describe('the range API down', () => {
  let server: TestServer;
  before(async () => {
    const range = await rangeServer([BREACHED]);
    await range.close();
    server = await startTestServer({ env: { PASSWORD_BREACH_CHECK: 'block', PASSWORD_BREACH_URL: range.url } });
  });
  after(() => server.close());

  test('registration still works; the failure is logged and counted', async () => {
    await registerV1(server.http, { password: BREACHED, confirm_password: BREACHED });
    assert.ok(server.logs.some((line) => line.includes('breached-password check')));
    const metrics = await server.http('GET', '/metrics');
    assert.match(metrics.text, /gatehouse_password_breach_check_failures_total 1/);
  });
});

describe('the range API failing', () => {
  let server: TestServer;
  let failing: Server;
  before(async () => {
    failing = createServer((_req, res) => res.writeHead(503).end('down for maintenance'));
    await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(failing.address() as AddressInfo).port}/range/`;
    server = await startTestServer({ env: { PASSWORD_BREACH_CHECK: 'block', PASSWORD_BREACH_URL: url } });
  });
  after(async () => {
    await server.close();
    await new Promise<void>((resolve) => failing.close(() => resolve()));
  });

  test('a 503 from it blocks nothing either, and is counted', async () => {
    const envelope = await server.envelopeHttp('POST', '/api/v1/auth/register', { body: { username: uniqueName(), email: uniqueEmail(), password: BREACHED } });
    assert.equal(envelope.status, 201, JSON.stringify(envelope.body));
    assert.match((await server.http('GET', '/metrics')).text, /gatehouse_password_breach_check_failures_total 1/);
  });
});
