// The account page in a real browser (Debian's Chromium driven by playwright-core):
// sign in, set up TOTP from the page, sign in again with the code, at phone and
// desktop widths, in English and Chinese; axe-core finds no serious or critical
// problem and the strict CSP holds. With UPDATE_SCREENSHOTS=1 the screenshots are
// written to docs/screenshots.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateSync } from 'otplib';
import type { Browser, Page } from 'playwright-core';
import { AXE_SOURCE, launchChromium, NO_CHROMIUM, requireChromium, screenshotFolder, WIDTHS } from '../../helpers/browser.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { registerV1 } from '../../helpers/users.ts';

const executablePath = requireChromium();
const AXE = AXE_SOURCE;
const SHOTS = screenshotFolder('account');

describe('the account page in Chromium', {
  skip: executablePath ? false : NO_CHROMIUM,
}, () => {
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

  async function open(path: string, size: keyof typeof WIDTHS, lang: string): Promise<Page> {
    const context = await browser.newContext({ viewport: WIDTHS[size], locale: lang, extraHTTPHeaders: { 'accept-language': lang } });
    const page = await context.newPage();
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/.test(m.text())) cspViolations.push(m.text());
    });
    await page.goto(server.url + path);
    return page;
  }

  async function check(page: Page, name: string) {
    await page.evaluate(AXE);
    const result = (await page.evaluate('axe.run(document, { resultTypes: ["violations"] })')) as { violations: Array<{ id: string; impact: string | null }> };
    const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact})`);
    axeFindings[name] = bad;
    assert.deepEqual(bad, [], name);
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  }

  const code = (secret: string) => generateSync({ secret, epoch: Math.floor(server.clock.now() / 1000) });

  for (const [size, lang] of [
    ['phone', 'zh-CN'],
    ['desktop', 'en-US'],
  ] as const) {
    test(`sign in, set up TOTP, sign out, sign in with the code (${size}, ${lang})`, async () => {
      const { username } = await registerV1(server.http);
      const page = await open('/account', size, lang);
      await check(page, `account-sign-in-${size}`);
      await page.fill('#login', username);
      await page.fill('#password', 'password123');
      await page.click('button[type="submit"]');
      await page.waitForSelector('#two-step');
      await check(page, `account-${size}`);
      // Setting up a factor is confirmed with the password (step-up).
      await page.fill('#set-up-totp-password', 'password123');
      await page.click('form[action^="/account/totp"] button');
      await page.waitForSelector('.qr svg');
      const secret = (await page.locator('.secret').textContent())!.replaceAll(' ', '');
      assert.match(secret, /^[A-Z2-7]{32}$/);
      await check(page, `account-totp-setup-${size}`);
      await page.fill('#code', code(secret));
      await page.click('button[type="submit"]');
      await page.waitForSelector('.codes');
      assert.equal(await page.locator('.codes li').count(), 10);
      await check(page, `account-recovery-codes-${size}`);
      server.clock.advance(30_000);
      await page.goto(`${server.url}/account`);
      await page.click('form[action^="/account/sign-out"] button');
      await page.waitForSelector('#login');
      await page.fill('#login', username);
      await page.fill('#password', 'password123');
      await page.click('button[type="submit"]');
      await page.waitForSelector('#code');
      await check(page, `account-second-step-${size}`);
      await page.fill('#code', code(secret));
      await page.click('button[type="submit"]');
      await page.waitForSelector('#two-step');
      await page.context().close();
    });
  }

  test('the strict CSP held on every page', () => {
    assert.deepEqual(cspViolations, []);
  });
});
