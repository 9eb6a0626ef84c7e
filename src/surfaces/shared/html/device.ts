import Bowser from 'bowser';

/** A session's device as people name it ("Chrome on Linux"), from its user agent; null when the agent says too little. */
export function describeDevice(userAgent: string | null): { browser: string; os: string } | null {
  if (!userAgent) return null;
  const parsed = Bowser.parse(userAgent);
  const browser = parsed.browser.name;
  const os = parsed.os.name;
  return browser && os ? { browser, os } : null;
}
