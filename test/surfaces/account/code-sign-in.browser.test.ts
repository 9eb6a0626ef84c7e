// Signing in on /account with a mailed code, in a real browser (Debian's Chromium driven by
// playwright-core): the code typed in (Chinese, phone width), and the mail's link (English,
// desktop): opening the link spends nothing (a mail scanner, another browser: the page shows
// the code), its button signs in the browser that asked and no other, once. axe-core finds no
// serious or critical problem and the strict CSP holds.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { AXE_SOURCE, launchChromium, NO_CHROMIUM, requireChromium, screenshotFolder, WIDTHS } from '../../helpers/browser.ts';
import { FormBrowser } from '../../helpers/form-browser.ts';
import { freePort } from '../../helpers/oidc.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { registerV1 } from '../../helpers/users.ts';

const executablePath = requireChromium();
const SHOTS = screenshotFolder('account-code');

describe('signing in on /account with a mailed code, in Chromium', { skip: executablePath ? false : NO_CHROMIUM }, () => {
  let server: TestServer;
  let browser: Browser;
  const cspViolations: string[] = [];
  before(async () => {
    // The mail's link is made from PUBLIC_URL: the port is known before the start.
    const port = await freePort();
    server = await startTestServer({ port, env: { PUBLIC_URL: `http://127.0.0.1:${port}` } });
    browser = await launchChromium(executablePath!);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function context(size: keyof typeof WIDTHS, lang: string): Promise<BrowserContext> {
    const made = await browser.newContext({ viewport: WIDTHS[size], locale: lang, extraHTTPHeaders: { 'accept-language': lang } });
    made.on('console', (m) => {
      if (/Content Security Policy|Refused to/.test(m.text())) cspViolations.push(m.text());
    });
    return made;
  }

  async function check(page: Page, name: string) {
    await page.evaluate(AXE_SOURCE);
    const result = (await page.evaluate('axe.run(document, { resultTypes: ["violations"] })')) as { violations: Array<{ id: string; impact: string | null }> };
    const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact})`);
    assert.deepEqual(bad, [], name);
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  }

  /** A v1 account whose address is verified (a code signs in only there). */
  async function verifiedAccount() {
    const { username, email } = await registerV1(server.http);
    await server.core.accounts.setVerified((await server.core.accounts.findByUsername(username))!, 'email', true);
    return { username, email };
  }

  /** The newest sign-in code mail to `email`: its code and its link. */
  async function codeMail(email: string): Promise<{ code: string; link: string }> {
    for (let i = 0; i < 100; i++) {
      const mail = (await server.stores.outbox.list(50)).find((m) => m.to === email && m.subject.startsWith('登录验证码'));
      if (mail) return { code: /登录验证码是：(\d{6})/.exec(mail.text)![1]!, link: /(http\S+\/account\/code-link\?\S+)/.exec(mail.text)![1]! };
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no sign-in code mail to ${email}`);
  }

  /** Asks for a code on /account in `page`, from the sign-in page's link. */
  async function askCode(page: Page, email: string, shots?: string) {
    await page.goto(`${server.url}/account`);
    await page.click('a[href^="/account/code"]');
    await page.waitForSelector('#to');
    if (shots) await check(page, `account-code-ask-${shots}`);
    await page.fill('#to', email);
    await page.click('form[action^="/account/code/send"] button');
    await page.waitForSelector('#code');
    if (shots) await check(page, `account-code-enter-${shots}`);
  }

  test('the code typed in signs in (zh-CN, phone); a wrong one keeps the form with its refusal', async () => {
    const { username, email } = await verifiedAccount();
    const tab = await (await context('phone', 'zh-CN')).newPage();
    await askCode(tab, email, 'phone');
    assert.match((await tab.locator('#code-hint').textContent()) ?? '', /验证码已发送/);
    const { code } = await codeMail(email);
    await tab.fill('#code', code === '000000' ? '111111' : '000000');
    await tab.click('form[action^="/account/code/sign-in"] button');
    await tab.waitForSelector('#form-error');
    assert.match((await tab.locator('#form-error').textContent()) ?? '', /验证码错误或已过期/);
    await tab.fill('#code', code);
    await tab.click('form[action^="/account/code/sign-in"] button');
    await tab.waitForSelector('#two-step');
    assert.match(await tab.content(), new RegExp(username));
    await tab.context().close();
  });

  test("the mail's link: opening it spends nothing and shows the code elsewhere; its button signs in only the browser that asked, once (en, desktop)", async () => {
    const { username, email } = await verifiedAccount();
    const asking = await context('desktop', 'en-US');
    const tab = await asking.newPage();
    await askCode(tab, email, 'desktop');
    const { code, link } = await codeMail(email);

    // A mail scanner fetches the link, twice: the page shows the code, nothing is spent.
    for (let i = 0; i < 2; i++) {
      const scanned = await fetch(link);
      assert.equal(scanned.status, 200);
      assert.match(await scanned.text(), new RegExp(`id="mailed-code">${code}<`));
    }
    // Another browser, forging the button's POST: refused (401), and without the form's CSRF value 403; not signed in.
    const other = new FormBrowser(server.url);
    await other.request('GET', link);
    assert.match(other.page, /signs in only the browser that asked/);
    assert.doesNotMatch(other.page, /name="token"/, 'no button there');
    await other.request('GET', '/account/code?lang=en'); // a page with a form: the CSRF value to forge with
    await other.request('POST', '/account/code-link?lang=en', { token: decodeURIComponent(/token=([^&]+)/.exec(link)![1]!) });
    assert.equal(other.status, 403, 'no CSRF value');
    await other.post('/account/code-link?lang=en', { token: decodeURIComponent(/token=([^&]+)/.exec(link)![1]!) });
    assert.equal(other.status, 401);
    await other.request('GET', '/account?lang=en');
    assert.doesNotMatch(other.page, /id="two-step"/, 'the other browser is not signed in');
    // A second Chromium opens it: the code to type, no button.
    const elsewhere = await (await context('desktop', 'en-US')).newPage();
    await elsewhere.goto(link);
    assert.equal(await elsewhere.locator('#mailed-code').textContent(), code);
    assert.equal(await elsewhere.locator('form[action^="/account/code-link"]').count(), 0);

    // The browser that asked: one button, which signs in.
    const mine = await asking.newPage();
    await mine.goto(link);
    await mine.waitForSelector('form[action^="/account/code-link"] button');
    await check(mine, 'account-code-link-desktop');
    await mine.click('form[action^="/account/code-link"] button');
    await mine.waitForSelector('#two-step');
    assert.match(await mine.content(), new RegExp(username));
    // Once: the link is spent, and so is its code.
    const again = await asking.newPage();
    const reopened = await again.goto(link);
    assert.equal(reopened?.status(), 400);
    assert.match(await again.content(), /already used or has expired/);
    const typed = await server.http('POST', '/api/v1/auth/otp/login', { body: { email, code } });
    assert.equal(typed.status, 400, 'the code went with the link');
    await elsewhere.context().close();
    await asking.close();
  });

  test('the strict CSP held on every page', () => {
    assert.deepEqual(cspViolations, []);
  });
});
