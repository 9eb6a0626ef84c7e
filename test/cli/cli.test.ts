import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli, startServerProcess } from '../helpers/process.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));
const env = { DATA_DIR: dataDir };
const oneLine = (text: string) => text.trim().split('\n').length === 1;

describe('gatehouse CLI', () => {
  test('migrate creates the schema, then says it is up to date', () => {
    const first = runCli(['migrate'], env);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /applied: 0001-accounts-and-sessions/);
    const second = runCli(['migrate'], env);
    assert.equal(second.status, 0);
    assert.match(second.stdout, /database is up to date/);
  });

  test('users create / list / show, and the bad-input errors', () => {
    const made = runCli(['users', 'create', '--email', 'Op@Example.com', '--password', 'operator-pass-1', '--first-name', 'Op', '--json'], env);
    assert.equal(made.status, 0, made.stderr);
    const user = JSON.parse(made.stdout);
    assert.equal(user.email, 'op@example.com');
    assert.equal(user.passwordHash, undefined);

    const list = runCli(['users', 'list', '--json'], env);
    assert.equal(list.status, 0);
    assert.ok(JSON.parse(list.stdout).some((u: { uuid: string }) => u.uuid === user.uuid));

    const table = runCli(['users', 'list'], env).stdout.trimEnd().split('\n');
    assert.equal(table[0], 'id\tuuid\temail\tusername\tstatus');
    assert.ok(table.slice(1).some((row) => row.split('\t')[1] === user.uuid && row.split('\t')[2] === 'op@example.com'));

    const show = runCli(['users', 'show', user.uuid, '--json'], env);
    assert.equal(JSON.parse(show.stdout).email, 'op@example.com');

    const dup = runCli(['users', 'create', '--email', 'op@example.com', '--password', 'operator-pass-1'], env);
    assert.equal(dup.status, 1);
    assert.ok(oneLine(dup.stderr));
    assert.match(dup.stderr, /^gatehouse: an account with this email already exists/);

    const weak = runCli(['users', 'create', '--email', 'weak@example.com', '--password', 'short'], env);
    assert.notEqual(weak.status, 0);
    assert.match(weak.stderr, /^gatehouse: Password must have at least 8 characters/);

    for (const args of [
      ['users'],
      ['users', 'frobnicate'],
      ['users', 'create', '--password', 'operator-pass-1'],
      ['users', 'show', 'nobody@example.com'],
      ['users', 'list', '--limit', 'ten'],
      ['users', 'list', '--bogus'],
      ['nonsense'],
    ]) {
      const r = runCli(args, env);
      assert.equal(r.status, 2, args.join(' '));
      assert.ok(oneLine(r.stderr), r.stderr);
      assert.match(r.stderr, /^gatehouse: /);
    }
  });

  test('mail list prints the outbox; bad input is one line', async () => {
    const empty = runCli(['mail', 'list'], env);
    assert.equal(empty.status, 0, empty.stderr);
    assert.ok(runCli(['users', 'create', '--email', 'mail@example.com', '--password', 'operator-pass-1'], env).status === 0);
    const server = await startServerProcess(env);
    try {
      await server.http('POST', '/api/v1/auth/forgot-password', { body: { email: 'mail@example.com' } });
      let listed = '';
      for (let i = 0; i < 50 && !listed.includes('mail@example.com'); i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        listed = runCli(['mail', 'list', '--json'], env).stdout;
      }
      const [mail] = JSON.parse(listed);
      assert.equal(mail.to, 'mail@example.com');
      assert.match(mail.text, /Reset token: [A-Za-z0-9_-]{43}/);
      // the log says where the mail went, without the token
      assert.doesNotMatch(await server.logged(/mail kept in the outbox/), /Reset token/);
    } finally {
      await server.stop();
    }
    const text = runCli(['mail', 'list', '--limit', '1'], env);
    assert.match(text.stdout, /to: mail@example\.com/);
    for (const args of [['mail'], ['mail', 'send'], ['mail', 'list', '--limit', 'x']]) {
      const r = runCli(args, env);
      assert.equal(r.status, 2, args.join(' '));
      assert.ok(oneLine(r.stderr));
    }
  });

  test('a bad setting stops every command with one line naming it', () => {
    for (const [name, value] of [
      ['PORT', 'eighty'],
      ['V1_AUTH_STYLE', 'fancy'],
      ['JWT_SECRET', 'short'],
      ['DATABASE_URL', 'mysql://x'],
      ['SURFACES', 'users,nope'],
      ['PASSWORD_HASH', 'md5'],
    ] as const) {
      const r = runCli(['migrate'], { ...env, [name]: value });
      assert.equal(r.status, 2, name);
      assert.ok(oneLine(r.stderr), r.stderr);
      assert.match(r.stderr, new RegExp(`^gatehouse: ${name}`));
    }
  });

  test("disable, enable, set-password and delete reach the contract's 403 and 401 answers", async () => {
    assert.equal(runCli(['users', 'create', '--email', 'cli@example.com', '--password', 'operator-pass-1', '--first-name', 'C'], env).status, 0);
    const server = await startServerProcess(env);
    try {
      const login = () => server.http('POST', '/api/users/login', { body: { email: 'cli@example.com', password: 'operator-pass-1' } });
      const token = (await login()).body.access_token;

      assert.equal(runCli(['users', 'disable', 'cli@example.com'], env).status, 0);
      assert.deepEqual([(await login()).status, (await login()).body], [403, { detail: 'User is disabled' }]);
      assert.equal(runCli(['users', 'enable', 'cli@example.com'], env).status, 0);
      assert.equal((await login()).status, 200);

      assert.equal(runCli(['users', 'set-password', 'cli@example.com', '--password', 'operator-pass-2'], env).status, 0);
      assert.equal((await login()).status, 400);
      assert.deepEqual((await server.http('GET', '/api/users/me', { token })).body, { detail: 'Token is invalid' });
      const fresh = (await server.http('POST', '/api/users/login', { body: { email: 'cli@example.com', password: 'operator-pass-2' } })).body.access_token;

      assert.equal(runCli(['users', 'delete', 'cli@example.com'], env).status, 0);
      const me = await server.http('GET', '/api/users/me', { token: fresh });
      assert.deepEqual([me.status, me.body], [401, { detail: 'User not found' }]);
    } finally {
      await server.stop();
    }
  });
});
