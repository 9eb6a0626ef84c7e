import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { decodeProtectedHeader } from 'jose';
import type { Client } from '../helpers/http.ts';
import { runCli, startServerProcess } from '../helpers/process.ts';
import { registerAndLogin } from '../helpers/users.ts';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-keys-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const env = { DATA_DIR: join(dir, 'data') };

const jwksKids = async (http: Client): Promise<string[]> => (await http('GET', '/.well-known/jwks.json')).body.keys.map((k: { kid: string }) => k.kid);

/** Asks until `check` holds; generous, since the server reads the key set every 5 s on a busy machine. */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 240; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  assert.fail(`never happened: ${what}`);
}

test('keys list, rotate and retire act on a running server without a restart', async () => {
  const listed = runCli(['keys', 'list', '--json'], env);
  assert.equal(listed.status, 0, listed.stderr);
  const [first, ...others] = JSON.parse(listed.stdout);
  assert.deepEqual(others, [], 'a new installation has one key, and no HS256 secret');
  assert.deepEqual([first.alg, first.state], ['ES256', 'signing']);

  const server = await startServerProcess(env);
  try {
    const before = await registerAndLogin(server.http);
    assert.equal(decodeProtectedHeader(before.token).kid, first.kid);

    const rotated = runCli(['keys', 'rotate'], env);
    assert.equal(rotated.status, 0, rotated.stderr);
    const newKid = /^new ES256 key (\S+):/.exec(rotated.stdout)?.[1];
    assert.ok(newKid, rotated.stdout);
    await eventually(async () => (await jwksKids(server.http)).join() === [newKid, first.kid].join(), 'the server publishes the new key');
    assert.equal(decodeProtectedHeader((await registerAndLogin(server.http)).token).kid, newKid, 'and signs with it');
    assert.equal((await server.http('GET', '/api/users/me', { token: before.token })).status, 200, 'the old key still verifies');
    assert.match(
      runCli(['keys', 'list'], env).stdout,
      new RegExp(`^${first.kid}\tES256\tverifying\tverifies until \\d{4}-.*\n${newKid}\tES256\tsigning\t`, 'm'),
    );

    const refused = runCli(['keys', 'retire', newKid], env);
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /signs new tokens: run keys rotate first/);
    const retired = runCli(['keys', 'retire', first.kid], env);
    assert.equal(retired.status, 0, retired.stderr);
    await eventually(async () => (await server.http('GET', '/api/users/me', { token: before.token })).status === 401, 'its tokens are refused');
    assert.deepEqual(await jwksKids(server.envelopeHttp), [newKid]);
  } finally {
    await server.stop();
  }
});

test('keys: bad input is one line, exit 2', () => {
  for (const args of [
    ['keys'],
    ['keys', 'drop'],
    ['keys', 'retire'],
    ['keys', 'retire', 'no-such-kid'],
    ['keys', 'rotate', '--algorithm', 'HS256'],
    ['keys', 'list', 'extra'],
  ]) {
    const r = runCli(args, env);
    assert.equal(r.status, 2, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});
