import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { registerAndLogin } from '../../helpers/users.ts';

describe('GET /.well-known/jwks.json', () => {
  let server: TestServer;
  before(async () => {
    // Named, so the PostgreSQL pass (which sets JWT_SECRET, and would otherwise keep HS256) serves the same keys.
    server = await startTestServer({ env: { JWT_ALGORITHM: 'ES256' } });
  });
  after(() => server.close());

  test('both listeners serve the public key that signs, cacheable, without any private part', async () => {
    const { token } = await registerAndLogin(server.http);
    const kid = decodeProtectedHeader(token).kid;
    for (const http of [server.http, server.envelopeHttp]) {
      const r = await http('GET', '/.well-known/jwks.json');
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type') ?? '', /^application\/jwk-set\+json/);
      assert.equal(r.headers.get('cache-control'), 'public, max-age=300');
      assert.equal(r.body.keys.length, 1);
      const [key] = r.body.keys;
      assert.equal(key.kid, kid);
      assert.deepEqual([key.kty, key.crv, key.alg, key.use], ['EC', 'P-256', 'ES256', 'sig']);
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) assert.ok(!(secret in key), secret);
    }
  });

  test('an app verifies a login token against the JWKS alone (jose over HTTP)', async () => {
    const { token } = await registerAndLogin(server.http);
    const jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(token, jwks, { algorithms: ['ES256'], currentDate: new Date(server.clock.now()) });
    assert.equal(protectedHeader.alg, 'ES256');
    assert.equal(payload.type, 'access');
    assert.equal(typeof payload.sub, 'string');
  });

  test('after a rotation: new tokens name the new key, old ones still work, the JWKS lists both (signing key first)', async () => {
    const before = await registerAndLogin(server.http);
    const oldKid = decodeProtectedHeader(before.token).kid;
    const [made] = await server.core.signingKeys.rotate();
    const afterRotation = await registerAndLogin(server.http);
    assert.equal(decodeProtectedHeader(afterRotation.token).kid, made?.kid);
    assert.equal((await server.http('GET', '/api/users/me', { token: before.token })).status, 200);
    assert.equal((await server.http('GET', '/api/users/me', { token: afterRotation.token })).status, 200);
    const r = await server.http('GET', '/.well-known/jwks.json');
    assert.deepEqual(
      r.body.keys.map((k: { kid: string }) => k.kid),
      [made?.kid, oldKid],
    );
  });
});

describe('an HS256 installation', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { JWT_ALGORITHM: 'HS256', JWT_SECRET: 'an-hs256-installation-secret-of-32-bytes' } });
  });
  after(() => server.close());

  test('keeps signing HS256 (with a kid) and never publishes its secret', async () => {
    const { token } = await registerAndLogin(server.http);
    const header = decodeProtectedHeader(token);
    assert.equal(header.alg, 'HS256');
    assert.match(String(header.kid), /^hs256-/);
    assert.equal((await server.http('GET', '/api/users/me', { token })).status, 200);
    const r = await server.http('GET', '/.well-known/jwks.json');
    assert.deepEqual([r.status, r.body], [200, { keys: [] }]);
  });
});
