import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Response } from 'playwright-core';
import type { NewProvider } from '../../src/core/identities.ts';
import { launchChromium } from './browser.ts';
import { freePort, newPage } from './oidc.ts';
import { startTestServer, type TestServer } from './test-server.ts';

/** A provider played by a local server, a Gatehouse that signs in with it, and a browser. */
export interface ProviderBed {
  /** The provider's address: `--issuer`. */
  issuer: string;
  /** Gatehouse's address, its PUBLIC_URL. */
  base: string;
  gatehouse: TestServer;
  browser: Browser;
  close(): Promise<void>;
}

/**
 * Starts the local server that plays a provider (these machines reach none) on localhost — another site than
 * Gatehouse's 127.0.0.1, as a real provider is —, a Gatehouse whose PUBLIC_URL is its own address (where the
 * provider sends the browser back) with the provider `add` describes, and Chromium.
 */
export async function startProviderBed(
  provider: Server,
  add: (issuer: string) => Promise<NewProvider> | NewProvider,
  executablePath: string,
): Promise<ProviderBed> {
  await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
  const issuer = `http://localhost:${(provider.address() as AddressInfo).port}`;
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const gatehouse = await startTestServer({ port, env: { PUBLIC_URL: base } });
  await gatehouse.core.identities.add(await add(issuer));
  const browser = await launchChromium(executablePath);
  return {
    issuer,
    base,
    gatehouse,
    browser,
    async close() {
      await browser.close();
      await gatehouse.close();
      await new Promise((resolve) => provider.close(resolve));
    },
  };
}

/**
 * Presses "Continue with {name}" on /account's sign-in in a fresh browser context and waits for `outcome`, the
 * response that shows how the sign-in ended: the page's heading and text.
 */
export async function pressProvider(bed: ProviderBed, name: string, outcome: (r: Response) => boolean): Promise<{ heading: string | undefined; text: string }> {
  const { context, page } = await newPage(bed.browser);
  await page.goto(`${bed.base}/account?lang=en`);
  const back = page.waitForResponse(outcome);
  await page.getByRole('link', { name: `Continue with ${name}` }).click();
  await back;
  await page.waitForLoadState();
  const heading = (await page.locator('h1').first().textContent())?.trim();
  const text = await page.content();
  await context.close();
  return { heading, text };
}
