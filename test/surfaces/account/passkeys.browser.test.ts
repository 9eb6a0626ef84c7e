// Passkeys end to end in Chromium, with DevTools' virtual authenticator (CTAP2,
// internal transport, resident keys, user verification): add a passkey on the
// account page, use it as the second step after the password, then sign in
// with the passkey alone. The page is served at http://localhost:PORT, which is
// PUBLIC_URL: the relying party is `localhost`.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, pageWithAuthenticator, requireChromium } from '../../helpers/browser.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { registerV1 } from '../../helpers/users.ts';

/** A port free right now (the server must know its PUBLIC_URL before it listens). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const executablePath = requireChromium();

describe('passkeys in Chromium (virtual authenticator)', { skip: executablePath ? false : 'Chromium is not installed' }, () => {
  let server: TestServer;
  let browser: Browser;
  let origin: string;
  before(async () => {
    const port = await freePort();
    origin = `http://localhost:${port}`;
    server = await startTestServer({ port, env: { PUBLIC_URL: origin } });
    browser = await launchChromium(executablePath!);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** A browser profile with one platform authenticator that holds passkeys and verifies its user. */
  const withAuthenticator = () => pageWithAuthenticator(browser);

  async function signInWithPassword(page: Page, username: string) {
    await page.goto(`${origin}/account?lang=en`);
    await page.fill('#login', username);
    await page.fill('#password', 'password123');
    await page.click('form[action^="/account/sign-in"] button[type="submit"]');
  }

  test('add a passkey on the page; it is then the second step after the password, and signs in alone', async () => {
    const { username } = await registerV1(server.http);
    const page = await withAuthenticator();
    await signInWithPassword(page, username);
    await page.waitForSelector('#two-step');
    await page.fill('#passkey-name', 'Test laptop');
    // Adding a factor is confirmed with the password (step-up).
    await page.fill('#add-passkey-password', 'password123');
    await page.click('button[data-passkey="add"]');
    await page.waitForSelector('text=Test laptop');
    const user = (await server.core.accounts.findByUsername(username))!;
    assert.deepEqual(
      (await server.core.secondFactors.status(user.id)).passkeys.map((p) => p.name),
      ['Test laptop'],
    );
    assert.deepEqual(await server.core.secondFactors.methods(user.id), ['webauthn']);

    // Password, then the passkey as the second step.
    await page.click('form[action^="/account/sign-out"] button');
    await page.waitForSelector('#login');
    await signInWithPassword(page, username);
    // The second step's passkey button: the sign-in's, carrying the step's mfa_token.
    await page.waitForSelector('button[data-passkey="sign-in"][data-mfa-token]:visible');
    await page.click('button[data-passkey="sign-in"][data-mfa-token]');
    await page.waitForSelector('#two-step');
    const afterSecondStep = await server.core.sessions.listForUser(user.id);
    assert.ok(afterSecondStep.length >= 1);

    // The passkey alone, from the sign-in page.
    await page.click('form[action^="/account/sign-out"] button');
    await page.waitForSelector('#login');
    await page.click('button[data-passkey="sign-in"]');
    await page.waitForSelector('#two-step');
    assert.match((await page.locator('dl').textContent()) ?? '', new RegExp(username));
    const events = (await server.core.audit.list(50, user.id)).map((e) => `${e.type}:${e.detail ?? ''}`);
    assert.ok(events.includes('login.succeeded:pwd hwk mfa') || events.includes('login.succeeded:pwd swk mfa'), events.join(','));
    assert.ok(events.includes('login.succeeded:hwk mfa') || events.includes('login.succeeded:swk mfa'), events.join(','));
    assert.ok(events.includes('mfa.enrolled:passkey'));
    await page.context().close();
  });

  test('the API pair: a password login asks for the passkey (methods webauthn) and a wrong ceremony is refused', async () => {
    const { username } = await registerV1(server.http);
    const page = await withAuthenticator();
    await signInWithPassword(page, username);
    await page.waitForSelector('#two-step');
    await page.fill('#add-passkey-password', 'password123');
    await page.click('button[data-passkey="add"]');
    await page.waitForSelector('form[action^="/account/passkeys/remove"]');
    const login = await server.http('POST', '/api/v1/auth/login/json', { body: { username, password: 'password123' } });
    assert.equal(login.status, 403);
    assert.deepEqual(login.body.methods, ['webauthn']);
    const options = await server.http('POST', '/api/v1/auth/mfa/passkeys/authenticate/options');
    assert.equal(options.status, 200);
    assert.equal(options.body.options.rpId, 'localhost');
    const forged = await server.http('POST', '/api/v1/auth/mfa/passkeys/authenticate/verify', {
      body: { ceremony_id: options.body.ceremony_id, mfa_token: login.body.mfa_token, credential: { id: 'not-a-credential', response: {} } },
    });
    assert.equal(forged.status, 400);
    await page.context().close();
  });
});
