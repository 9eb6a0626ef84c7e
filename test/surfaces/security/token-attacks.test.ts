// Forged, altered, stale and misused tokens, against every protected endpoint of every surface.
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { uniqueName } from '../../helpers/users.ts';
import { NOBODY_UUID, protectedEndpoints, type Endpoint } from './protected-endpoints.ts';

let server: TestServer;
let PROTECTED: Endpoint[];
before(async () => {
  server = await startTestServer();
  PROTECTED = await protectedEndpoints(server.http);
});
after(() => server.close());

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const hs256 = (header: object, payload: object, key: string | Buffer) => {
  const body = `${b64(header)}.${b64(payload)}`;
  return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
};

/** A user with a session, whose tokens are the raw material of the attacks (seed 002 login: access and refresh token). */
async function victim() {
  const username = uniqueName('v');
  await server.http('POST', '/api/auth/register', { body: { username, email: `${username}@example.com`, password: 'password123', nickname: 'v' } });
  const login = (await server.http('POST', '/api/auth/login', { body: { username, password: 'password123' } })).body;
  const claims = JSON.parse(Buffer.from(login.access_token.split('.')[1], 'base64url').toString());
  return { username, access: login.access_token as string, refresh: login.refresh_token as string, claims };
}

async function assertRefusedEverywhere(token: string, label: string) {
  for (const { method, path, body } of PROTECTED) {
    const r = await server.http(method, path, { headers: { authorization: `Bearer ${token}` }, body });
    // Seed 000's logout answers an ended session with 404 "Token record not found" (the contract's second-logout rule).
    const refused = r.status === 401 || (path === '/api/users/logout' && r.status === 404 && r.body.detail === 'Token record not found');
    assert.ok(refused, `${label}: ${method} ${path} answered ${r.status} ${r.text}`);
  }
}

describe('token attacks are refused on every protected endpoint', () => {
  test('the protected endpoints come from /openapi.json, every surface among them', () => {
    for (const path of ['/api/users/me', '/api/user/me', '/api/v1/auth/me', '/api/v1/auth/sessions', '/api/v1/users/profile', '/api/admin/users']) {
      assert.ok(
        PROTECTED.some((e) => e.path === path),
        path,
      );
    }
  });

  test('the real token is accepted (the attacks below differ from it in one way each)', async () => {
    const { access } = await victim();
    for (const { method, path } of PROTECTED.filter((p) => p.method === 'GET' && !p.path.startsWith('/api/admin'))) {
      const { status } = await server.http(method, path, { token: access });
      // A route naming something by uuid: the token passes, and nothing has that uuid.
      assert.equal(status, path.includes(NOBODY_UUID) ? 404 : 200, path);
    }
  });

  test('alg: none', async () => {
    const { claims } = await victim();
    await assertRefusedEverywhere(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`, 'alg none');
  });

  test('HS256 with a wrong key', async () => {
    const { claims } = await victim();
    await assertRefusedEverywhere(hs256({ alg: 'HS256', typ: 'JWT' }, claims, 'not-the-server-secret-but-long-enough!!'), 'wrong key');
  });

  test('RS256 with an attacker key, and RS256/HS256 confusion', async () => {
    const { claims } = await victim();
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const body = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64(claims)}`;
    await assertRefusedEverywhere(`${body}.${sign('sha256', Buffer.from(body), privateKey).toString('base64url')}`, 'RS256');
    // the classic confusion: HMAC keyed with a public key, labelled as HS256 or RS256
    const pem = publicKey.export({ type: 'spki', format: 'pem' });
    await assertRefusedEverywhere(hs256({ alg: 'HS256', typ: 'JWT' }, claims, pem), 'HS256 keyed with a public key');
    const confused = `${body}.${createHmac('sha256', pem).update(body).digest('base64url')}`;
    await assertRefusedEverywhere(confused, 'RS256 header, HMAC signature');
  });

  test('a modified payload (another user, longer expiry, another type) with the original signature', async () => {
    const { access, claims } = await victim();
    const other = await victim();
    const [head, , sig] = access.split('.');
    for (const change of [{ sub: other.claims.sub }, { exp: claims.exp + 86400 }, { sid: other.claims.sid }, { type: 'refresh' }]) {
      await assertRefusedEverywhere(`${head}.${b64({ ...claims, ...change })}.${sig}`, JSON.stringify(change));
    }
  });

  test('a kid header pointing anywhere', async () => {
    const { claims } = await victim();
    for (const kid of ['../../../../dev/null', 'file:///etc/passwd', "' OR '1'='1", 'https://attacker.example/jwks.json']) {
      await assertRefusedEverywhere(hs256({ alg: 'HS256', typ: 'JWT', kid }, claims, ''), `kid ${kid} (empty key)`);
      await assertRefusedEverywhere(hs256({ alg: 'HS256', typ: 'JWT', kid }, claims, 'attacker-chosen-key-that-is-long-enough'), `kid ${kid}`);
    }
  });

  test('an expired token', async () => {
    const { access } = await victim();
    server.clock.advance(31 * 60_000);
    await assertRefusedEverywhere(access, 'expired');
  });

  test('a token from before a password change', async () => {
    const { access, username } = await victim();
    const fresh = (await server.http('POST', '/api/auth/login', { body: { username, password: 'password123' } })).body.access_token;
    assert.equal((await server.http('PUT', '/api/user/me', { token: fresh, body: { password: 'password456' } })).status, 200);
    await assertRefusedEverywhere(access, 'before password change');
  });

  test('a refresh token used as an access token', async () => {
    const { refresh } = await victim();
    await assertRefusedEverywhere(refresh, 'refresh as access');
  });

  test('a token signed with the real key but without a session behind it', async () => {
    const { claims } = await victim();
    const secret = server.core.tokens; // the issuer itself: a well-formed token for a session that never existed
    const orphan = secret.issue('access', claims.sub, 'no-such-session', 'no-such-jti', 600).token;
    await assertRefusedEverywhere(orphan, 'orphan session');
  });
});
