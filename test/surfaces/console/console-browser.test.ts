// The staff console in a real browser (Debian's Chromium driven by
// playwright-core): every action pressed as staff press it, the five common
// tickets answered from the pages alone, the strict CSP holding, and axe-core
// finding no serious or critical problem on any page at phone and desktop
// widths, in English and Chinese. With UPDATE_SCREENSHOTS=1 the screenshots are
// written to docs/screenshots.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateSync } from 'otplib';
import type { Browser, Page } from 'playwright-core';
import type { User } from '../../../src/core/ports/user-store.ts';
import { AXE_SOURCE, launchChromium, NO_CHROMIUM, requireChromium, screenshotFolder, WIDTHS } from '../../helpers/browser.ts';
import { enrolTotp } from '../../helpers/factors.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { PASSWORD, waitForResetToken, waitForVerification } from '../../helpers/users.ts';
import { makeAccount } from './console-client.ts';

const executablePath = requireChromium();
const AXE = AXE_SOURCE;
const SHOTS = screenshotFolder('console');
type Size = keyof typeof WIDTHS;

describe('the staff console in Chromium', {
  skip: executablePath ? false : NO_CHROMIUM,
}, () => {
  let server: TestServer;
  let browser: Browser;
  let superuser: User;
  let staff: User;
  const cspViolations: string[] = [];
  const axeFindings: Record<string, string[]> = {};
  before(async () => {
    // CONSOLE_MFA off: these pages are walked signed in with a password; the default's rule is tested in console.test.ts.
    server = await startTestServer({ env: { CONSOLE_MFA: 'off' } });
    superuser = await makeAccount(server, 'superuser');
    staff = await makeAccount(server, 'staff');
    browser = await launchChromium(executablePath!);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    console.log(`# axe (serious or critical): ${JSON.stringify(axeFindings)}; screenshots in ${SHOTS}`);
  });

  /** A fresh browser signed in as `who` through the console's form. */
  async function signIn(who: User, size: Size = 'desktop', lang = 'en-US'): Promise<Page> {
    const context = await browser.newContext({ viewport: WIDTHS[size], locale: lang, extraHTTPHeaders: { 'accept-language': lang } });
    const page = await context.newPage();
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/.test(m.text())) cspViolations.push(m.text());
    });
    await page.goto(`${server.url}/admin`);
    assert.equal(new URL(page.url()).pathname, '/admin/sign-in', 'sent to the sign-in form');
    await page.fill('#login', who.email!);
    await page.fill('#password', PASSWORD);
    await page.click('button[type="submit"]');
    await page.waitForURL(/\/admin\?/);
    return page;
  }

  async function audit(page: Page, name: string): Promise<string[]> {
    // Evaluated through the DevTools protocol, not as a page script: the page's CSP stays as it is.
    await page.evaluate(AXE);
    const result = (await page.evaluate('axe.run(document, { resultTypes: ["violations"] })')) as { violations: Array<{ id: string; impact: string | null }> };
    const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact})`);
    axeFindings[name] = bad;
    return bad;
  }

  async function check(page: Page, name: string) {
    assert.deepEqual(await audit(page, name), [], name);
    // The Chinese pages are audited but not pictured: this machine's Chromium has no CJK font.
    if (!name.endsWith('-zh')) await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  }

  /** A customer with a live session from a phone app, and a second one from a laptop. */
  async function customer(phone?: string) {
    const user = await makeAccount(server, 'user', { phone });
    for (const ua of ['PhoneApp/2.1 (Android 14)', 'Mozilla/5.0 (Macintosh) Safari/17']) {
      const r = await server.http('POST', '/api/users/login', { body: { email: user.email, password: PASSWORD }, headers: { 'user-agent': ua } });
      assert.equal(r.status, 200);
    }
    return user;
  }

  const press = async (page: Page, name: string | RegExp) => {
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name }).first().click()]);
    await page.waitForSelector('.flash, h1.error-title');
  };

  test('every page passes axe at phone and desktop widths, in English and Chinese (screenshots)', async () => {
    const user = await customer('+8613800138000');
    for (let i = 0; i < 5; i++) await server.core.login.login({ by: 'email', identifier: user.email!, password: 'wrong-guess', accessTtl: 60 }).catch(() => {});
    for (const size of ['phone', 'desktop'] as const) {
      const context = await browser.newContext({ viewport: WIDTHS[size], locale: 'en-US' });
      const signInPage = await context.newPage();
      await signInPage.goto(`${server.url}/admin/sign-in`);
      await check(signInPage, `console-sign-in-${size}`);
      await context.close();
      for (const lang of ['en-US', 'zh-CN'] as const) {
        const suffix = lang === 'en-US' ? size : `${size}-zh`;
        const page = await signIn(superuser, size, lang);
        await page.goto(`${server.url}/admin?q=${encodeURIComponent(user.email!.slice(0, 8))}`);
        await check(page, `console-accounts-${suffix}`);
        await page.goto(`${server.url}/admin/accounts/${user.uuid}`);
        await check(page, `console-account-${suffix}`);
        await page.goto(`${server.url}/admin/audit?account=${encodeURIComponent(user.email!)}`);
        await check(page, `console-audit-${suffix}`);
        await page.goto(`${server.url}/admin/health`);
        await check(page, `console-health-${suffix}`);
        await page.context().close();
      }
    }
    const staffPage = await signIn(staff);
    await staffPage.goto(`${server.url}/admin/accounts/${user.uuid}`);
    await check(staffPage, 'console-account-staff-desktop');
    await staffPage.context().close();
  });

  test('organisations (issue 35): the list, a search and one organisation with its members pass axe at both widths, in English and Chinese (screenshots)', async () => {
    const owner = await makeAccount(server, 'user');
    const member = await makeAccount(server, 'user');
    const acme = await server.core.orgs.organizations.create({ name: 'Acme Widgets', slug: 'acme-widgets' }, owner);
    await server.core.orgs.organizations.create({ name: 'Beta Logistics', slug: 'beta-logistics' }, owner);
    await server.core.orgs.roles.define('billing', ['invoices:read'], '', null);
    await server.core.orgs.members.add(acme.id, member, ['admin', 'billing'], null);
    for (const size of ['phone', 'desktop'] as const) {
      for (const lang of ['en-US', 'zh-CN'] as const) {
        const suffix = lang === 'en-US' ? size : `${size}-zh`;
        const page = await signIn(staff, size, lang);
        await page.goto(`${server.url}/admin/organizations`);
        await check(page, `console-organizations-${suffix}`);
        await page.goto(`${server.url}/admin/organizations?q=acme`);
        assert.equal(await page.locator('table tbody tr').count(), 1);
        await page.goto(`${server.url}/admin/organizations/${acme.id}`);
        assert.equal(await page.locator('table tbody tr').count(), 2);
        await check(page, `console-organization-${suffix}`);
        await page.context().close();
      }
    }
  });

  test('a staff member with an authenticator app signs in in two steps (axe at both widths); ticket "lost my second factor": a superuser resets them', async () => {
    const member = await makeAccount(server, 'staff');
    const { secret } = await enrolTotp(server.core, member, PASSWORD);
    for (const size of ['phone', 'desktop'] as const) {
      server.clock.advance(30_000);
      const context = await browser.newContext({ viewport: WIDTHS[size], locale: 'en-US' });
      const page = await context.newPage();
      await page.goto(`${server.url}/admin/sign-in`);
      await page.fill('#login', member.email!);
      await page.fill('#password', PASSWORD);
      await page.click('button[type="submit"]');
      await page.waitForSelector('#code');
      await check(page, `console-second-step-${size}`);
      await page.fill('#code', generateSync({ secret, epoch: Math.floor(server.clock.now() / 1000) }));
      await page.click('button[type="submit"]');
      await page.waitForURL(/\/admin\?/);
      await context.close();
    }
    const page = await signIn(superuser);
    await page.goto(`${server.url}/admin/accounts/${member.uuid}`);
    assert.match((await page.locator('section[aria-labelledby="factors"]').textContent()) ?? '', /active/);
    await press(page, 'Reset second factors');
    assert.match((await page.locator('.flash').textContent()) ?? '', /enrols again/);
    assert.match((await page.locator('section[aria-labelledby="factors"]').textContent()) ?? '', /none/);
    await page.context().close();
  });

  test('apps and signing keys: add an app (secret shown once), edit its redirect URIs, rotate its secret, remove it; rotate the keys; axe at both widths', async () => {
    const page = await signIn(superuser);
    await page.goto(`${server.url}/admin/apps`);
    await page.fill('#name', 'Shop');
    await page.fill('#redirect_uris', 'https://shop.example/callback');
    await page.selectOption('#id_token_alg', 'ES256');
    await page.getByRole('button', { name: 'Add app' }).click();
    await page.waitForSelector('#client-secret');
    await check(page, 'console-app-added-desktop');
    const clientId = (await page.locator('.facts code').first().textContent())!;
    await page.fill('#redirect_uris', 'https://shop.example/callback\nhttps://shop.example/other');
    await press(page, 'Save redirect URIs');
    assert.deepEqual((await server.core.apps.find(clientId))?.redirectUris, ['https://shop.example/callback', 'https://shop.example/other']);
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page.waitForSelector('#client-secret');
    await page.goto(`${server.url}/admin/apps`);
    await check(page, 'console-apps-desktop');
    await page.goto(`${server.url}/admin/apps/${clientId}`);
    await page.fill('#confirm', clientId);
    await press(page, 'Remove app');
    assert.equal(await server.core.apps.find(clientId), null);
    await page.goto(`${server.url}/admin/keys`);
    await press(page, 'Rotate signing keys');
    await check(page, 'console-keys-desktop');
    await page.context().close();
    const phone = await signIn(superuser, 'phone');
    for (const path of ['apps', 'keys']) {
      await phone.goto(`${server.url}/admin/${path}`);
      await check(phone, `console-${path}-phone`);
    }
    await phone.context().close();
  });

  test('webhooks: add an endpoint for two events (secret shown once), send a test event, remove it; axe at both widths', async () => {
    const page = await signIn(superuser);
    await page.goto(`${server.url}/admin/webhooks`);
    await page.fill('#url', 'https://crm.example/hooks/gatehouse');
    await page.fill('#description', 'CRM sync');
    await page.getByLabel('user.created', { exact: true }).check();
    await page.getByLabel('user.deleted', { exact: true }).check();
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await page.waitForSelector('#webhook-secret');
    await check(page, 'console-webhook-added-desktop');
    const [endpoint] = await server.core.webhooks.list();
    assert.deepEqual([...endpoint!.eventTypes].sort(), ['user.created', 'user.deleted']);
    await press(page, 'Send a test event');
    assert.match((await page.locator('.flash').textContent()) ?? '', /webhook\.test event is queued/);
    await page.goto(`${server.url}/admin/webhooks`);
    await check(page, 'console-webhooks-desktop');
    await page.goto(`${server.url}/admin/webhooks/${endpoint!.id}`);
    await page.fill('#confirm', endpoint!.id);
    await press(page, 'Remove endpoint');
    assert.deepEqual(await server.core.webhooks.list(), []);
    await page.context().close();
    for (const lang of ['en-US', 'zh-CN'] as const) {
      const phone = await signIn(superuser, 'phone', lang);
      await phone.goto(`${server.url}/admin/webhooks`);
      await check(phone, lang === 'en-US' ? 'console-webhooks-phone' : 'console-webhooks-phone-zh');
      await phone.context().close();
    }
  });

  test('sign-in providers: add an OpenID provider from the form (its redirect URI named), the list; axe at both widths, in English and Chinese', async () => {
    const page = await signIn(superuser);
    await page.getByRole('link', { name: 'Sign-in providers' }).click();
    await page.waitForSelector('#client_secret');
    await page.fill('#id', 'corp');
    await page.fill('#name', 'Corp SSO');
    // Any http(s) issuer: adding one contacts nothing (the first sign-in reads its discovery).
    await page.fill('#issuer', 'https://sso.corp.example/realms/staff');
    await page.fill('#client_id', 'gatehouse-web');
    await page.fill('#client_secret', 'a-secret-typed-once');
    await page.fill('#domains', 'corp.example');
    await press(page, 'Add provider');
    assert.match((await page.locator('.flash').textContent()) ?? '', /Register this redirect URI at the provider: http:\/\/.+\/idp\/corp\/callback/);
    assert.deepEqual(await audit(page, 'console-provider-desktop'), []);
    assert.deepEqual(
      (await server.core.identities.list()).map((p) => [p.id, p.hasClientSecret, p.domains]),
      [['corp', true, ['corp.example']]],
    );
    await page.context().close();
    for (const size of ['desktop', 'phone'] as const) {
      for (const lang of ['en-US', 'zh-CN'] as const) {
        const shown = await signIn(superuser, size, lang);
        await shown.goto(`${server.url}/admin/providers`);
        assert.equal(await shown.locator('table tbody tr').count(), 1);
        await check(shown, `console-providers-${lang === 'en-US' ? size : `${size}-zh`}`);
        await shown.context().close();
      }
    }
    await server.core.identities.remove('corp');
  });

  test('ticket "locked out": staff see the lock, lift it, and the customer logs in', async () => {
    const user = await customer();
    for (let i = 0; i < 5; i++) await server.core.login.login({ by: 'email', identifier: user.email!, password: 'wrong-guess', accessTtl: 60 }).catch(() => {});
    const page = await signIn(staff);
    await page.fill('#q', user.email!);
    await page.click('form.search button');
    await page.click(`a[href^="/admin/accounts/${user.uuid}"]`);
    assert.match((await page.locator('section[aria-labelledby="profile"] .facts').textContent()) ?? '', /locked until/);
    await press(page, 'Lift lockout');
    assert.match((await page.locator('.flash').textContent()) ?? '', /lock is lifted/);
    assert.equal((await server.http('POST', '/api/users/login', { body: { email: user.email, password: PASSWORD } })).status, 200);
    await page.context().close();
  });

  test('ticket "log me out everywhere": end one session, then all', async () => {
    const user = await customer();
    const page = await signIn(staff);
    await page.goto(`${server.url}/admin/accounts/${user.uuid}`);
    assert.equal(await page.locator('#sessions ~ .scroll tbody tr, section[aria-labelledby="sessions"] tbody tr').count(), 2);
    await press(page, 'End session');
    assert.equal(await page.locator('section[aria-labelledby="sessions"] tbody tr').count(), 1);
    await press(page, 'End all sessions');
    assert.match((await page.locator('section[aria-labelledby="sessions"]').textContent()) ?? '', /No live session/);
    assert.equal((await server.core.sessions.listForUser(user.id)).length, 0);
    await page.context().close();
  });

  test('ticket "wrong email": a superuser types the right one; the verification mail goes to it', async () => {
    const user = await customer();
    const page = await signIn(superuser);
    await page.goto(`${server.url}/admin/accounts/${user.uuid}`);
    const fresh = `right-${Date.now().toString(36)}@example.com`;
    await page.fill('#email', fresh);
    await press(page, 'Change email');
    assert.match((await page.locator('h1').textContent()) ?? '', new RegExp(fresh));
    await waitForVerification(server.stores.outbox, fresh);
    await page.context().close();
  });

  test('mail and verification: reset mail, verification mail, email and phone marked verified', async () => {
    const user = await customer('+8613900139000');
    const page = await signIn(staff);
    await page.goto(`${server.url}/admin/accounts/${user.uuid}`);
    await press(page, 'Send password reset mail');
    await waitForResetToken(server.stores.outbox, user.email!);
    await press(page, 'Resend verification mail');
    await press(page, 'Mark email verified');
    await press(page, 'Mark phone verified');
    const after = await server.core.accounts.findById(user.id);
    assert.equal(after?.isEmailVerified, true);
    assert.equal(after?.isPhoneVerified, true);
    await page.context().close();
  });

  test('disable, enable, and delete with the typed confirmation; then the trail shows who did each, and the CSV link downloads it', async () => {
    const user = await customer();
    const page = await signIn(superuser);
    await page.goto(`${server.url}/admin/accounts/${user.uuid}`);
    await press(page, 'Disable account');
    assert.equal((await server.core.accounts.findById(user.id))?.status, 'disabled');
    await press(page, 'Enable account');
    assert.equal((await server.core.accounts.findById(user.id))?.status, 'active');
    await page.fill('#confirm', 'not it');
    await press(page, 'Delete account for good');
    assert.match((await page.locator('h1').textContent()) ?? '', /is not valid/);
    await page.goBack();
    await page.fill('#confirm', user.email!);
    await press(page, 'Delete account for good');
    assert.match((await page.locator('.flash').textContent()) ?? '', /deleted/);
    assert.equal(await server.core.accounts.findById(user.id), null);
    // The trail, filtered by event, names the superuser.
    await page.goto(`${server.url}/admin/audit`);
    await page.selectOption('#type', 'user.deleted');
    await page.click('form.filters button');
    const row = page.locator('tbody tr').first();
    assert.match((await row.textContent()) ?? '', new RegExp(superuser.email!.replace(/[.+]/g, '\\$&')));
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[download]')]);
    const csv = readFileSync((await download.path())!, 'utf8');
    assert.match(csv, /user\.deleted/);
    await page.context().close();
  });

  test("upstream identity providers (issue 34): an account's linked identities, and the sign-in's provider buttons with CONSOLE_PROVIDERS=on, pass axe at both widths, in English and Chinese (screenshots)", async () => {
    const user = await customer();
    // An OpenID provider as an operator adds it (adding contacts nothing: the pages only name it).
    const corp = { id: 'corp', kind: 'oidc', name: 'Corp SSO', issuer: 'https://sso.corp.example', clientId: 'gatehouse', clientSecret: 's' };
    await server.core.identities.add(corp);
    const now = server.clock.now();
    const identity = { providerId: 'corp', issuer: 'https://sso.corp.example', subject: '248289761001', userId: user.id, createdAt: now, lastUsedAt: now };
    await server.core.stores.identities.link({ ...identity, email: user.email, emailVerified: true });
    // The setting's sign-in: a server of its own (CONSOLE_MFA off as above: the page is under test, not the rule).
    const withButtons = await startTestServer({ env: { CONSOLE_MFA: 'off', CONSOLE_PROVIDERS: 'on' } });
    try {
      await withButtons.core.identities.add(corp);
      for (const size of ['phone', 'desktop'] as const) {
        for (const lang of ['en-US', 'zh-CN'] as const) {
          const suffix = lang === 'en-US' ? size : `${size}-zh`;
          const context = await browser.newContext({ viewport: WIDTHS[size], locale: lang, extraHTTPHeaders: { 'accept-language': lang } });
          const signInPage = await context.newPage();
          await signInPage.goto(`${withButtons.url}/admin/sign-in`);
          assert.equal(await signInPage.locator('section.providers a').count(), 1, 'the provider is a button');
          await check(signInPage, `console-sign-in-providers-${suffix}`);
          await context.close();
          const page = await signIn(superuser, size, lang);
          await page.goto(`${server.url}/admin/accounts/${user.uuid}`);
          assert.match((await page.locator('section[aria-labelledby="identities"]').textContent()) ?? '', /248289761001/);
          await check(page, `console-account-identities-${suffix}`);
          await page.context().close();
        }
      }
    } finally {
      await withButtons.close();
    }
  });

  test('ticket "who changed my password?": the trail of the account, by event, in the browser', async () => {
    const user = await customer();
    await server.http('POST', '/api/users/reset_password', { body: { email: user.email, old_password: PASSWORD, new_password: 'changed-in-the-night-1' } });
    const page = await signIn(staff);
    await page.goto(`${server.url}/admin/accounts/${user.uuid}`);
    assert.match((await page.locator('section[aria-labelledby="trail"]').textContent()) ?? '', /password changed/);
    await page.click('text=All events of this account');
    await page.selectOption('#type', 'password.changed');
    await page.click('form.filters button');
    assert.equal(await page.locator('tbody tr').count(), 1);
    assert.match((await page.locator('tbody tr').textContent()) ?? '', /127\.0\.0\.1/);
    // Signing out ends the console's session.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/sign-in/);
    await page.goto(`${server.url}/admin`);
    assert.equal(new URL(page.url()).pathname, '/admin/sign-in');
    await page.context().close();
    assert.deepEqual(cspViolations, [], 'the strict CSP holds: nothing was refused');
  });
});
