// What `npm start` and the gatehouse command run after `npm install`: the bundle in dist/bundle/
// (docs/performance.md, "Start to listening"). The other tests run the sources, so this one serves
// from the bundle what a user does with it (test/cli/launch-flags.test.ts: that the launcher takes it).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT, startServerProcess, type ServerProcess } from '../helpers/process.ts';

const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}` };
// A project of its own inside this one (node_modules is found by walking up), so that processes other
// tests start from dist/ never see a build half-written.
const project = mkdtempSync(join(ROOT, '.bundle-test-'));
const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bundle-'));
let server: ServerProcess;

before(async () => {
  const build = spawnSync(process.execPath, ['scripts/build.js', `${basename(project)}/dist`], { cwd: ROOT, encoding: 'utf8', env });
  assert.equal(build.status, 0, build.stderr);
  server = await startServerProcess({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' }, { entry: join(project, 'dist/bundle/gatehouse.js') });
});
after(async () => {
  await server?.stop();
  rmSync(project, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

test('the bundle serves: register and log in on both listeners, a session, the pages and their assets, OpenID discovery, the API docs', async () => {
  // As the README's side-by-side example: registered in the plain style, logged in on both listeners.
  const email = 'mei@example.com';
  const password = 'password123';
  const registered = await server.http('POST', '/api/v1/auth/register', { body: { username: 'mei', email, password, confirm_password: password } });
  assert.equal(registered.body.username, 'mei', registered.text);
  const login = await server.http('POST', '/api/users/login', { body: { email, password } });
  assert.equal(login.status, 200, login.text);
  const me = await server.http('GET', '/api/users/me', { token: login.body.access_token });
  assert.equal(me.body.email, email);
  const enveloped = await server.envelopeHttp('POST', '/api/v1/auth/login', { body: { username: 'mei', password } });
  assert.equal(enveloped.body.status, 'success', enveloped.text);

  const page = await server.http('GET', '/account', { headers: { 'accept-language': 'en' } });
  assert.equal(page.status, 200);
  assert.match(page.text, /<form/);
  // The assets are read from the project folder, wherever the bundle's chunks are.
  for (const [name, type] of [
    ['pages.css', /text\/css/],
    ['simplewebauthn-browser.js', /text\/javascript/],
  ] as const) {
    const asset = await server.http('GET', `/assets/${name}`);
    assert.equal(asset.status, 200, name);
    assert.match(asset.headers.get('content-type') ?? '', type);
    assert.ok(asset.text.length > 1000, name);
  }
  // oidc-provider is loaded at first use, from outside the bundle.
  const discovery = await server.http('GET', '/oidc/.well-known/openid-configuration');
  assert.equal(discovery.status, 200, discovery.text);
  assert.match(discovery.body.jwks_uri, /\/jwks|\/\.well-known\/jwks\.json/);
  const docs = await server.http('GET', '/docs/json');
  assert.ok(docs.body.paths['/api/users/login'], 'the OpenAPI document lists the routes');
});
