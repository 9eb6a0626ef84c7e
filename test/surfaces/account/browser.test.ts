// The account page in a real browser (Debian's Chromium driven by playwright-core):
// sign in, set up TOTP from the page, sign in again with the code, at phone and
// desktop widths, in English and Chinese; axe-core finds no serious or critical
// problem and the strict CSP holds. With UPDATE_SCREENSHOTS=1 the screenshots are
// written to docs/screenshots.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateSync } from 'otplib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { registerV1 } from '../../helpers/users.ts';

function chromiumPath(): string | undefined {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const executablePath = chromiumPath();
if (!executablePath && process.env.CI) throw new Error('CI is set but Chromium is not installed (.ci/run installs the chromium package)');
const AXE = readFileSync(new URL('../../../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
const SHOTS = process.env.UPDATE_SCREENSHOTS
  ? new URL('../../../docs/screenshots/', import.meta.url).pathname
  : mkdtempSync(join(tmpdir(), 'gatehouse-account-shots-'));
const WIDTHS = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 800 } } as const;

describe('the account page in Chromium', {
  skip: executablePath ? false : 'Chromium is not installed (apt-get install chromium, or set CHROMIUM_PATH)',
}, () => {
  let server: TestServer;
  let browser: Browser;
  const cspViolations: string[] = [];
  const axeFindings: Record<string, string[]> = {};
  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await startTestServer();
    browser = await chromium.launch({
      executablePath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
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
