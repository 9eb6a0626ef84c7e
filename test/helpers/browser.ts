// What every test in a real browser shares: Debian's Chromium (or CHROMIUM_PATH)
// driven by playwright-core with this machine's flags, axe-core's source, the
// phone and desktop widths, where screenshots go, and a profile with a virtual passkey authenticator.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export function chromiumPath(): string | undefined {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Chromium's path; under CI its absence fails the file rather than skipping it. */
export function requireChromium(): string | undefined {
  const path = chromiumPath();
  if (!path && process.env.CI) throw new Error('CI is set but Chromium is not installed (.ci/run installs the chromium package)');
  return path;
}

export const NO_CHROMIUM = 'Chromium is not installed (apt-get install chromium, or set CHROMIUM_PATH)';

/** Headless Chromium with no background traffic: this machine's network answers only loopback. */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
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
}

export const AXE_SOURCE = readFileSync(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');

export const WIDTHS = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 800 } } as const;

/** docs/screenshots with UPDATE_SCREENSHOTS=1; otherwise a fresh temporary folder (two runs never share one). */
export function screenshotFolder(name: string): string {
  const folder = process.env.UPDATE_SCREENSHOTS
    ? new URL('../../docs/screenshots/', import.meta.url).pathname
    : mkdtempSync(join(tmpdir(), `gatehouse-${name}-shots-`));
  mkdirSync(folder, { recursive: true });
  return folder;
}

/**
 * A browser profile with one platform authenticator (DevTools' virtual
 * authenticator) that holds passkeys and verifies its user; `onConsole` sees
 * the page's console lines (CSP reports, say).
 */
export async function pageWithAuthenticator(browser: Browser, onConsole?: (text: string) => void): Promise<Page> {
  const context = await browser.newContext({ locale: 'en-US' });
  const page = await context.newPage();
  if (onConsole) page.on('console', (m) => onConsole(m.text()));
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return page;
}
