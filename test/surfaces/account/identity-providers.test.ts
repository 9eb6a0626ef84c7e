// Sign in with an upstream identity provider on /account, end to end in Chromium: the upstream is another
// Gatehouse (its OpenID provider at /oidc, with its own sign-in and consent pages), reached over real sockets.
// The two servers are on different host names (localhost, 127.0.0.1) so the browser keeps their cookies apart.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { chromiumPath, launchChromium } from '../../helpers/browser.ts';
import { enrolTotp } from '../../helpers/factors.ts';
import * as client from 'openid-client';
import { authorizationRequest, callbackServer, freePort, newPage, relyingParty, throughUpstream } from '../../helpers/oidc.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { PASSWORD, registerAndLogin } from '../../helpers/users.ts';

const executablePath = chromiumPath();

let n = 0;
const email = (who: string) => `${who}-${process.pid}-${++n}@corp.example`;

describe('upstream identity providers on /account', { skip: executablePath ? false : 'Chromium is not installed' }, () => {
  let upstream: TestServer;
  let gatehouse: TestServer;
  let browser: Browser;
  let base: string;
  let hook: string;

  before(async () => {
    const [up, down] = [await freePort(), await freePort()];
    upstream = await startTestServer({ port: up, env: { PUBLIC_URL: `http://localhost:${up}` } });
    base = `http://127.0.0.1:${down}`;
    gatehouse = await startTestServer({ port: down, env: { PUBLIC_URL: base } });
    const { app, secret } = await upstream.core.apps.register({ name: 'Gatehouse downstream', redirectUris: [`${base}/idp/corp/callback`] });
    const added = await gatehouse.core.identities.add({
      id: 'corp',
      kind: 'oidc',
      name: 'Corp SSO',
      issuer: `http://localhost:${up}/oidc`,
      clientId: app.clientId,
      clientSecret: secret!,
    });
    assert.equal(added.redirectUri, `${base}/idp/corp/callback`);
    hook = (await gatehouse.core.webhooks.add({ url: 'https://hooks.example.com/idp', eventTypes: ['user.created'] })).endpoint.id;
    browser = await launchChromium(executablePath!);
  });
  // The servers' clocks stand still unless a test moves them, but Redis expires the OpenID provider's entries (a code
  // lives 60 s) at the absolute times those clocks give: on PostgreSQL + Redis, a code made more than a minute after
  // its server started was gone before it could be exchanged (invalid_grant), when a busy machine made this file take
  // that long. Each test starts with both clocks at least at the real time, as a provider's clock would be.
  beforeEach(() => {
    for (const server of [upstream, gatehouse]) server.clock.set(Math.max(server.clock.now(), Date.now()));
  });
  after(async () => {
    await browser?.close();
    await gatehouse?.close();
    await upstream?.close();
  });

  /** A person at the upstream: an account there, its email verified there when `verified`. */
  async function upstreamPerson(options: { verified?: boolean; address?: string } = {}) {
    const address = options.address ?? email('person');
    await registerAndLogin(upstream.http, address);
    if (options.verified ?? true) {
      const user = (await upstream.core.accounts.findByEmail(address))!;
      await upstream.core.accounts.setVerified(user, 'email', true);
    }
    return address;
  }

  /** From /account's sign-in, the Corp SSO button, then the upstream's sign-in and consent; where the browser lands. */
  async function viaCorp(page: Page, address: string): Promise<string> {
    await page.goto(`${base}/account?lang=en`);
    await Promise.all([page.waitForURL((u) => u.host !== new URL(base).host), page.getByRole('link', { name: 'Continue with Corp SSO' }).click()]);
    for (let step = 0; step < 4 && !page.url().startsWith(base); step++) {
      if (await page.locator('#password').count()) {
        await page.fill('#login', address);
        await page.fill('#password', PASSWORD);
      }
      const from = page.url();
      await Promise.all([page.waitForURL((u) => u.href !== from, { timeout: 30_000 }), page.locator('form button[type="submit"]').first().click()]);
    }
    return (await page.locator('h1').first().textContent())?.trim() ?? '';
  }

  test('a first sign-in makes a passwordless account (email verified as the provider asserts, user.created sent); the next returns to it', async () => {
    const address = await upstreamPerson();
    const { context, page } = await newPage(browser);
    assert.equal(await viaCorp(page, address), 'Your account');
    const made = (await gatehouse.core.accounts.findByEmail(address))!;
    assert.ok(made, 'an account was made');
    assert.equal(made.isEmailVerified, true);
    assert.match(made.username ?? '', /^user_[a-z0-9]{10}$/);
    const login = await gatehouse.http('POST', '/api/v1/auth/login/json', { body: { username: made.username, password: PASSWORD } });
    assert.equal(login.status, 401, 'no password: a password login is refused');
    assert.match(await page.content(), /Corp SSO/, 'the dashboard lists the identity');
    const deliveries = await gatehouse.stores.webhooks.deliveries(hook, 50);
    assert.ok(
      deliveries.some((d) => d.eventType === 'user.created'),
      'user.created is in the outbox',
    );
    await context.close();

    const again = await newPage(browser);
    assert.equal(await viaCorp(again.page, address), 'Your account');
    const back = (await gatehouse.core.accounts.findByEmail(address))!;
    assert.equal(back.id, made.id, 'the same account');
    assert.equal(back.loginCount, 2);
    await again.context.close();
  });

  test('an unverified upstream email makes an unverified account; its only way in cannot be unlinked', async () => {
    const address = await upstreamPerson({ verified: false });
    const { context, page } = await newPage(browser);
    assert.equal(await viaCorp(page, address), 'Your account');
    const made = (await gatehouse.core.accounts.findByEmail(address))!;
    assert.equal(made.isEmailVerified, false);
    await Promise.all([page.waitForLoadState(), page.getByRole('button', { name: 'Unlink' }).click()]);
    assert.match(await page.content(), /last way to sign in/);
    assert.equal((await gatehouse.core.identities.identitiesOf(made.id)).length, 1, 'still linked');
    await context.close();
  });

  test('an account with the same email is not taken over: linked only after its password, then signed in by the provider', async () => {
    const address = email('existing');
    await registerAndLogin(gatehouse.http, address);
    const owner = (await gatehouse.core.accounts.findByEmail(address))!;
    await upstreamPerson({ address });
    const { context, page } = await newPage(browser);
    assert.equal(await viaCorp(page, address), 'Sign in to your account');
    assert.match(await page.content(), /already exists/);
    assert.deepEqual(await gatehouse.core.identities.identitiesOf(owner.id), [], 'nothing linked yet');
    assert.equal((await gatehouse.core.accounts.findById(owner.id))!.loginCount, 1, 'not signed in by the provider');
    // The person proves the account: its password, on the page the provider's sign-in led to.
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL(/\/account\?lang=en&done=linked/), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
    assert.equal((await gatehouse.core.identities.identitiesOf(owner.id)).length, 1, 'linked after the proof');
    await context.close();
    const again = await newPage(browser);
    assert.equal(await viaCorp(again.page, address), 'Your account');
    assert.equal((await gatehouse.core.accounts.findById(owner.id))!.loginCount, 3);
    await again.context.close();
  });

  test('an account with an authenticator app is still asked for its code; a disabled one is refused', async () => {
    const address = email('totp');
    await registerAndLogin(gatehouse.http, address);
    const owner = (await gatehouse.core.accounts.findByEmail(address))!;
    await upstreamPerson({ address });
    // Linked first (password proof), then the app set up.
    const first = await newPage(browser);
    await viaCorp(first.page, address);
    await first.page.fill('#password', PASSWORD);
    await Promise.all([first.page.waitForURL(/done=linked/), first.page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
    await first.context.close();
    const { codeAt } = await enrolTotp(gatehouse.core, owner, PASSWORD);

    const { context, page } = await newPage(browser);
    assert.equal(await viaCorp(page, address), 'Two-step verification');
    gatehouse.clock.advance(30_000);
    await page.fill('#code', codeAt(gatehouse.clock.now()));
    await Promise.all([page.waitForURL(/\/account/), page.locator('form button[type="submit"]').first().click()]);
    assert.equal((await page.locator('h1').first().textContent())?.trim(), 'Your account');
    await context.close();

    await gatehouse.core.accounts.setStatus((await gatehouse.core.accounts.findById(owner.id))!, 'disabled');
    const refused = await newPage(browser);
    assert.equal(await viaCorp(refused.page, address), 'Sign in to your account');
    assert.match(await refused.page.content(), /This account is disabled/);
    await refused.context.close();
  });

  test('a locked account is refused as its password login is', async () => {
    const address = email('locked');
    const { context, page } = await newPage(browser);
    await upstreamPerson({ address });
    await viaCorp(page, address);
    const user = (await gatehouse.core.accounts.findByEmail(address))!;
    await gatehouse.core.accounts.setVerified(user, 'email', true);
    for (let i = 0; i < 5; i++) {
      const attempt = await gatehouse.core.lockout.reserve('password', user.id);
      await attempt.failed();
    }
    const again = await newPage(browser);
    assert.equal(await viaCorp(again.page, address), 'Sign in to your account');
    assert.match(await again.page.content(), /locked/);
    await again.context.close();
    await context.close();
  });

  test('an app signing in with Gatehouse gets the button too: the id_token names the account the provider signed in', async () => {
    const rp = await callbackServer();
    try {
      const { app, secret } = await gatehouse.core.apps.register({ name: 'Notes', redirectUris: [rp.url] });
      const config = await relyingParty(`${base}/oidc`, app.clientId, secret!);
      const address = await upstreamPerson();
      const { context, page } = await newPage(browser);
      const request = await authorizationRequest(config, rp.url);
      await page.goto(request.url.href);
      const upstreamHost = `localhost:${new URL(upstream.url).port}`;
      const shown = await throughUpstream(page, { host: upstreamHost, button: 'Continue with Corp SSO', login: address, password: PASSWORD }, (u) =>
        u.href.startsWith(rp.url),
      );
      assert.deepEqual(shown, ['gatehouse: Sign in', 'upstream: Sign in', 'upstream: Allow access', 'gatehouse: Allow access']);
      const tokens = await client.authorizationCodeGrant(config, new URL(page.url()), {
        pkceCodeVerifier: request.verifier,
        expectedState: request.state,
        expectedNonce: request.nonce,
      });
      const made = (await gatehouse.core.accounts.findByEmail(address))!;
      assert.equal(tokens.claims()?.sub, made.uuid, "the app's id_token names the account the provider's sign-in made");
      await context.close();
    } finally {
      await rp.close();
    }
  });

  test('a callback with an unknown state, a replayed one, and one whose nonce does not match are refused with a page', async () => {
    const bogus = await fetch(`${base}/idp/corp/callback?state=nothing-like-it&code=abc`);
    assert.equal(bogus.status, 400);
    assert.match(await bogus.text(), /could not be completed/);

    const address = await upstreamPerson();
    const { context, page } = await newPage(browser);
    // What the server kept for this request is altered once the browser is at the provider: another nonce.
    let state: string | undefined;
    let callback: string | undefined;
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname === '/oidc/auth') state ??= url.searchParams.get('state') ?? undefined;
      if (url.pathname === '/idp/corp/callback') callback ??= request.url();
    });
    await page.goto(`${base}/account?lang=en`);
    await Promise.all([page.waitForURL((u) => u.host !== new URL(base).host), page.getByRole('link', { name: 'Continue with Corp SSO' }).click()]);
    assert.ok(state, 'the authorization request carried a state');
    const kept = (await gatehouse.stores.identities.takeRequest(state, gatehouse.clock.now()))!;
    assert.ok(kept.nonce && kept.codeVerifier, 'the nonce and the PKCE verifier are kept on the server');
    await gatehouse.stores.identities.saveRequest({ ...kept, nonce: 'not-the-nonce-sent' });
    await page.fill('#login', address);
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL((u) => u.pathname.includes('/interaction/')), page.locator('form button[type="submit"]').first().click()]);
    const answered = page.waitForResponse((r) => r.url().includes('/idp/corp/callback'));
    await page.locator('form button[type="submit"]').first().click();
    assert.equal((await answered).status(), 400);
    await page.waitForLoadState();
    assert.match(await page.content(), /could not be completed/);
    assert.equal(await gatehouse.core.accounts.findByEmail(address), null, 'no account was made');
    assert.ok(callback);
    const replayed = await page.goto(callback);
    assert.equal(replayed?.status(), 400, 'the state is spent');
    await context.close();
  });
});
