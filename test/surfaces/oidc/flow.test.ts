// Sign in with Gatehouse, end to end: openid-client as the relying party,
// Chromium through the sign-in and consent pages, the id_token verified
// against the provider's JWKS, userinfo, refresh, revocation, logout, and
// single sign-on on a second authorization.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as client from 'openid-client';
import type { Browser } from 'playwright-core';
import type { TestServer } from '../../helpers/test-server.ts';
import { PASSWORD, registerAndLogin } from '../../helpers/users.ts';
import { authorizationRequest, type callbackServer, newPage, type OidcFixture, refusedWith, relyingParty, startOidcFixture, walk } from '../../helpers/oidc.ts';
import { chromiumPath } from '../../helpers/browser.ts';

const executablePath = chromiumPath();
if (!executablePath && process.env.CI) throw new Error('CI is set but Chromium is not installed');

describe('sign in with Gatehouse (OpenID Connect)', { skip: executablePath ? false : 'Chromium is not installed' }, () => {
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

  /** A fresh user and a browser that signs them in through the pages; the tokens the app gets. */
  async function signIn(options: { email?: string; extra?: Record<string, string> } = {}) {
    const email = options.email ?? (await registerAndLogin(server.http)).email;
    const { context, page } = await newPage(browser);
    const request = await authorizationRequest(config, rp.url, options.extra);
    const { shown, callback } = await walk(page, request.url, { login: email, password: PASSWORD }, rp.url);
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
    return { email, context, page, shown, tokens, request, callback };
  }

  test('code + PKCE through the pages: a verified id_token, userinfo, refresh, revocation', async () => {
    const { email, context, shown, tokens } = await signIn();
    assert.deepEqual(shown, ['Sign in', 'Allow access']);
    const user = (await server.core.accounts.findByEmail(email))!;
    // The id_token's signature, issuer, audience and expiry, against the provider's published keys alone.
    const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
    const { payload, protectedHeader } = await jwtVerify(tokens.id_token!, jwks, { issuer, audience: app.clientId });
    assert.equal(protectedHeader.alg, 'RS256');
    assert.ok(protectedHeader.kid);
    assert.equal(payload.sub, user.uuid);
    // The same keys as every Gatehouse token: one JWKS at /.well-known/jwks.json verifies it too.
    await jwtVerify(tokens.id_token!, createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`)), { issuer, audience: app.clientId });
    assert.equal(payload.email, email);
    assert.equal(payload.email_verified, false);
    const info = await client.fetchUserInfo(config, tokens.access_token, user.uuid);
    assert.equal(info.sub, user.uuid);
    assert.equal(info.email, email);
    assert.equal(info.given_name, 'Test');
    assert.ok(tokens.refresh_token, 'offline_access gives a refresh token');
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    assert.notEqual(refreshed.access_token, tokens.access_token);
    assert.equal((await client.fetchUserInfo(config, refreshed.access_token, user.uuid)).sub, user.uuid);
    // Revocation: the revoked access token is refused at userinfo with the standard error.
    assert.equal((await client.tokenIntrospection(config, tokens.refresh_token!)).active, true);
    await client.tokenRevocation(config, refreshed.access_token);
    await refusedWith(client.fetchUserInfo(config, refreshed.access_token, user.uuid), 'invalid_token');
    // Revoking an access token revokes its grant's refresh token too (oidc-provider's policy; RFC 7009 §2.1 allows it).
    assert.equal((await client.tokenIntrospection(config, tokens.refresh_token!)).active, false);
    await refusedWith(client.refreshTokenGrant(config, tokens.refresh_token!), 'invalid_grant');
    await context.close();
  });

  test('single sign-on: a second authorization in the same browser asks nothing', async () => {
    const { context, page, email } = await signIn();
    const second = await authorizationRequest(config, rp.url, { prompt: '' });
    const again = await walk(page, second.url, { login: email, password: 'not-needed-1' }, rp.url);
    assert.deepEqual(again.shown, [], 'neither sign-in nor consent is shown');
    const tokens = await client.authorizationCodeGrant(config, again.callback, {
      pkceCodeVerifier: second.verifier,
      expectedState: second.state,
      expectedNonce: second.nonce,
    });
    assert.ok(tokens.id_token);
    await context.close();
  });

  test('an app registered for EdDSA (or ES256) gets its id_tokens signed so, verifiable against the same JWKS', async () => {
    for (const alg of ['EdDSA', 'ES256'] as const) {
      const registered = await server.core.apps.register({ name: `Notes ${alg}`, redirectUris: [rp.url], idTokenAlg: alg });
      const other = await relyingParty(issuer, registered.app.clientId, registered.secret);
      const { email } = await registerAndLogin(server.http);
      const { context, page } = await newPage(browser);
      const request = await authorizationRequest(other, rp.url);
      const { callback } = await walk(page, request.url, { login: email, password: PASSWORD }, rp.url);
      const tokens = await client.authorizationCodeGrant(other, callback, {
        pkceCodeVerifier: request.verifier,
        expectedState: request.state,
        expectedNonce: request.nonce,
      });
      const { protectedHeader } = await jwtVerify(tokens.id_token!, createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`)), {
        issuer,
        audience: registered.app.clientId,
      });
      assert.equal(protectedHeader.alg, alg);
      await context.close();
    }
  });

  test('after a key rotation the provider signs id_tokens with the new key, without a restart; the old key still verifies', async () => {
    const first = await signIn();
    const before = decodeProtectedHeader(first.tokens.id_token!).kid;
    await first.context.close();
    const [made] = await server.core.signingKeys.rotate(['RS256']);
    const second = await signIn();
    const header = decodeProtectedHeader(second.tokens.id_token!);
    await second.context.close();
    assert.equal(header.kid, made!.kid, 'signed with the rotated-in key');
    assert.notEqual(header.kid, before);
    const published = await fetch(`${server.url}/.well-known/jwks.json`).then((r) => r.json() as Promise<{ keys: { kid: string }[] }>);
    const kids = published.keys.map((k) => k.kid);
    assert.ok(kids.includes(made!.kid) && kids.includes(before!), 'both keys published while the old one may still verify');
  });

  test('client_credentials: a service token for a confidential app', async () => {
    const tokens = await client.clientCredentialsGrant(config, {});
    assert.equal(tokens.token_type.toLowerCase(), 'bearer');
    assert.ok(tokens.access_token);
  });

  test('RP-initiated logout ends the provider session and the core session: refresh refused, the next authorization asks again', async () => {
    const { context, page, email, tokens } = await signIn();
    const user = (await server.core.accounts.findByEmail(email))!;
    const before = (await server.core.sessions.listForUser(user.id)).length;
    const end = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: rp.url });
    await page.goto(end.href);
    assert.equal(await page.locator('h1').textContent(), 'Sign out');
    await Promise.all([page.waitForURL((u) => u.href.startsWith(rp.url), { timeout: 30_000 }), page.locator('button[value="yes"]').click()]);
    assert.equal((await server.core.sessions.listForUser(user.id)).length, before - 1, 'the core session of that sign-in ended');
    await refusedWith(client.refreshTokenGrant(config, tokens.refresh_token!), 'invalid_grant');
    const next = await authorizationRequest(config, rp.url);
    const walked = await walk(page, next.url, { login: email, password: PASSWORD }, rp.url);
    assert.equal(walked.shown[0], 'Sign in');
    await context.close();
  });
});
