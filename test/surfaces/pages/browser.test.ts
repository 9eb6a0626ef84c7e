// The pages in a real browser (Debian's Chromium driven by playwright-core):
// the whole reset and verification flows from the mail in the outbox, a mail
// scanner's visit that spends nothing, the strict CSP holding, and axe-core
// finding no serious or critical accessibility problem at phone and desktop
// widths. With UPDATE_SCREENSHOTS=1 the screenshots are written to docs/screenshots.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { AXE_SOURCE, launchChromium, NO_CHROMIUM, requireChromium, screenshotFolder, WIDTHS } from '../../helpers/browser.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { registerV1, waitForResetToken, waitForVerification } from '../../helpers/users.ts';

const executablePath = requireChromium();
const AXE = AXE_SOURCE;
const SHOTS = screenshotFolder('pages');

describe('the pages in Chromium', { skip: executablePath ? false : NO_CHROMIUM }, () => {
  let server: TestServer;
  let browser: Browser;
  const cspViolations: string[] = [];
  const axeFindings: Record<string, string[]> = {};
  before(async () => {
    server = await startTestServer();
    browser = await launchChromium(executablePath!);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    console.log(`# axe (serious or critical): ${JSON.stringify(axeFindings)}; screenshots in ${SHOTS}`);
  });

  async function open(url: string, size: keyof typeof WIDTHS = 'desktop', lang = 'en-US'): Promise<Page> {
    const context = await browser.newContext({ viewport: WIDTHS[size], locale: lang, extraHTTPHeaders: { 'accept-language': lang } });
    const page = await context.newPage();
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/.test(m.text())) cspViolations.push(m.text());
    });
    await page.goto(url);
    return page;
  }

  /** axe-core on the page as it stands; returns the serious and critical violations. */
  async function audit(page: Page, name: string): Promise<string[]> {
    // Evaluated through the DevTools protocol, not as a page script: the page's CSP stays as it is.
    await page.evaluate(AXE);
    const result = (await page.evaluate('axe.run(document, { resultTypes: ["violations"] })')) as { violations: Array<{ id: string; impact: string | null }> };
    const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact})`);
    axeFindings[name] = bad;
    return bad;
  }

  async function shoot(page: Page, name: string) {
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  }

  const link = (text: string, path: string) => new RegExp(`http://[^/\\s]+(${path}\\?token=\\S+)`).exec(text)![1]!;

  test('reset: the link from the outbox opens a form; a new password set there logs in', async () => {
    const { email, username } = await registerV1(server.http);
    await server.http('POST', '/api/v1/auth/forgot-password', { body: { email } });
    await waitForResetToken(server.stores.outbox, email);
    const mail = (await server.stores.outbox.list(20)).find((m) => m.to === email && m.text.includes('reset-password'))!;
    for (const size of ['phone', 'desktop'] as const) {
      const page = await open(server.url + link(mail.text, '/reset-password'), size);
      assert.equal(await page.locator('h1').textContent(), 'Set a new password');
      assert.deepEqual(await audit(page, `reset-${size}`), []);
      await shoot(page, `reset-password-${size}`);
      if (size === 'phone') {
        // the script checks the two passwords before anything is sent
        await page.fill('#password', 'browser-password-1');
        await page.fill('#confirm', 'browser-password-2');
        await page.click('button[type="submit"]');
        assert.equal(await page.locator('#form-error').textContent(), 'The two passwords differ.');
        assert.equal(new URL(page.url()).pathname, '/reset-password');
        assert.deepEqual(await audit(page, 'reset-error-phone'), []);
        await shoot(page, 'reset-password-error-phone');
        await page.context().close();
        continue;
      }
      await page.fill('#password', 'browser-password-1');
      await page.fill('#confirm', 'browser-password-1');
      await page.click('button[type="submit"]');
      await page.waitForSelector('h1.ok-title');
      assert.equal(await page.locator('h1').textContent(), 'Password changed');
      assert.deepEqual(await audit(page, 'reset-done-desktop'), []);
      await shoot(page, 'reset-password-done-desktop');
      await page.context().close();
    }
    assert.equal((await server.http('POST', '/api/v1/auth/login/json', { body: { username, password: 'browser-password-1' } })).status, 200);
  });

  test('a mail scanner opening the link (GET only) leaves the token usable', async () => {
    const { email } = await registerV1(server.http);
    await server.http('POST', '/api/v1/auth/forgot-password', { body: { email } });
    const token = await waitForResetToken(server.stores.outbox, email);
    const page = await open(`${server.url}/reset-password?token=${token}`);
    await page.context().close();
    assert.equal((await server.http('POST', '/api/v1/auth/reset-password', { body: { token, new_password: 'after-scanner-1' } })).status, 200);
  });

  test('verification: the link from the outbox, one press, verified; Chinese for a Chinese browser', async () => {
    const { email, username } = await registerV1(server.http);
    await waitForVerification(server.stores.outbox, email);
    const mail = (await server.stores.outbox.list(20)).find((m) => m.to === email && m.text.includes('verify-email'))!;
    const target = server.url + link(mail.text, '/verify-email');
    const phone = await open(target, 'phone', 'zh-CN');
    assert.equal(await phone.locator('h1').textContent(), '验证邮箱');
    assert.deepEqual(await audit(phone, 'verify-phone'), []);
    await shoot(phone, 'verify-email-phone');
    await phone.context().close();
    const page = await open(target, 'desktop', 'zh-CN');
    await shoot(page, 'verify-email-desktop');
    await page.click('button[type="submit"]');
    await page.waitForSelector('h1.ok-title');
    assert.equal(await page.locator('h1').textContent(), '邮箱已验证');
    await page.context().close();
    assert.equal((await server.core.accounts.findByUsername(username))!.isEmailVerified, true);
  });

  test('/ at both widths; the keyboard reaches every link with a visible focus ring', async () => {
    for (const size of ['phone', 'desktop'] as const) {
      const page = await open(`${server.url}/`, size);
      assert.deepEqual(await audit(page, `home-${size}`), []);
      await shoot(page, `home-${size}`);
      await page.keyboard.press('Tab');
      const outline = await page.evaluate('getComputedStyle(document.activeElement).outlineStyle');
      assert.equal(outline, 'solid');
      await page.context().close();
    }
    assert.deepEqual(cspViolations, [], 'the strict CSP holds: nothing was refused');
  });
});
