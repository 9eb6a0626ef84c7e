// `gatehouse providers add|list|remove` as an operator runs them: add --json prints {id, redirect_uri}; the
// client secret is read from a file or standard input and kept sealed (never listed, never in the database
// in clear); list; remove; bad input refused in one line.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CLI, ROOT, runCli } from '../helpers/process.ts';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-providers-cli-'));
const env = { DATA_DIR: join(dir, 'data'), PUBLIC_URL: 'https://id.example.com' };
after(() => rmSync(dir, { recursive: true, force: true }));

const ADD = ['providers', 'add', '--kind', 'oidc', '--name', 'Corp SSO', '--issuer', 'https://sso.corp.example', '--client-id', 'gatehouse'];

test('add --json prints {id, redirect_uri}; the secret from a file or stdin is sealed; list; remove', () => {
  const secretFile = join(dir, 'secret.txt');
  writeFileSync(secretFile, 'file-secret-0123456789\n');
  const added = runCli(
    [
      ...ADD,
      '--id',
      'corp',
      '--client-secret-file',
      secretFile,
      '--audience',
      'ios-app',
      '--audience',
      'android-app',
      '--domain',
      'corp.example',
      '--no-signup',
      '--json',
    ],
    env,
  );
  assert.equal(added.status, 0, added.stderr);
  assert.deepEqual(JSON.parse(added.stdout), { id: 'corp', redirect_uri: 'https://id.example.com/idp/corp/callback' });

  const piped = spawnSync(process.execPath, [CLI, ...ADD, '--id', 'piped', '--client-secret-file', '-', '--trust-mfa', '--json'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    input: 'stdin-secret-0123456789\n',
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(piped.status, 0, piped.stderr);

  // GitHub: no --issuer, github.com.
  const github = runCli(
    ['providers', 'add', '--kind', 'github', '--id', 'github', '--name', 'GitHub', '--client-id', 'Iv1.x', '--client-secret', 'gh', '--json'],
    env,
  );
  assert.equal(github.status, 0, github.stderr);
  const noIssuer = runCli(['providers', 'add', '--kind', 'oidc', '--id', 'y', '--name', 'Y', '--client-id', 'y'], env);
  assert.equal(noIssuer.status, 2);
  assert.match(noIssuer.stderr, /^gatehouse: providers add needs --issuer\n$/);

  const listed = runCli(['providers', 'list', '--json'], env);
  assert.equal(listed.status, 0, listed.stderr);
  const [corp, other, gh, ...none] = JSON.parse(listed.stdout);
  assert.deepEqual(none, []);
  assert.deepEqual([gh.kind, gh.issuer, gh.redirect_uri], ['github', 'https://github.com', 'https://id.example.com/idp/github/callback']);
  assert.deepEqual(
    [
      corp.id,
      corp.kind,
      corp.name,
      corp.issuer,
      corp.client_id,
      corp.has_client_secret,
      corp.audiences,
      corp.signup,
      corp.domains,
      corp.trust_mfa,
      corp.enabled,
    ],
    ['corp', 'oidc', 'Corp SSO', 'https://sso.corp.example', 'gatehouse', true, ['ios-app', 'android-app'], false, ['corp.example'], false, true],
  );
  assert.deepEqual([other.id, other.signup, other.trust_mfa], ['piped', true, true]);
  assert.doesNotMatch(listed.stdout, /file-secret|stdin-secret/, 'never listed');
  // Sealed at rest: the database file holds neither secret in clear.
  for (const file of readdirSync(env.DATA_DIR).filter((f) => f.endsWith('.db') || f.endsWith('-wal'))) {
    const bytes = readFileSync(join(env.DATA_DIR, file)).toString('latin1');
    assert.ok(!bytes.includes('file-secret-0123456789') && !bytes.includes('stdin-secret-0123456789'), `${file} holds no secret in clear`);
  }

  const again = runCli([...ADD, '--id', 'corp', '--client-secret', 'x'], env);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /^gatehouse: a provider with the id corp exists\n$/);
  const kind = runCli([...ADD.map((a) => (a === 'oidc' ? 'saml' : a)), '--id', 'saml1'], env);
  assert.equal(kind.status, 1);
  assert.match(kind.stderr, /kind "saml" is not available/);
  const missing = runCli(['providers', 'add', '--kind', 'oidc', '--id', 'x'], env);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /^gatehouse: providers add needs --name\n$/);

  const removed = runCli(['providers', 'remove', 'corp'], env);
  assert.equal(removed.status, 0, removed.stderr);
  assert.deepEqual(
    JSON.parse(runCli(['providers', 'list', '--json'], env).stdout).map((p: { id: string }) => p.id),
    ['piped', 'github'],
  );
  const gone = runCli(['providers', 'remove', 'corp'], env);
  assert.equal(gone.status, 1);
  assert.match(gone.stderr, /no provider corp/);
});

test('add --kind apple reads the .p8 key from a file or stdin and seals it; --kind wechat defaults to WeChat', async () => {
  const { exportPKCS8, generateKeyPair } = await import('jose');
  const apple = { DATA_DIR: join(dir, 'apple-data'), PUBLIC_URL: 'https://id.example.com' };
  const pem = await exportPKCS8((await generateKeyPair('ES256', { extractable: true })).privateKey);
  const APPLE = [
    'providers',
    'add',
    '--kind',
    'apple',
    '--name',
    'Apple',
    '--client-id',
    'com.example.web',
    '--team-id',
    'ABCDE12345',
    '--key-id',
    'XYZ9876543',
  ];
  const piped = spawnSync(process.execPath, [CLI, ...APPLE, '--id', 'apple', '--private-key-file', '-', '--json'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...apple },
    input: pem,
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(piped.status, 0, piped.stderr);
  assert.deepEqual(JSON.parse(piped.stdout), { id: 'apple', redirect_uri: 'https://id.example.com/idp/apple/callback' });
  const noKey = runCli([...APPLE, '--id', 'apple2'], apple);
  assert.equal(noKey.status, 2);
  assert.match(noKey.stderr, /^gatehouse: providers add --kind apple needs --private-key-file\n$/);
  const keyFile = join(dir, 'not-p256.p8');
  writeFileSync(keyFile, 'not a key\n');
  const badKey = runCli([...APPLE, '--id', 'apple3', '--private-key-file', keyFile], apple);
  assert.equal(badKey.status, 1);
  assert.match(badKey.stderr, /PKCS#8 PEM P-256/);
  const wechat = runCli(
    ['providers', 'add', '--kind', 'wechat', '--id', 'wechat', '--name', 'WeChat', '--client-id', 'wx1234567890abcdef', '--client-secret', 'wx-secret'],
    apple,
  );
  assert.equal(wechat.status, 0, wechat.stderr);
  const listed = JSON.parse(runCli(['providers', 'list', '--json'], apple).stdout) as Array<{ id: string; issuer: string; has_client_secret: boolean }>;
  assert.deepEqual(
    listed.map((p) => [p.id, p.issuer, p.has_client_secret]),
    [
      ['apple', 'https://appleid.apple.com', true],
      ['wechat', 'https://open.weixin.qq.com', true],
    ],
  );
  const body = pem.split('\n')[1]!;
  for (const file of readdirSync(apple.DATA_DIR).filter((f) => f.endsWith('.db') || f.endsWith('-wal'))) {
    const bytes = readFileSync(join(apple.DATA_DIR, file)).toString('latin1');
    assert.ok(!bytes.includes(body), `${file} holds no key in clear`);
  }
});
