// The OpenID Connect sign-in is the core login with its second step: an
// account with TOTP gets no code for the app from a password alone, a wrong
// code is refused on the page, and the right one (or a recovery code) finishes
// the sign-in; MFA_LEGACY_LOGIN=allow does not open this way in.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generateSync } from 'otplib';
import type { Browser, Page } from 'playwright-core';
import type * as client from 'openid-client';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { PASSWORD, registerAndLogin } from '../../helpers/users.ts';
import { authorizationRequest, callbackServer, freePort, newPage, relyingParty } from '../../helpers/oidc.ts';
import { chromiumPath, launchChromium } from '../../helpers/browser.ts';

const executablePath = chromiumPath();
if (!executablePath && process.env.CI) throw new Error('CI is set but Chromium is not installed');

describe('OpenID Connect sign-in with a second factor', { skip: executablePath ? false : 'Chromium is not installed' }, () => {
  let server: TestServer;
  let browser: Browser;
  let rp: Awaited<ReturnType<typeof callbackServer>>;
  let config: client.Configuration;

  before(async () => {
    const port = await freePort();
    // allow: the legacy login paths may skip the second step; the hosted sign-in must not.
    server = await startTestServer({ port, env: { PUBLIC_URL: `http://127.0.0.1:${port}`, MFA_LEGACY_LOGIN: 'allow' } });
    rp = await callbackServer();
    const registered = await server.core.apps.register({ name: 'Notes', redirectUris: [rp.url] });
    config = await relyingParty(`http://127.0.0.1:${port}/oidc`, registered.app.clientId, registered.secret!);
    browser = await launchChromium(executablePath!);
  });
  after(async () => {
    await browser?.close();
    await rp?.close();
    await server?.close();
  });

  const codeFor = (secret: string) => generateSync({ secret, epoch: Math.floor(server.clock.now() / 1000) });

  /** A user with TOTP enrolled through the API; the secret and the recovery codes. */
  async function enrolled() {
    const { email, token } = await registerAndLogin(server.http);
    const setup = await server.http('POST', '/api/v1/auth/mfa/totp', { token, body: { password: PASSWORD } });
    assert.equal(setup.status, 200, setup.text);
    const confirm = await server.http('POST', '/api/v1/auth/mfa/totp/confirm', { token, body: { code: codeFor(setup.body.secret) } });
    assert.equal(confirm.status, 200, confirm.text);
    server.clock.advance(30_000);
    return { email, secret: setup.body.secret as string, recoveryCodes: confirm.body.recovery_codes as string[] };
  }

  async function submit(page: Page) {
    const from = page.url();
    await Promise.all([page.waitForURL((u) => u.href !== from, { timeout: 30_000 }), page.locator('form button[type="submit"]').first().click()]);
  }

  async function signInWithPassword(page: Page, email: string) {
    const request = await authorizationRequest(config, rp.url);
    await page.goto(request.url.href);
    await page.fill('#login', email);
    await page.fill('#password', PASSWORD);
    await submit(page);
    return request;
  }

  test('the password alone leads to the second step, not to the app; a wrong code stays there; the right code reaches the app', async () => {
    const { email, secret } = await enrolled();
    const { context, page } = await newPage(browser);
    try {
      await signInWithPassword(page, email);
      assert.equal((await page.locator('h1').textContent())?.trim(), 'Two-step verification');
      assert.ok(!page.url().startsWith(rp.url), 'no code for the app yet');
      await page.fill('#code', '000000' === codeFor(secret) ? '111111' : '000000');
      const wrong = page.waitForResponse((r) => r.url().includes('/second-factor'));
      await page.locator('form button[type="submit"]').first().click();
      assert.equal((await wrong).status(), 401);
      assert.match((await page.locator('[role="alert"]').textContent()) ?? '', /wrong or was already used/);
      await page.fill('#code', codeFor(secret));
      await submit(page);
      if (!page.url().startsWith(rp.url)) await submit(page); // consent
      const callback = new URL(page.url());
      assert.ok(callback.href.startsWith(rp.url), callback.href);
      assert.ok(callback.searchParams.get('code'));
    } finally {
      await context.close();
    }
  });

  test('a recovery code finishes the sign-in once', async () => {
    const { email, recoveryCodes } = await enrolled();
    const { context, page } = await newPage(browser);
    try {
      await signInWithPassword(page, email);
      await page.fill('#code', recoveryCodes[0]!);
      await submit(page);
      if (!page.url().startsWith(rp.url)) await submit(page);
      assert.ok(page.url().startsWith(rp.url), page.url());
    } finally {
      await context.close();
    }
    const again = await newPage(browser);
    try {
      await signInWithPassword(again.page, email);
      await again.page.fill('#code', recoveryCodes[0]!);
      const refused = again.page.waitForResponse((r) => r.url().includes('/second-factor'));
      await again.page.locator('form button[type="submit"]').first().click();
      assert.equal((await refused).status(), 401, 'a recovery code works once');
    } finally {
      await again.context.close();
    }
  });
});
