// Passkeys through /api/v1/auth/mfa/passkeys/*, with a software authenticator (an ES256 key and authenticator
// data built by hand): what Chromium's virtual authenticator cannot be told to do wrong is done wrong here.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Client } from '../../helpers/http.ts';
import { SoftwareAuthenticator } from '../../helpers/software-authenticator.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { registerV1 } from '../../helpers/users.ts';

const PASSWORD = 'password123';
/** The relying party: passkeys belong to PUBLIC_URL's origin, whatever port the test server listens on. */
const ORIGIN = 'http://localhost:8443';

let server: TestServer;
before(async () => {
  // Many logins from 127.0.0.1: the per-address limit is raised for volume (the per-account budgets stay).
  server = await startTestServer({ env: { PUBLIC_URL: ORIGIN, RATE_LIMIT_PER_IP: '100000' } });
});
after(() => server.close());

/** A new account signed in with its password, and its own authenticator. */
async function account(http: Client = server.http) {
  const { username, email, user } = await registerV1(http);
  const token = (await http('POST', '/api/v1/auth/login/json', { body: { username, password: PASSWORD } })).body.access_token as string;
  return { username, email, userId: user.id as number, token, device: new SoftwareAuthenticator(ORIGIN) };
}

/** Adds a passkey to the account (the step-up with its password); returns the verify answer. */
async function addPasskey(
  a: Awaited<ReturnType<typeof account>>,
  flags: Parameters<SoftwareAuthenticator['register']>[1] = {},
  proof: object = { password: PASSWORD },
) {
  const start = await server.http('POST', '/api/v1/auth/mfa/passkeys/register/options', { token: a.token, body: proof });
  assert.equal(start.status, 200, start.text);
  const credential = a.device.register(start.body.options, flags);
  return server.http('POST', '/api/v1/auth/mfa/passkeys/register/verify', {
    token: a.token,
    body: { ceremony_id: start.body.ceremony_id, credential, name: 'laptop' },
  });
}

async function authenticate(device: SoftwareAuthenticator, mfaToken?: string, flags: Parameters<SoftwareAuthenticator['authenticate']>[1] = {}) {
  const start = await server.http('POST', '/api/v1/auth/mfa/passkeys/authenticate/options');
  assert.equal(start.status, 200, start.text);
  const credential = device.authenticate(start.body.options, flags);
  return server.http('POST', '/api/v1/auth/mfa/passkeys/authenticate/verify', {
    body: { ceremony_id: start.body.ceremony_id, credential, ...(mfaToken ? { mfa_token: mfaToken } : {}) },
  });
}

const amrOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).amr as string[];

describe('passkeys through the API, with a software authenticator', () => {
  test('adding one needs the password (step-up); then it signs in alone (user verified): amr hwk + mfa; a synced one is swk', async () => {
    const a = await account();
    const refused = await server.http('POST', '/api/v1/auth/mfa/passkeys/register/options', { token: a.token });
    assert.equal(refused.status, 403, 'a bearer token alone adds no passkey');
    const added = await addPasskey(a);
    assert.equal(added.status, 200, added.text);
    assert.equal(added.body.name, 'laptop');
    const alone = await authenticate(a.device);
    assert.equal(alone.status, 200, alone.text);
    assert.deepEqual(amrOf(alone.body.access_token), ['hwk', 'mfa']);
    const b = await account();
    assert.equal((await addPasskey(b, { backedUp: true })).status, 200);
    assert.deepEqual(amrOf((await authenticate(b.device)).body.access_token), ['swk', 'mfa']);
  });

  test('a passkey alone without user verification (no PIN, no biometrics) signs nobody in', async () => {
    const a = await account();
    assert.equal((await addPasskey(a)).status, 200);
    const r = await authenticate(a.device, undefined, { userVerified: false });
    assert.equal(r.status, 401, r.text);
    assert.equal(r.body.access_token, undefined);
  });

  test("another account's passkey does not finish this account's second step", async () => {
    const a = await account();
    const b = await account();
    assert.equal((await addPasskey(a)).status, 200);
    assert.equal((await addPasskey(b)).status, 200);
    server.clock.advance(1000);
    const first = await server.http('POST', '/api/v1/auth/login/json', { body: { username: a.username, password: PASSWORD } });
    assert.equal(first.status, 403);
    const wrongKey = await authenticate(b.device, first.body.mfa_token);
    assert.equal(wrongKey.status, 400, wrongKey.text);
    assert.equal(wrongKey.body.access_token, undefined);
    const rightKey = await authenticate(a.device, first.body.mfa_token);
    assert.equal(rightKey.status, 200, rightKey.text);
    assert.deepEqual(amrOf(rightKey.body.access_token), ['pwd', 'hwk', 'mfa']);
  });

  test('a credential id already registered (to anyone) is refused like a failed verification: 400, never 500, nothing stored', async () => {
    const a = await account();
    assert.equal((await addPasskey(a)).status, 200);
    const taken = a.device.credentials[0]!.id;
    const b = await account();
    const first = await server.http('GET', '/api/v1/auth/mfa', { token: b.token });
    assert.deepEqual(first.body.passkeys, []);
    const clash = await addPasskey(b, { credentialId: taken });
    assert.equal(clash.status, 400, clash.text);
    // The same answer as a passkey that does not verify at all: it tells nothing about the id.
    const start = await server.http('POST', '/api/v1/auth/mfa/passkeys/register/options', { token: b.token, body: { password: PASSWORD } });
    const forged = b.device.register(start.body.options);
    forged.response.clientDataJSON = Buffer.from('{"type":"webauthn.create","challenge":"x","origin":"http://evil.example"}').toString('base64url');
    const bad = await server.http('POST', '/api/v1/auth/mfa/passkeys/register/verify', {
      token: b.token,
      body: { ceremony_id: start.body.ceremony_id, credential: forged },
    });
    assert.deepEqual([clash.status, clash.body], [bad.status, bad.body]);
    assert.deepEqual((await server.http('GET', '/api/v1/auth/mfa', { token: b.token })).body.passkeys, []);
  });

  test('removing a passkey of a passkey-only account needs a fresh passkey sign-in (there is no code to type)', async () => {
    const a = await account();
    assert.equal((await addPasskey(a)).status, 200);
    const id = a.device.credentials[0]!.id.toString('base64url');
    const withPassword = await server.http('DELETE', `/api/v1/auth/mfa/passkeys/${id}`, { token: a.token, body: { password: PASSWORD } });
    assert.equal(withPassword.status, 403, 'the password alone does not remove a factor');
    const fresh = (await authenticate(a.device)).body.access_token as string;
    const removed = await server.http('DELETE', `/api/v1/auth/mfa/passkeys/${id}`, { token: fresh, body: {} });
    assert.equal(removed.status, 200, removed.text);
  });
});

describe('REQUIRE_VERIFIED_EMAIL=on', () => {
  let strict: TestServer;
  before(async () => {
    strict = await startTestServer({ env: { PUBLIC_URL: ORIGIN, REQUIRE_VERIFIED_EMAIL: 'on' } });
  });
  after(() => strict.close());

  test('applies to a passkey-only sign-in as to a password', async () => {
    const { username, user } = await registerV1(strict.http);
    const stored = (await strict.core.accounts.findById(user.id))!;
    // Verified to set the passkey up, then unverified again (an email change would do the same).
    await strict.core.accounts.setVerified(stored, 'email', true);
    const token = (await strict.http('POST', '/api/v1/auth/login/json', { body: { username, password: PASSWORD } })).body.access_token;
    const device = new SoftwareAuthenticator(ORIGIN);
    const start = await strict.http('POST', '/api/v1/auth/mfa/passkeys/register/options', { token, body: { password: PASSWORD } });
    const credential = device.register(start.body.options);
    const added = await strict.http('POST', '/api/v1/auth/mfa/passkeys/register/verify', { token, body: { ceremony_id: start.body.ceremony_id, credential } });
    assert.equal(added.status, 200, added.text);
    await strict.core.accounts.setVerified(stored, 'email', false);
    const options = await strict.http('POST', '/api/v1/auth/mfa/passkeys/authenticate/options');
    const r = await strict.http('POST', '/api/v1/auth/mfa/passkeys/authenticate/verify', {
      body: { ceremony_id: options.body.ceremony_id, credential: device.authenticate(options.body.options) },
    });
    assert.equal(r.status, 403, r.text);
    assert.equal(r.body.access_token, undefined);
  });
});
