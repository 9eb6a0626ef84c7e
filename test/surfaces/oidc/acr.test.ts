// How the user signed in, told to the app and demanded by it: id_tokens carry
// `amr` (the core sign-in's) and `acr` (urn:gatehouse:acr:pwd or :mfa);
// `acr_values=urn:gatehouse:acr:mfa` sends a session without a second factor
// through the sign-in again, and an account without one gets
// `unmet_authentication_requirements`; `max_age` measures the core sign-in.
// openid-client is the app; the pages are walked as plain forms.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as client from 'openid-client';
import { generateSync } from 'otplib';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { PASSWORD, registerAndLogin } from '../../helpers/users.ts';
import { authorizationRequest, callbackServer, CookieJar, formWalk, freePort, refusedWith, relyingParty } from '../../helpers/oidc.ts';

const PWD = 'urn:gatehouse:acr:pwd';
const MFA = 'urn:gatehouse:acr:mfa';

interface Setup {
  server: TestServer;
  rp: Awaited<ReturnType<typeof callbackServer>>;
  config: client.Configuration;
  close(): Promise<void>;
}

async function setUp(startAt?: number): Promise<Setup> {
  const port = await freePort();
  const server = await startTestServer({ port, startAt, env: { PUBLIC_URL: `http://127.0.0.1:${port}` } });
  const rp = await callbackServer();
  const registered = await server.core.apps.register({ name: 'Notes', redirectUris: [rp.url] });
  const config = await relyingParty(`http://127.0.0.1:${port}/oidc`, registered.app.clientId, registered.secret!);
  return {
    server,
    rp,
    config,
    async close() {
      await rp.close();
      await server.close();
    },
  };
}

/** Signs in through the pages with `jar` (a browser); the app's tokens, or the error it got. */
async function authorize(s: Setup, jar: CookieJar, user: { email: string; code?: () => string }, extra: Record<string, string> = {}) {
  const request = await authorizationRequest(s.config, s.rp.url, { scope: 'openid email', prompt: '', ...extra });
  const { shown, callback } = await formWalk(jar, request.url, { login: user.email, password: PASSWORD, code: user.code }, s.rp.url);
  const exchange = () =>
    client.authorizationCodeGrant(s.config, callback, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
      ...(extra.max_age ? { maxAge: Number(extra.max_age) } : {}),
    });
  return { shown, callback, exchange };
}

describe('acr and amr in id_tokens; acr_values demands the second factor', () => {
  let s: Setup;
  before(async () => {
    s = await setUp();
  });
  after(() => s?.close());

  const totp = (secret: string) => () => generateSync({ secret, epoch: Math.floor(s.server.clock.now() / 1000) });

  /** A user with TOTP enrolled through the API; a code for the next step comes from `code()`. */
  async function enrolledUser() {
    const { email, token } = await registerAndLogin(s.server.http);
    const setup = await s.server.http('POST', '/api/v1/auth/mfa/totp', { token, body: { password: PASSWORD } });
    assert.equal(setup.status, 200, setup.text);
    const confirm = await s.server.http('POST', '/api/v1/auth/mfa/totp/confirm', { token, body: { code: totp(setup.body.secret)() } });
    assert.equal(confirm.status, 200, confirm.text);
    // The next code is another window's: a code is good once.
    s.server.clock.advance(30_000);
    return { email, code: totp(setup.body.secret as string), token };
  }

  test('a password sign-in: acr urn:gatehouse:acr:pwd, amr ["pwd"]; discovery lists both acr values', async () => {
    const { email } = await registerAndLogin(s.server.http);
    const { shown, exchange } = await authorize(s, new CookieJar(), { email });
    assert.deepEqual(shown, ['Sign in', 'Allow access']);
    const claims = (await exchange()).claims()!;
    assert.deepEqual([claims.acr, claims.amr], [PWD, ['pwd']]);
    assert.deepEqual(s.config.serverMetadata().acr_values_supported, [PWD, MFA]);
  });

  test('a sign-in with an authenticator code: acr urn:gatehouse:acr:mfa, amr the core sign-in’s; kept by refresh', async () => {
    const user = await enrolledUser();
    const { shown, exchange } = await authorize(s, new CookieJar(), user, { scope: 'openid offline_access', prompt: 'consent' });
    assert.deepEqual(shown, ['Sign in', 'Two-step verification', 'Allow access']);
    const tokens = await exchange();
    assert.deepEqual([tokens.claims()!.acr, tokens.claims()!.amr], [MFA, ['pwd', 'otp', 'mfa']]);
    const refreshed = await client.refreshTokenGrant(s.config, tokens.refresh_token!);
    assert.deepEqual([refreshed.claims()!.acr, refreshed.claims()!.amr], [MFA, ['pwd', 'otp', 'mfa']]);
  });

  test('acr_values=mfa with a session that has it: single sign-on, no page', async () => {
    const user = await enrolledUser();
    const jar = new CookieJar();
    await (await authorize(s, jar, user)).exchange();
    const again = await authorize(s, jar, user, { acr_values: MFA });
    assert.deepEqual(again.shown, []);
    assert.equal((await again.exchange()).claims()!.acr, MFA);
  });

  test('acr_values=mfa with a password-only session: the sign-in again; an account without a factor then gets unmet_authentication_requirements', async () => {
    const { email } = await registerAndLogin(s.server.http);
    const user = (await s.server.core.accounts.findByEmail(email))!;
    const jar = new CookieJar();
    await (await authorize(s, jar, { email })).exchange();
    const sessions = (await s.server.core.sessions.listForUser(user.id)).length;
    // Naming both values accepts either: single sign-on as before.
    const either = await authorize(s, jar, { email }, { acr_values: `${MFA} ${PWD}` });
    assert.deepEqual(either.shown, []);
    assert.equal((await either.exchange()).claims()!.acr, PWD);
    const demanded = await authorize(s, jar, { email }, { acr_values: MFA });
    assert.deepEqual(demanded.shown, ['Sign in'], 'sent through the sign-in, not signed on silently');
    assert.equal(demanded.callback.searchParams.get('error'), 'unmet_authentication_requirements');
    assert.equal(demanded.callback.searchParams.get('code'), null);
    await refusedWith(demanded.exchange(), 'unmet_authentication_requirements');
    assert.equal((await s.server.core.sessions.listForUser(user.id)).length, sessions, 'the core session that sign-in started was ended');
    // prompt=none cannot ask: login_required.
    const silent = await authorize(s, jar, { email }, { acr_values: MFA, prompt: 'none' });
    assert.equal(silent.callback.searchParams.get('error'), 'login_required');
  });

  test('acr_values=mfa with a password-only session of an account that has since set up a factor: the sign-in and its second step, then acr mfa', async () => {
    const { email, token } = await registerAndLogin(s.server.http);
    const jar = new CookieJar();
    assert.equal((await (await authorize(s, jar, { email })).exchange()).claims()!.acr, PWD);
    const setup = await s.server.http('POST', '/api/v1/auth/mfa/totp', { token, body: { password: PASSWORD } });
    const code = totp(setup.body.secret as string);
    assert.equal((await s.server.http('POST', '/api/v1/auth/mfa/totp/confirm', { token, body: { code: code() } })).status, 200);
    s.server.clock.advance(30_000);
    const stepped = await authorize(s, jar, { email, code }, { acr_values: MFA });
    // Setting up the first factor ended the account's other sessions, the provider's and the grant bound to it with them.
    assert.deepEqual(stepped.shown, ['Sign in', 'Two-step verification', 'Allow access']);
    const claims = (await stepped.exchange()).claims()!;
    assert.deepEqual([claims.acr, claims.amr], [MFA, ['pwd', 'otp', 'mfa']]);
  });
});

describe('max_age measures the core sign-in', () => {
  // The server's clock runs 30 s behind: its core sign-ins are 30 s old by the provider's (real) clock. (Not more:
  // Redis expires a 60 s code by the real clock.)
  const LAG_S = 30;
  let s: Setup;
  before(async () => {
    s = await setUp(Date.now() - LAG_S * 1000);
  });
  after(() => s?.close());

  test('auth_time is the core session’s start; an older sign-in than max_age asks again, a younger one does not', async () => {
    const { email } = await registerAndLogin(s.server.http);
    const user = (await s.server.core.accounts.findByEmail(email))!;
    const jar = new CookieJar();
    const first = await authorize(s, jar, { email });
    const claims = (await first.exchange()).claims()!;
    const [session] = await s.server.core.sessions.listForUser(user.id).then((all) => all.sort((a, b) => b.createdAt - a.createdAt));
    assert.equal(claims.auth_time, Math.floor(session!.createdAt / 1000));
    const young = await authorize(s, jar, { email }, { max_age: '3600' });
    assert.deepEqual(young.shown, [], 'signed in less than max_age ago: single sign-on');
    assert.equal((await young.exchange()).claims()!.auth_time, claims.auth_time);
    // From here the server's clock is right: the sign-in max_age asks for is a fresh one.
    s.server.clock.set(Date.now());
    const old = await authorize(s, jar, { email }, { max_age: String(LAG_S / 3) });
    assert.deepEqual(old.shown, ['Sign in'], 'signed in longer than max_age ago: the sign-in again');
    assert.ok((await old.exchange()).claims()!.auth_time! >= claims.auth_time! + LAG_S);
  });
});
