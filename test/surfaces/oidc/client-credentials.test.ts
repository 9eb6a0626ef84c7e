// The token endpoint for apps acting for themselves: client_credentials gives
// RFC 9068 JWT access tokens for the API, with only the API scopes the app was
// registered with; the secret is read from the Authorization header only; and
// Gatehouse's own API refuses these tokens everywhere.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, decodeJwt, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { freePort, refusedWith, relyingParty } from '../../helpers/oidc.ts';
import { runCli } from '../../helpers/process.ts';
import { registerAndLogin } from '../../helpers/users.ts';
import { protectedEndpoints } from '../security/protected-endpoints.ts';

let server: TestServer;
let issuer: string;
let api: string;
/** An app registered with two API scopes. */
let app: { clientId: string; secret: string };
let config: client.Configuration;

before(async () => {
  const port = await freePort();
  server = await startTestServer({ port, env: { PUBLIC_URL: `http://127.0.0.1:${port}` } });
  issuer = `${server.url}/oidc`;
  api = `${server.url}/api`;
  const registered = await server.core.apps.register({
    name: 'Billing job',
    redirectUris: ['https://billing.example/cb'],
    scopes: ['invoices:read', 'invoices:write'],
  });
  app = { clientId: registered.app.clientId, secret: registered.secret! };
  config = await relyingParty(issuer, app.clientId, app.secret);
});
after(() => server?.close());

/** The token endpoint called by hand, for what openid-client will not send. */
async function token(form: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
const basic = (id: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` });

describe('client authentication at the token endpoint', () => {
  test('a secret in the body (client_secret_post) is refused with invalid_client; the same secret in the header works', async () => {
    const inBody = await token({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.secret });
    assert.deepEqual([inBody.status, inBody.body.error], [401, 'invalid_client']);
    assert.equal((await token({ grant_type: 'client_credentials' }, basic(app.clientId, app.secret))).status, 200);
    const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    assert.deepEqual(discovery.token_endpoint_auth_methods_supported, ['client_secret_basic', 'none']);
  });
});

describe('client_credentials: only the API scopes the app was registered with', () => {
  test('a registered scope is granted; asking for none grants none', async () => {
    const one = await client.clientCredentialsGrant(config, { scope: 'invoices:read' });
    assert.equal(one.scope, 'invoices:read');
    assert.equal(decodeJwt(one.access_token).scope, 'invoices:read');
    const both = await client.clientCredentialsGrant(config, { scope: 'invoices:write invoices:read' });
    assert.deepEqual(String(decodeJwt(both.access_token).scope).split(' ').sort(), ['invoices:read', 'invoices:write']);
    const none = await client.clientCredentialsGrant(config, {});
    assert.equal(none.scope, undefined);
    assert.equal(decodeJwt(none.access_token).scope, undefined);
  });

  test('every user scope, an unregistered scope, or a mix: invalid_scope', async () => {
    for (const scope of ['openid', 'email', 'profile', 'phone', 'offline_access', 'invoices:delete', 'invoices:read openid', 'invoices:read email']) {
      await refusedWith(client.clientCredentialsGrant(config, { scope }), 'invalid_scope');
    }
  });

  test('an app registered without API scopes gets invalid_scope for any; another resource is invalid_target', async () => {
    const bare = await server.core.apps.register({ name: 'Bare', redirectUris: ['https://bare.example/cb'] });
    const bareConfig = await relyingParty(issuer, bare.app.clientId, bare.secret);
    await refusedWith(client.clientCredentialsGrant(bareConfig, { scope: 'invoices:read' }), 'invalid_scope');
    assert.equal((await client.clientCredentialsGrant(bareConfig, {})).scope, undefined);
    await refusedWith(client.clientCredentialsGrant(config, { scope: 'invoices:read', resource: 'https://elsewhere.example/api' }), 'invalid_target');
    const named = await client.clientCredentialsGrant(config, { scope: 'invoices:read', resource: api });
    assert.equal(decodeJwt(named.access_token).aud, api);
  });

  test('a stored app holding a user scope (written around the registration rules) still gets invalid_scope for it', async () => {
    const registered = await server.core.apps.register({ name: 'Odd', redirectUris: ['https://odd.example/cb'], scopes: ['reports:read'] });
    await server.stores.apps.delete(registered.app.clientId);
    await server.stores.apps.create({ ...registered.app, scopes: ['reports:read', 'openid', 'email', 'offline_access'] });
    const odd = await relyingParty(issuer, registered.app.clientId, registered.secret);
    for (const scope of ['openid', 'email', 'offline_access']) await refusedWith(client.clientCredentialsGrant(odd, { scope }), 'invalid_scope');
    assert.equal((await client.clientCredentialsGrant(odd, { scope: 'reports:read' })).scope, 'reports:read');
  });

  test('registration refuses a user scope and a malformed one; a public app has no API scopes', async () => {
    for (const scopes of [['openid'], ['offline_access'], ['email'], ['has space'], ['"quoted"'], ['x'.repeat(65)]]) {
      await assert.rejects(server.core.apps.register({ name: 'X', redirectUris: ['https://x.example/cb'], scopes }), { code: 'VALIDATION_FAILED' });
    }
    await assert.rejects(server.core.apps.register({ name: 'X', redirectUris: ['https://x.example/cb'], scopes: ['a:b'], isPublic: true }), {
      code: 'VALIDATION_FAILED',
    });
  });

  test('the CLI registers scopes (--scope, repeatable), lists them, and refuses a user scope', () => {
    const env = { DATA_DIR: server.dataDir, LOG_LEVEL: 'warn', DEMO_DATA: 'false' };
    if (process.env.GATEHOUSE_TEST_BACKEND === 'postgres+redis') return; // the CLI reads DATA_DIR's SQLite; the SQL store is covered by the contract suite
    const added = runCli(
      ['clients', 'add', '--name', 'Cron', '--redirect-uri', 'https://cron.example/cb', '--scope', 'reports:read', '--scope', 'reports:run', '--json'],
      env,
    );
    assert.equal(added.status, 0, added.stderr);
    const { client_id } = JSON.parse(added.stdout) as { client_id: string };
    const listed = runCli(['clients', 'list', '--json'], env);
    const entry = (JSON.parse(listed.stdout) as Array<{ client_id: string; scopes: string[] }>).find((a) => a.client_id === client_id);
    assert.deepEqual(entry?.scopes, ['reports:read', 'reports:run']);
    assert.match(runCli(['clients', 'list'], env).stdout, /reports:read reports:run/);
    const refused = runCli(['clients', 'add', '--name', 'Bad', '--redirect-uri', 'https://bad.example/cb', '--scope', 'openid'], env);
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /openid is a user's scope/);
  });
});

describe('client_credentials access tokens are RFC 9068 JWTs', () => {
  test('typ at+jwt, RS256 with a published key, aud the API, sub and client_id the app; nothing stored for them', async () => {
    const { access_token: at, expires_in } = await client.clientCredentialsGrant(config, { scope: 'invoices:read' });
    const header = decodeProtectedHeader(at);
    assert.deepEqual([header.typ, header.alg], ['at+jwt', 'RS256']);
    const { payload } = await jwtVerify(at, createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`)), {
      issuer,
      audience: api,
      typ: 'at+jwt',
      algorithms: ['RS256'],
    });
    assert.deepEqual([payload.sub, payload.client_id, payload.scope], [app.clientId, app.clientId, 'invoices:read']);
    assert.equal(payload.exp! - payload.iat!, 600);
    assert.equal(expires_in, 600);
    assert.ok(typeof payload.jti === 'string' && payload.jti.length > 0);
    // A JWT access token is its own record: the provider keeps no entry under its jti.
    assert.equal(await server.stores.oidcPayloads.find('ClientCredentials', payload.jti!, server.clock.now()), null);
  });

  test('the resource server snippet in docs/oidc.md verifies one as written, and refuses a Gatehouse session token', async () => {
    const doc = readFileSync(new URL('../../../docs/oidc.md', import.meta.url), 'utf8');
    const snippet = /```js\n(import \{ createRemoteJWKSet, jwtVerify \} from 'jose';\n[\s\S]*?verifyServiceToken[\s\S]*?)```/.exec(doc)?.[1];
    assert.ok(snippet, 'docs/oidc.md has the resource server snippet');
    const body = snippet.replace(/^import .*$/m, '').replaceAll('https://auth.example', server.url);
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<unknown>;
    const verify = new AsyncFunction('createRemoteJWKSet', 'jwtVerify', 'token', `${body}\nreturn verifyServiceToken(token);`);
    const { access_token: at } = await client.clientCredentialsGrant(config, { scope: 'invoices:write' });
    const payload = (await verify(createRemoteJWKSet, jwtVerify, at)) as Record<string, unknown>;
    assert.deepEqual([payload.client_id, payload.scope], [app.clientId, 'invoices:write']);
    const { token: sessionToken } = await registerAndLogin(server.http);
    await assert.rejects(verify(createRemoteJWKSet, jwtVerify, sessionToken));
  });

  test("Gatehouse's own API refuses one on every protected endpoint, exactly as it refuses a forged token", async () => {
    const { access_token: at } = await client.clientCredentialsGrant(config, { scope: 'invoices:read invoices:write' });
    // A token that verifies against nothing: what each endpoint answers an unusable bearer, in its own shape.
    const [h, p] = at.split('.');
    const forged = `${h}.${p}.${'A'.repeat(342)}`;
    const endpoints = await protectedEndpoints(server.http);
    for (const path of ['/api/users/me', '/api/user/me', '/api/v1/auth/me', '/api/v1/users/profile', '/api/admin/users']) {
      assert.ok(
        endpoints.some((e) => e.path === path),
        path,
      );
    }
    const targets = [
      ...endpoints.map((e) => ({ ...e, http: server.http })),
      { method: 'GET', path: '/api/v1/auth/me', body: undefined, http: server.envelopeHttp },
    ];
    for (const { method, path, body, http } of targets) {
      const withAt = await http(method, path, { headers: { authorization: `Bearer ${at}` }, body });
      const withForged = await http(method, path, { headers: { authorization: `Bearer ${forged}` }, body });
      assert.equal(withAt.status, 401, `${method} ${path} answered ${withAt.status} ${withAt.text}`);
      assert.deepEqual([withAt.status, withAt.body], [withForged.status, withForged.body], `${method} ${path}`);
    }
  });
});
