// The OpenID Connect pages (sign-in, consent, logout, errors) in Chromium: in
// English and Chinese, at phone and desktop widths, axe-core finding nothing
// serious or critical, the strict CSP never violated, every form working with
// JavaScript off, and a form without its CSRF cookie refused. With
// UPDATE_SCREENSHOTS=1 the screenshots are written to docs/screenshots.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as client from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { authorizationRequest, callbackServer, freePort, relyingParty, walk } from '../../helpers/oidc.ts';
import { chromiumPath, launchChromium } from '../../helpers/browser.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { PASSWORD, registerAndLogin } from '../../helpers/users.ts';

const executablePath = chromiumPath();
if (!executablePath && process.env.CI) throw new Error('CI is set but Chromium is not installed');
const AXE = readFileSync(new URL('../../../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
const SHOTS = process.env.UPDATE_SCREENSHOTS
  ? new URL('../../../docs/screenshots/', import.meta.url).pathname
  : mkdtempSync(join(tmpdir(), 'gatehouse-oidc-shots-'));
const SIZES = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 800 } } as const;

describe('the OpenID Connect pages in Chromium', { skip: executablePath ? false : 'Chromium is not installed' }, () => {
  let server: TestServer;
  let browser: Browser;
  let rp: Awaited<ReturnType<typeof callbackServer>>;
  let config: client.Configuration;
  const cspViolations: string[] = [];

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const port = await freePort();
    server = await startTestServer({ port, env: { PUBLIC_URL: `http://127.0.0.1:${port}` } });
    rp = await callbackServer();
    const registered = await server.core.apps.register({ name: 'Notes', redirectUris: [rp.url] });
    config = await relyingParty(`http://127.0.0.1:${port}/oidc`, registered.app.clientId, registered.secret);
    browser = await launchChromium(executablePath!);
  });
  after(async () => {
    await browser?.close();
    await rp?.close();
    await server?.close();
  });

  async function open(size: keyof typeof SIZES, locale: string, javaScriptEnabled = true) {
    const context = await browser.newContext({ viewport: SIZES[size], locale, extraHTTPHeaders: { 'accept-language': locale }, javaScriptEnabled });
    const page = await context.newPage();
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/.test(m.text())) cspViolations.push(m.text());
    });
    return { context, page };
  }

  /** axe-core on the page as it stands (through the DevTools protocol: the page's CSP stays as it is). */
  async function check(page: Page, name: string) {
    await page.evaluate(AXE);
    const result = (await page.evaluate('axe.run(document, { resultTypes: ["violations"] })')) as { violations: Array<{ id: string; impact: string | null }> };
    const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact})`);
    assert.deepEqual(bad, [], name);
    // The Chinese pages are checked but not photographed: the CI machine has no CJK font.
    if (!name.includes('zh')) await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  }

  for (const [size, locale, suffix] of [
    ['desktop', 'en-US', 'desktop'],
    ['phone', 'en-US', 'phone'],
    ['phone', 'zh-CN', 'zh-phone'],
  ] as const) {
    test(`sign-in, consent, logout and signed-out pages (${suffix})`, async () => {
      const { email } = await registerAndLogin(server.http);
      const { context, page } = await open(size, locale);
      const request = await authorizationRequest(config, rp.url);
      const seen: string[] = [];
      const { callback } = await walk(page, request.url, { login: email, password: PASSWORD }, rp.url, async (p, heading) => {
        seen.push(heading);
        await check(p, seen.length === 1 ? `oidc-sign-in-${suffix}` : `oidc-consent-${suffix}`);
      });
      assert.deepEqual(seen, locale === 'zh-CN' ? ['登录', '授权访问'] : ['Sign in', 'Allow access']);
      const tokens = await client.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: request.verifier,
        expectedState: request.state,
        expectedNonce: request.nonce,
      });
      await page.goto(client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token! }).href);
      await check(page, `oidc-logout-${suffix}`);
      await Promise.all([page.waitForURL(/session\/end\/success/, { timeout: 30_000 }), page.locator('button[value="yes"]').click()]);
      await check(page, `oidc-signed-out-${suffix}`);
      await context.close();
    });
  }

  test('the whole flow works with JavaScript off', async () => {
    const { email } = await registerAndLogin(server.http);
    const { context, page } = await open('desktop', 'en-US', false);
    const request = await authorizationRequest(config, rp.url);
    const { shown, callback } = await walk(page, request.url, { login: email, password: PASSWORD }, rp.url);
    assert.deepEqual(shown, ['Sign in', 'Allow access']);
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
    await page.goto(client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token! }).href);
    await Promise.all([page.waitForURL(/session\/end\/success/, { timeout: 30_000 }), page.locator('button[value="yes"]').click()]);
    assert.equal(await page.locator('h1').textContent(), 'Signed out');
    await context.close();
  });

  test('a wrong password: the sign-in again, with the reason in words; an unknown redirect_uri: the error page', async () => {
    const { email } = await registerAndLogin(server.http);
    const { context, page } = await open('phone', 'en-US');
    const request = await authorizationRequest(config, rp.url);
    await page.goto(request.url.href);
    await page.fill('#login', email);
    await page.fill('#password', 'not-the-password');
    await page.locator('form button[type="submit"]').first().click();
    await page.waitForSelector('#form-error');
    assert.equal(await page.locator('#form-error').textContent(), 'Wrong username or password.');
    await check(page, 'oidc-sign-in-error-phone');
    const bad = await authorizationRequest(config, 'https://elsewhere.example/cb');
    await page.goto(bad.url.href);
    assert.equal(await page.locator('h1').textContent(), 'Sign-in failed');
    assert.equal(await page.locator('code').textContent(), 'invalid_redirect_uri');
    await check(page, 'oidc-error-phone');
    await context.close();
  });

  test('a sign-in form posted without its CSRF cookie is refused', async () => {
    const { email } = await registerAndLogin(server.http);
    const { context, page } = await open('desktop', 'en-US');
    await page.goto((await authorizationRequest(config, rp.url)).url.href);
    await context.clearCookies({ name: 'gh_csrf' });
    await page.fill('#login', email);
    await page.fill('#password', PASSWORD);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.locator('form button[type="submit"]').first().click(),
    ]);
    assert.equal(response.status(), 403);
    assert.equal(await page.locator('#form-error').textContent(), 'This page expired. Please try again.');
    await context.close();
  });

  test('no page broke its Content-Security-Policy', () => {
    assert.deepEqual(cspViolations, []);
  });
});
