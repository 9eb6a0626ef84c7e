// What the OpenID Connect tests share: a free port for a PUBLIC_URL known before
// start, the relying party's callback server, Chromium, and the browser's walk
// through the sign-in and consent pages.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import * as client from 'openid-client';
import { launchChromium } from './browser.ts';
import { startTestServer, type TestServer } from './test-server.ts';

/** A port free a moment ago (the kernel does not hand it out again at once). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The app's redirect target: answers 200 to whatever lands there. */
export async function callbackServer(): Promise<{ url: string; close(): Promise<void>; server: Server }> {
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('app'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/cb`, server, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export async function relyingParty(issuer: string, clientId: string, secret: string | null): Promise<client.Configuration> {
  return client.discovery(new URL(issuer), clientId, undefined, secret === null ? client.None() : client.ClientSecretBasic(secret), {
    execute: [client.allowInsecureRequests],
  });
}

export interface Authorization {
  url: URL;
  verifier: string;
  state: string;
  nonce: string;
}

/** An authorization request with PKCE S256, state and nonce. */
export async function authorizationRequest(config: client.Configuration, redirectUri: string, extra: Record<string, string> = {}): Promise<Authorization> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid email profile phone offline_access',
    prompt: 'consent',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  });
  return { url, verifier, state, nonce };
}

export interface Walk {
  /** The pages the browser was shown on the way, by their first heading. */
  shown: string[];
  /** Where the browser ended: the app's callback with code and state. */
  callback: URL;
}

/**
 * The browser follows the authorization URL and answers whatever page comes:
 * sign-in with these credentials, consent with Allow, until it is back at the
 * app's callback. `onPage` sees each page first (axe, screenshots).
 */
export async function walk(
  page: Page,
  url: URL,
  credentials: { login: string; password: string },
  callbackPrefix: string,
  onPage?: (page: Page, heading: string) => Promise<void>,
): Promise<Walk> {
  const shown: string[] = [];
  await page.goto(url.href);
  for (let step = 0; step < 5; step++) {
    if (page.url().startsWith(callbackPrefix)) return { shown, callback: new URL(page.url()) };
    const heading = (await page.locator('h1').first().textContent())?.trim() ?? '';
    shown.push(heading);
    await onPage?.(page, heading);
    if (await page.locator('#password').count()) {
      await page.fill('#login', credentials.login);
      await page.fill('#password', credentials.password);
    } else if (!(await page.locator('form[action*="/consent"]').count())) {
      throw new Error(`unexpected page: ${heading}`);
    }
    const from = page.url();
    await Promise.all([page.waitForURL((u) => u.href !== from, { timeout: 30_000 }), page.locator('form button[type="submit"]').first().click()]);
  }
  throw new Error(`never reached the app: ${shown.join(' > ')}`);
}

/**
 * A sign-in through an upstream provider, from where the page is: Gatehouse's provider button (once), the
 * provider's sign-in page (any with `login` and `password` fields) and its consent, then Gatehouse's consent for
 * the app, until `done` or a Gatehouse page it does not answer (the second step, a link to prove). Returns the
 * pages shown, by their first heading, each after `gatehouse:` or `upstream:` (by `upstream.host`).
 */
export async function throughUpstream(
  page: Page,
  upstream: { host: string; button: string; login: string; password: string },
  done: (url: URL) => boolean,
): Promise<string[]> {
  const shown: string[] = [];
  let visited = false;
  for (let step = 0; step < 10 && !done(new URL(page.url())); step++) {
    const here = new URL(page.url()).host === upstream.host ? 'upstream' : 'gatehouse';
    visited ||= here === 'upstream';
    shown.push(`${here}: ${(await page.locator('h1').first().textContent())?.trim()}`);
    const from = page.url();
    const next = () => page.waitForURL((u) => u.href !== from, { timeout: 30_000 });
    const button = page.getByRole('link', { name: upstream.button });
    if (here === 'gatehouse' && !visited && (await button.count())) {
      await Promise.all([next(), button.click()]);
      continue;
    }
    if (here === 'upstream' && (await page.locator('input[name="login"]').count())) {
      await page.fill('input[name="login"]', upstream.login);
      await page.fill('input[name="password"]', upstream.password);
    } else if (here === 'gatehouse' && !(await page.locator('form[action*="/consent"]').count())) break;
    await Promise.all([next(), page.locator('form button[type="submit"]').first().click()]);
  }
  return shown;
}

export async function newPage(browser: Browser, locale = 'en-US'): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale, extraHTTPHeaders: { 'accept-language': locale } });
  return { context, page: await context.newPage() };
}

/** Asserts that a relying-party call fails with this OAuth error code (RFC 6749 §5.2, RFC 6750 §3.1). */
export async function refusedWith(call: Promise<unknown>, code: string): Promise<void> {
  let failure: unknown;
  try {
    await call;
  } catch (error) {
    failure = error;
  }
  if (!failure) throw new Error(`expected ${code}, but the call succeeded`);
  const e = failure as { error?: string; cause?: { error?: string }; code?: string };
  // A 401 from userinfo carries the code in WWW-Authenticate: openid-client exposes it as the error's cause.
  const challenges = (failure as { cause?: Array<{ parameters?: { error?: string } }> }).cause;
  const got = e.error ?? e.cause?.error ?? (Array.isArray(challenges) ? challenges[0]?.parameters?.error : undefined);
  if (got !== code) throw new Error(`expected ${code}, got ${got ?? String(failure)}`);
}

/** A Gatehouse whose PUBLIC_URL is its own address, one registered confidential app, its relying party, and Chromium. */
export interface OidcFixture {
  server: TestServer;
  browser: Browser;
  rp: Awaited<ReturnType<typeof callbackServer>>;
  issuer: string;
  app: { clientId: string; secret: string };
  config: client.Configuration;
  close(): Promise<void>;
}

export async function startOidcFixture(executablePath: string, env: Record<string, string> = {}): Promise<OidcFixture> {
  const port = await freePort();
  const server = await startTestServer({ port, env: { PUBLIC_URL: `http://127.0.0.1:${port}`, ...env } });
  const issuer = `http://127.0.0.1:${port}/oidc`;
  const rp = await callbackServer();
  const registered = await server.core.apps.register({ name: 'Notes', redirectUris: [rp.url] });
  const app = { clientId: registered.app.clientId, secret: registered.secret! };
  const config = await relyingParty(issuer, app.clientId, app.secret);
  const browser = await launchChromium(executablePath);
  return {
    server,
    browser,
    rp,
    issuer,
    app,
    config,
    async close() {
      await browser.close();
      await rp.close();
      await server.close();
    },
  };
}

/** The cookies a browser would keep for the provider's pages (the last value of each name; paths ignored). */
export class CookieJar {
  readonly #cookies = new Map<string, string>();
  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const value = pair.slice(eq + 1).trim();
      if (value) this.#cookies.set(pair.slice(0, eq).trim(), value);
      else this.#cookies.delete(pair.slice(0, eq).trim());
    }
  }
  header(): string {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/**
 * A browser without Chromium for the sign-in and consent pages (plain HTML
 * forms): follows the authorization URL, answers the sign-in page with the
 * credentials, the second step with `code()`, consent with Allow, and stops at
 * the app's callback. `shown` lists the pages' headings; the jar keeps the
 * provider's cookies, so a second walk with it is the same browser (SSO).
 */
export async function formWalk(
  jar: CookieJar,
  url: URL,
  credentials: { login: string; password: string; code?: () => string },
  callbackPrefix: string,
): Promise<Walk> {
  const shown: string[] = [];
  let next = url.href;
  let form: { action: string; fields: Record<string, string> } | undefined;
  for (let step = 0; step < 20; step++) {
    if (next.startsWith(callbackPrefix)) return { shown, callback: new URL(next) };
    const response = await fetch(next, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { cookie: jar.header(), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body: form ? new URLSearchParams(form.fields) : undefined,
    });
    jar.take(response);
    form = undefined;
    const location = response.headers.get('location');
    if (location) {
      next = new URL(location, next).href;
      continue;
    }
    const html = await response.text();
    const heading = /<h1[^>]*>([^<]*)<\/h1>/.exec(html)?.[1]?.trim() ?? `(${response.status})`;
    shown.push(heading);
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
    const actions = [...html.matchAll(/<form method="post" action="([^"]+)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&'));
    const action = (name: string) => actions.find((a) => a.includes(`/${name}?`));
    let fields: Record<string, string> | undefined;
    let target: string | undefined;
    if (html.includes('id="password"') && (target = action('login'))) fields = { login: credentials.login, password: credentials.password };
    else if (html.includes('name="mfa_token"') && (target = action('second-factor')) && credentials.code)
      fields = { mfa_token: /name="mfa_token" value="([^"]+)"/.exec(html)![1]!, code: credentials.code() };
    else if ((target = action('consent'))) fields = {};
    if (!fields || !target || !csrf) throw new Error(`unexpected page (${response.status}): ${heading} after ${shown.join(' > ')}`);
    form = { action: target, fields: { csrf, ...fields } };
    next = new URL(target, next).href;
  }
  throw new Error(`never reached the app: ${shown.join(' > ')}`);
}
