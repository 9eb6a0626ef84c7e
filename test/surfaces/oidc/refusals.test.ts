// Every misuse of the OpenID Connect provider is refused with the standard
// error, and a user's provider session and tokens end with their core session.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as client from 'openid-client';
import type { Browser } from 'playwright-core';
import type { TestServer } from '../../helpers/test-server.ts';
import { PASSWORD, registerAndLogin, waitForResetToken } from '../../helpers/users.ts';
import { authorizationRequest, type callbackServer, newPage, type OidcFixture, refusedWith, relyingParty, startOidcFixture, walk } from '../../helpers/oidc.ts';
import { chromiumPath } from '../../helpers/browser.ts';

const executablePath = chromiumPath();
if (!executablePath && process.env.CI) throw new Error('CI is set but Chromium is not installed');

describe('OpenID Connect refusals', { skip: executablePath ? false : 'Chromium is not installed' }, () => {
  let server: TestServer;
  let browser: Browser;
  let rp: Awaited<ReturnType<typeof callbackServer>>;
  let issuer: string;
  let app: { clientId: string; secret: string };
  let config: client.Configuration;

  let fixture: OidcFixture | undefined;
  before(async () => {
    fixture = await startOidcFixture(executablePath!);
    ({ server, browser, rp, issuer, app, config } = fixture);
  });
  after(() => fixture?.close());

  /** A user signed in through the pages; the code the app got, not yet exchanged, and the browser. */
  async function codeFor(email?: string) {
    const login = email ?? (await registerAndLogin(server.http)).email;
    const { context, page } = await newPage(browser);
    const request = await authorizationRequest(config, rp.url);
    const { callback } = await walk(page, request.url, { login, password: PASSWORD }, rp.url);
    return { email: login, context, page, request, callback, code: callback.searchParams.get('code')! };
  }

  /** The token endpoint called by hand, for what openid-client will not send. */
  async function token(form: Record<string, string>, secret = app.secret) {
    const response = await fetch(config.serverMetadata().token_endpoint!, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${app.clientId}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  test('a redirect_uri not registered: an error page, never a redirect there', async () => {
    const request = await authorizationRequest(config, 'https://evil.example/cb');
    const response = await fetch(request.url, { redirect: 'manual' });
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('location'), null);
    const body = await response.text();
    assert.match(body, /invalid_redirect_uri/);
    assert.doesNotMatch(body, /evil\.example/);
  });

  test('a redirect_uri that only starts like the registered one (a longer path, a query, a fragment, another port): refused the same way', async () => {
    const registered = new URL(rp.url);
    const lookalikes = [
      `${rp.url}x`,
      `${rp.url}/../evil`,
      `${rp.url}?next=https://evil.example`,
      `${rp.url}#x`,
      `${registered.protocol}//${registered.hostname}:${Number(registered.port) + 1}${registered.pathname}`,
      rp.url.replace('http://', 'https://'),
    ];
    for (const uri of lookalikes) {
      const request = await authorizationRequest(config, uri);
      const response = await fetch(request.url, { redirect: 'manual' });
      assert.equal(response.status, 400, uri);
      assert.equal(response.headers.get('location'), null, uri);
      assert.match(await response.text(), /invalid_redirect_uri|invalid_request/, uri);
    }
  });

  test('an authorization request without a PKCE challenge is refused (PKCE is required for every client, confidential too)', async () => {
    const url = client.buildAuthorizationUrl(config, { redirect_uri: rp.url, scope: 'openid', state: 's1' });
    const response = await fetch(url, { redirect: 'manual' });
    const location = new URL(response.headers.get('location')!);
    assert.equal(location.origin + location.pathname, rp.url);
    assert.equal(location.searchParams.get('error'), 'invalid_request');
    assert.match(location.searchParams.get('error_description') ?? '', /PKCE/);
  });

  test('a missing or wrong code_verifier: invalid_grant', async () => {
    const first = await codeFor();
    const missing = await token({ grant_type: 'authorization_code', code: first.code, redirect_uri: rp.url });
    assert.equal(missing.status, 400);
    assert.ok(['invalid_grant', 'invalid_request'].includes(String(missing.body.error)), JSON.stringify(missing.body));
    const second = await codeFor(first.email);
    const wrong = await token({ grant_type: 'authorization_code', code: second.code, redirect_uri: rp.url, code_verifier: client.randomPKCECodeVerifier() });
    assert.deepEqual([wrong.status, wrong.body.error], [400, 'invalid_grant']);
    await first.context.close();
    await second.context.close();
  });

  test('a code used twice: invalid_grant, and the tokens it gave are revoked', async () => {
    const { context, code, request, email } = await codeFor();
    const sub = (await server.core.accounts.findByEmail(email))!.uuid;
    const first = await token({ grant_type: 'authorization_code', code, redirect_uri: rp.url, code_verifier: request.verifier });
    assert.equal(first.status, 200);
    assert.equal((await client.fetchUserInfo(config, String(first.body.access_token), sub)).sub, sub);
    const again = await token({ grant_type: 'authorization_code', code, redirect_uri: rp.url, code_verifier: request.verifier });
    assert.deepEqual([again.status, again.body.error], [400, 'invalid_grant']);
    await refusedWith(client.fetchUserInfo(config, String(first.body.access_token), sub), 'invalid_token');
    await refusedWith(client.refreshTokenGrant(config, String(first.body.refresh_token)), 'invalid_grant');
    await context.close();
  });

  test('an expired code: invalid_grant', async () => {
    const { context, code, request } = await codeFor();
    // A code lives 60 s: move the server's clock past it.
    server.clock.advance(61_000);
    const late = await token({ grant_type: 'authorization_code', code, redirect_uri: rp.url, code_verifier: request.verifier });
    assert.deepEqual([late.status, late.body.error], [400, 'invalid_grant']);
    await context.close();
  });

  test('a wrong client secret: invalid_client', async () => {
    const { context, code, request } = await codeFor();
    const wrong = await token({ grant_type: 'authorization_code', code, redirect_uri: rp.url, code_verifier: request.verifier }, `${app.secret}x`);
    assert.deepEqual([wrong.status, wrong.body.error], [401, 'invalid_client']);
    const other = await relyingParty(issuer, app.clientId, 'not-the-secret');
    await refusedWith(client.clientCredentialsGrant(other, {}), 'invalid_client');
    await context.close();
  });

  /** Signs in, exchanges the code; returns what the app holds. */
  async function signedIn() {
    const got = await codeFor();
    const tokens = await client.authorizationCodeGrant(config, got.callback, {
      pkceCodeVerifier: got.request.verifier,
      expectedState: got.request.state,
      expectedNonce: got.request.nonce,
    });
    const user = (await server.core.accounts.findByEmail(got.email))!;
    return { ...got, tokens, user };
  }

  /** After the core session ended: userinfo, refresh and introspection refuse; the browser is asked to sign in again. */
  async function assertEnded(s: Awaited<ReturnType<typeof signedIn>>) {
    await refusedWith(client.fetchUserInfo(config, s.tokens.access_token, s.user.uuid), 'invalid_token');
    await refusedWith(client.refreshTokenGrant(config, s.tokens.refresh_token!), 'invalid_grant');
    assert.equal((await client.tokenIntrospection(config, s.tokens.refresh_token!)).active, false);
    const next = await authorizationRequest(config, rp.url);
    await s.page.goto(next.url.href);
    assert.equal(await s.page.locator('h1').textContent(), 'Sign in', 'single sign-on ended with the core session');
  }

  test('a revoked session (admin or CLI revocation of every session): the provider session and tokens end', async () => {
    const s = await signedIn();
    assert.equal((await client.fetchUserInfo(config, s.tokens.access_token, s.user.uuid)).sub, s.user.uuid);
    await server.core.sessions.endAllForUser(s.user.id);
    await assertEnded(s);
    await s.context.close();
  });

  test('a disabled user: tokens refused, sign-in refused with words', async () => {
    const s = await signedIn();
    await server.core.accounts.setStatus(s.user, 'disabled');
    await assertEnded(s);
    await s.page.fill('#login', s.email);
    await s.page.fill('#password', PASSWORD);
    await s.page.locator('form button[type="submit"]').first().click();
    await s.page.waitForSelector('#form-error');
    assert.equal(await s.page.locator('#form-error').textContent(), 'This account is disabled.');
    await s.context.close();
  });

  test('a deleted user: tokens refused', async () => {
    const s = await signedIn();
    await server.core.accounts.delete(s.user);
    await assertEnded(s);
    await s.context.close();
  });

  test('a password reset ends the provider session too', async () => {
    const s = await signedIn();
    assert.equal((await server.http('POST', '/api/v1/auth/forgot-password', { body: { email: s.email } })).status, 200);
    const resetToken = await waitForResetToken(server.stores.outbox, s.email);
    await server.core.resets.reset(resetToken, 'another-horse-43');
    await assertEnded(s);
    await s.context.close();
  });
});
