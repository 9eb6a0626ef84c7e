// The console's passkeys end to end in Chromium, with DevTools' virtual authenticator (CTAP2, internal transport,
// resident keys, user verification), as a staff member meets them under the default CONSOLE_MFA: signed in with
// the password alone, the console sends them to /account, where they add a passkey; back on /admin the console
// opens; then the passkey signs them in to the console, after the password and alone, through the page's script
// (account-passkeys.js) and the console's two JSON endpoints. The page is served at http://localhost:PORT, which
// is PUBLIC_URL: the relying party is `localhost`.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, NO_CHROMIUM, pageWithAuthenticator, requireChromium } from '../../helpers/browser.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { PASSWORD } from '../../helpers/users.ts';
import { makeAccount } from './console-client.ts';

/** A port free right now (the server must know its PUBLIC_URL before it listens). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const executablePath = requireChromium();

describe('console passkeys in Chromium (virtual authenticator)', { skip: executablePath ? false : NO_CHROMIUM }, () => {
  let server: TestServer;
  let browser: Browser;
  let origin: string;
  const cspViolations: string[] = [];
  before(async () => {
    const port = await freePort();
    origin = `http://localhost:${port}`;
    // The defaults (CONSOLE_MFA on), and PUBLIC_URL the origin the browser sees, as passkeys need.
    server = await startTestServer({ port, env: { PUBLIC_URL: origin } });
    browser = await launchChromium(executablePath!);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** A browser profile with one platform authenticator that holds passkeys and verifies its user. */
  const withAuthenticator = () =>
    pageWithAuthenticator(browser, (text) => {
      if (/Content Security Policy|Refused to/.test(text)) cspViolations.push(text);
    });

  async function passwordSignIn(page: Page, email: string) {
    await page.goto(`${origin}/admin/sign-in?lang=en`);
    await page.fill('#login', email);
    await page.fill('#password', PASSWORD);
    await page.click('form[action^="/admin/sign-in"] button[type="submit"]');
  }

  const signOut = async (page: Page) => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/admin\/sign-in/);
  };

  test('sent to /account to add a passkey, back on /admin the console opens; then the passkey signs in after the password and alone', async () => {
    const member = await makeAccount(server, 'staff');
    const page = await withAuthenticator();
    await passwordSignIn(page, member.email!);
    await page.waitForURL(/\/account\?lang=en&from=console/);
    assert.match((await page.locator('main').textContent()) ?? '', /The staff console asks for two-step verification/);
    await page.fill('#passkey-name', 'Desk key');
    await page.fill('#add-passkey-password', PASSWORD);
    await page.click('button[data-passkey="add"]');
    await page.waitForSelector('text=Desk key');
    // The session that added the first factor was renewed with it: the console opens without signing in again.
    await page.goto(`${origin}/admin?lang=en`);
    assert.equal(new URL(page.url()).pathname, '/admin');
    assert.match((await page.locator('h1').textContent()) ?? '', /Accounts/);

    // The password, then the passkey as the second step.
    await signOut(page);
    await passwordSignIn(page, member.email!);
    await page.waitForSelector('button[data-passkey="sign-in"][data-mfa-token]:visible');
    await page.click('button[data-passkey="sign-in"][data-mfa-token]');
    await page.waitForURL(/\/admin\?lang=en$/);
    assert.match((await page.locator('h1').textContent()) ?? '', /Accounts/);

    // The passkey alone, from the sign-in page.
    await signOut(page);
    await page.waitForSelector('button[data-passkey="sign-in"]:visible');
    await page.click('button[data-passkey="sign-in"]');
    await page.waitForURL(/\/admin\?lang=en$/);
    assert.match((await page.locator('h1').textContent()) ?? '', /Accounts/);

    const events = (await server.core.audit.query({ limit: 50, userId: member.id })).map((e) => `${e.type}:${e.detail ?? ''}`);
    assert.ok(
      events.some((e) => /^login\.succeeded:pwd (hwk|swk) mfa$/.test(e)),
      events.join(','),
    );
    assert.ok(
      events.some((e) => /^login\.succeeded:(hwk|swk) mfa$/.test(e)),
      events.join(','),
    );
    assert.deepEqual(cspViolations, [], 'the strict CSP holds: nothing was refused');
    await page.context().close();
  });
});
