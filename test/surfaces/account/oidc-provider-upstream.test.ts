// Sign in with an upstream OpenID provider that is not Gatehouse, end to end in Chromium: panva's `oidc-provider`,
// run here with one client (Gatehouse, its redirect URI `$PUBLIC_URL/idp/corp/callback`) and its own development
// login and consent pages, registered in Gatehouse as the `oidc` provider "Corp SSO". An app (openid-client)
// signs in with Gatehouse and picks Corp SSO there. The two servers are on different host names (localhost,
// 127.0.0.1) so the browser keeps their cookies apart. On PostgreSQL + Redis, two Gatehouse instances: a sign-in
// started on one is finished by the other, where the provider's callback arrives.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import Provider from 'oidc-provider';
import * as client from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { backendUrls, freshDatabase, freshPrefix, NO_BACKENDS } from '../../helpers/backends.ts';
import { launchChromium, NO_CHROMIUM, requireChromium, screenshotFolder, WIDTHS } from '../../helpers/browser.ts';
import { enrolTotp } from '../../helpers/factors.ts';
import { authorizationRequest, callbackServer, freePort, newPage, relyingParty, throughUpstream } from '../../helpers/oidc.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { PASSWORD, registerAndLogin } from '../../helpers/users.ts';

const executablePath = requireChromium();
const SHOTS = screenshotFolder('idp');

let n = 0;
const email = (who: string) => `${who}-${process.pid}-${++n}@corp.example`;

/**
 * panva's oidc-provider with one client, Gatehouse (its callback at `redirectUri`), and its development login and
 * consent pages: the person signs in with any login (their email here) and password.
 */
async function startCorp(redirectUri: string): Promise<{ issuer: string; host: string; close(): Promise<void> }> {
  const port = await freePort();
  const issuer = `http://localhost:${port}`;
  const provider = new Provider(issuer, {
    clients: [{ client_id: 'gatehouse', client_secret: 'corp-secret', redirect_uris: [redirectUri] }],
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    // The email in the id_token itself (not only at userinfo): Gatehouse reads the id_token's claims.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: true } },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
    findAccount: async (_ctx: unknown, sub: string) => ({ accountId: sub, claims: async () => ({ sub, email: sub, email_verified: true }) }),
  });
  const server = createServer(provider.callback());
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { issuer, host: `localhost:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** "Corp SSO" in this Gatehouse. */
async function addCorp(gatehouse: TestServer, issuer: string) {
  return gatehouse.core.identities.add({ id: 'corp', kind: 'oidc', name: 'Corp SSO', issuer, clientId: 'gatehouse', clientSecret: 'corp-secret' });
}

/** A browser of its own; the provider's development pages load a web font, which this machine cannot reach. */
async function browse(browser: Browser) {
  const opened = await newPage(browser);
  await opened.context.route('**/*', (route) => {
    const host = new URL(route.request().url()).hostname;
    return host === '127.0.0.1' || host === 'localhost' ? route.continue() : route.abort();
  });
  return opened;
}

/** Gatehouse's Corp SSO button, the provider's pages (`address`, any password), Gatehouse's consent: see throughUpstream. */
const follow = (page: Page, corpHost: string, address: string, done: (url: URL) => boolean) =>
  throughUpstream(page, { host: corpHost, button: 'Continue with Corp SSO', login: address, password: 'anything' }, done);

describe('an oidc-provider upstream ("Corp SSO") for an app signing in with Gatehouse', { skip: executablePath ? false : 'Chromium is not installed' }, () => {
  let corp: Awaited<ReturnType<typeof startCorp>>;
  let gatehouse: TestServer;
  let browser: Browser;
  let base: string;
  let rp: Awaited<ReturnType<typeof callbackServer>>;
  let app: client.Configuration;

  before(async () => {
    const down = await freePort();
    base = `http://127.0.0.1:${down}`;
    corp = await startCorp(`${base}/idp/corp/callback`);
    gatehouse = await startTestServer({ port: down, env: { PUBLIC_URL: base } });
    const added = await addCorp(gatehouse, corp.issuer);
    assert.equal(added.redirectUri, `${base}/idp/corp/callback`);
    rp = await callbackServer();
    const notes = await gatehouse.core.apps.register({ name: 'Notes', redirectUris: [rp.url] });
    app = await relyingParty(`${base}/oidc`, notes.app.clientId, notes.secret!);
    browser = await launchChromium(executablePath!);
  });
  // As in identity-providers.test.ts: Gatehouse's clock stands still unless moved, but Redis expires its entries at
  // the times that clock gives, and the provider and the app's openid-client judge tokens by the real time.
  beforeEach(() => gatehouse.clock.set(Math.max(gatehouse.clock.now(), Date.now())));
  after(async () => {
    await browser?.close();
    await rp?.close();
    await gatehouse?.close();
    await corp?.close();
  });

  /** The app's sign-in with Gatehouse, in a fresh browser, through Corp SSO: the `sub` of the id_token the app gets. */
  async function appSignIn(address: string): Promise<{ sub: string; shown: string[] }> {
    const { context, page } = await browse(browser);
    try {
      const request = await authorizationRequest(app, rp.url);
      await page.goto(request.url.href);
      const shown = await follow(page, corp.host, address, (u) => u.href.startsWith(rp.url));
      const tokens = await client.authorizationCodeGrant(app, new URL(page.url()), {
        pkceCodeVerifier: request.verifier,
        expectedState: request.state,
        expectedNonce: request.nonce,
      });
      return { sub: tokens.claims()!.sub, shown };
    } finally {
      await context.close();
    }
  }

  test("/account's sign-in shows a button for each provider", async () => {
    const { context, page } = await browse(browser);
    await page.setViewportSize(WIDTHS.desktop);
    // A second provider for the screenshot (the README's), removed after it: GitHub is not reached here.
    await gatehouse.core.identities.add({ id: 'github', kind: 'github', name: 'GitHub', issuer: '', clientId: 'Iv1.example', clientSecret: 'unused' });
    try {
      await page.goto(`${base}/account?lang=en`);
      for (const name of ['Continue with Corp SSO', 'Continue with GitHub']) assert.equal(await page.getByRole('link', { name }).count(), 1, name);
      await page.screenshot({ path: join(SHOTS, 'account-sign-in-providers-desktop.png'), fullPage: true });
    } finally {
      await gatehouse.core.identities.remove('github');
      await context.close();
    }
  });

  test('an app signs in with Corp SSO: its id_token names the new Gatehouse account; a second sign-in returns to it', async () => {
    const address = email('person');
    const first = await appSignIn(address);
    assert.deepEqual(first.shown, ['gatehouse: Sign in', 'upstream: Sign-in', 'upstream: Authorize', 'gatehouse: Allow access']);
    const made = (await gatehouse.core.accounts.findByEmail(address))!;
    assert.ok(made, 'an account was made');
    assert.equal(made.isEmailVerified, true, 'the provider asserted the email');
    assert.equal(first.sub, made.uuid, "the app's id_token names the account the provider's sign-in made");
    const [identity] = await gatehouse.core.identities.identitiesOf(made.id);
    assert.deepEqual([identity?.issuer, identity?.subject], [corp.issuer, address], 'keyed by issuer and subject');

    const second = await appSignIn(address);
    assert.equal(second.sub, made.uuid, 'the same account');
    assert.equal((await gatehouse.core.accounts.findById(made.id))!.loginCount, 2);
    assert.equal((await gatehouse.core.identities.identitiesOf(made.id)).length, 1);
  });

  test('an account with the email and an authenticator app: linked only after its password and code; then still asked for the code', async () => {
    const address = email('existing');
    await registerAndLogin(gatehouse.http, address);
    const owner = (await gatehouse.core.accounts.findByEmail(address))!;
    const { codeAt } = await enrolTotp(gatehouse.core, owner, PASSWORD);

    const { context, page } = await browse(browser);
    await page.goto(`${base}/account?lang=en`);
    assert.deepEqual(await follow(page, corp.host, address, () => false), [
      'gatehouse: Sign in to your account',
      'upstream: Sign-in',
      'upstream: Authorize',
      'gatehouse: Sign in to your account',
    ]);
    assert.match(await page.content(), /already exists/);
    assert.deepEqual(await gatehouse.core.identities.identitiesOf(owner.id), [], 'nothing linked by the provider alone');
    // The person proves the account: its password, then its code.
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForLoadState(), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
    assert.equal((await page.locator('h1').first().textContent())?.trim(), 'Two-step verification');
    assert.deepEqual(await gatehouse.core.identities.identitiesOf(owner.id), [], 'nothing linked on the password alone');
    gatehouse.clock.advance(30_000);
    await page.fill('#code', codeAt(gatehouse.clock.now()));
    await Promise.all([page.waitForURL(/done=linked/), page.locator('form button[type="submit"]').first().click()]);
    assert.equal((await gatehouse.core.identities.identitiesOf(owner.id)).length, 1, 'linked after the password and the code');
    await context.close();

    // Through the app now: the provider's sign-in is not the account's second factor.
    const again = await browse(browser);
    const request = await authorizationRequest(app, rp.url);
    await again.page.goto(request.url.href);
    const shown = await follow(again.page, corp.host, address, (u) => u.href.startsWith(rp.url));
    assert.deepEqual(shown.slice(0, 3), ['gatehouse: Sign in', 'upstream: Sign-in', 'upstream: Authorize']);
    assert.equal(shown.length, 4, `stopped at Gatehouse's second step: ${shown.join(' > ')}`);
    assert.equal((await again.page.locator('h1').first().textContent())?.trim(), 'Two-step verification');
    gatehouse.clock.advance(30_000);
    await again.page.fill('#code', codeAt(gatehouse.clock.now()));
    const from = again.page.url();
    await Promise.all([again.page.waitForURL((u) => u.href !== from), again.page.locator('form button[type="submit"]').first().click()]);
    await follow(again.page, corp.host, address, (u) => u.href.startsWith(rp.url));
    const tokens = await client.authorizationCodeGrant(app, new URL(again.page.url()), {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
    assert.equal(tokens.claims()?.sub, owner.uuid, 'the existing account, not a new one');
    await again.context.close();
  });
});

const backends = backendUrls();

describe('two instances on PostgreSQL + Redis: a sign-in started on one is finished on the other', {
  skip: !backends ? NO_BACKENDS : executablePath ? false : NO_CHROMIUM,
}, () => {
  let a: TestServer;
  let b: TestServer;
  let corp: Awaited<ReturnType<typeof startCorp>>;
  let browser: Browser;
  let drop: () => Promise<void> = async () => {};

  before(async () => {
    const database = await freshDatabase(backends!.databaseUrl);
    drop = database.drop;
    const [portA, portB] = [await freePort(), await freePort()];
    // One installation: the same database, Redis prefix and secrets. PUBLIC_URL names B, so the provider sends the
    // browser back to B whichever instance it started on (as a load balancer might).
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: backends!.redisUrl,
      REDIS_PREFIX: freshPrefix(),
      JWT_SECRET: 'two-instances-jwt-secret-0123456789abcdef',
      MFA_ENCRYPTION_KEY: 'two-instances-encryption-key-0123456789',
      PUBLIC_URL: `http://127.0.0.1:${portB}`,
    };
    // One after the other: the first brings the schema up to date.
    a = await startTestServer({ port: portA, env });
    b = await startTestServer({ port: portB, env });
    corp = await startCorp(`${env.PUBLIC_URL}/idp/corp/callback`);
    await addCorp(a, corp.issuer);
    browser = await launchChromium(executablePath!);
  });
  after(async () => {
    await browser?.close();
    await a?.close();
    await b?.close();
    await corp?.close();
    await drop();
  });

  test('started on A, the callback at B: the state, nonce and PKCE verifier A kept are in the database, and B signs the person in', async () => {
    const address = email('cluster');
    const { context, page } = await browse(browser);
    const starts: string[] = [];
    const callbacks: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname === '/account/idp/corp') starts.push(url.host);
      if (url.pathname === '/idp/corp/callback') callbacks.push(url.host);
    });
    await page.goto(`${a.url}/account?lang=en`);
    const shown = await follow(page, corp.host, address, () => false);
    assert.deepEqual(shown, ['gatehouse: Sign in to your account', 'upstream: Sign-in', 'upstream: Authorize', 'gatehouse: Your account']);
    assert.deepEqual(starts, [new URL(a.url).host], "A's button started the sign-in");
    assert.deepEqual(callbacks, [new URL(b.url).host], 'the provider sent the browser back to B');
    assert.equal(new URL(page.url()).host, new URL(b.url).host);
    const made = (await a.core.accounts.findByEmail(address))!;
    assert.ok(made, 'an account was made');
    assert.equal((await b.core.identities.identitiesOf(made.id)).length, 1);
    await context.close();
  });
});
