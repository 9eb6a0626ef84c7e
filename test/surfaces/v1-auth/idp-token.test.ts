// POST /api/v1/auth/idp/{id}/token: a native app's id_token (from the platform's own Google or Apple button) for
// Gatehouse's tokens, answered as login/json answers. The provider is a local server publishing a discovery
// document and a JWKS, whose key signs the id_tokens; another key, another audience, an expired token and
// another nonce are refused; an email of an account not linked to the identity is 409.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

type KeyLike = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { registerAndLogin } from '../../helpers/users.ts';

let server: TestServer;
let provider: Server;
let issuer: string;
let key: KeyLike;
let stranger: KeyLike;

before(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  key = pair.privateKey;
  stranger = (await generateKeyPair('RS256')).privateKey;
  const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  provider = createServer((req, res) => {
    const json = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.url === '/.well-known/openid-configuration')
      return json({
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
      });
    if (req.url === '/jwks') return json({ keys: [jwk] });
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
  server = await startTestServer();
  await server.core.identities.add({
    id: 'google',
    kind: 'oidc',
    name: 'Google',
    issuer,
    clientId: 'web-client',
    clientSecret: 'web-secret',
    audiences: ['ios-client'],
  });
});
after(async () => {
  await server.close();
  await new Promise((resolve) => provider.close(resolve));
});

let n = 0;
/** An id_token as the provider's SDK hands it to the app. */
async function idToken(claims: Record<string, unknown> = {}, options: { signer?: KeyLike; aud?: string; expiresIn?: string | number } = {}) {
  n += 1;
  return new SignJWT({ email: `native-${process.pid}-${n}@gmail.example`, email_verified: true, nonce: 'the-nonce', ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(issuer)
    .setSubject(String(claims.sub ?? `google-sub-${n}`))
    .setAudience(options.aud ?? 'ios-client')
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '5m')
    .sign(options.signer ?? key);
}

const exchange = (id_token: string, nonce = 'the-nonce') => server.http('POST', '/api/v1/auth/idp/google/token', { body: { id_token, nonce } });

test('an id_token for an audience of the provider, with the nonce, signs in like login/json; again, the same account', async () => {
  const first = await exchange(await idToken({ sub: 'same-person' }));
  assert.equal(first.status, 200, first.text);
  assert.ok(first.body.access_token, first.text);
  assert.match(first.body.user.username, /^user_/, 'an account was made');
  const again = await exchange(await idToken({ sub: 'same-person' }, { aud: 'web-client' }));
  assert.equal(again.status, 200, again.text);
  assert.equal(again.body.user.id, first.body.user.id, 'the same account');
  // Apple's native flow: the id_token carries the nonce's SHA-256 hex.
  const hashed = await exchange(await idToken({ nonce: createHash('sha256').update('apple-nonce').digest('hex') }), 'apple-nonce');
  assert.equal(hashed.status, 200, hashed.text);
});

/**
 * A refused id_token, on both listeners: 400 UPSTREAM_FAILED in each listener's own shape, no token, no account
 * made for its email (nothing is issued).
 */
async function refused(what: string, token: (email: string) => Promise<string>, nonce = 'the-nonce') {
  const email = `refused-${process.pid}-${(n += 1)}@gmail.example`;
  const plain = await server.http('POST', '/api/v1/auth/idp/google/token', { body: { id_token: await token(email), nonce } });
  assert.deepEqual([plain.status, plain.body], [400, { detail: '无法验证身份提供方的登录结果' }], `${what} (plain): ${plain.text}`);
  const envelope = await server.envelopeHttp('POST', '/api/v1/auth/idp/google/token', { body: { id_token: await token(email), nonce } });
  assert.equal(envelope.status, 400, `${what} (envelope): ${envelope.text}`);
  assert.equal(envelope.body.code, 'UPSTREAM_FAILED', `${what} (envelope): ${envelope.text}`);
  assert.equal(envelope.body.data?.access_token, undefined);
  assert.equal(await server.core.accounts.findByEmail(email), null, `${what}: no account was made`);
}

test('an id_token for another audience is refused', async () => {
  await refused('another audience', (email) => idToken({ email }, { aud: 'someone-else' }));
});

test('an expired id_token is refused (beyond the minute of leeway)', async () => {
  await refused('expired', (email) => idToken({ email }, { expiresIn: Math.floor(Date.now() / 1000) - 600 }));
});

test('an id_token with another nonce is refused', async () => {
  await refused('another nonce', (email) => idToken({ email }), 'not-the-nonce');
});

test("an id_token signed by a key not in the provider's JWKS is refused", async () => {
  await refused('another key', (email) => idToken({ email }, { signer: stranger }));
});

test('an email of an account not linked to the identity is 409, and no account is made or taken', async () => {
  const { email } = await registerAndLogin(server.http);
  const r = await exchange(await idToken({ email, sub: 'claims-your-email' }));
  assert.equal(r.status, 409, r.text);
  const owner = (await server.core.accounts.findByEmail(email))!;
  assert.deepEqual(await server.core.identities.identitiesOf(owner.id), []);
});
