import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { StartupError } from '../startup-error.ts';

/**
 * Makes sure `path` is a folder this process can write, creating it (and its
 * missing parents) one level at a time. Node's recursive mkdir can loop for
 * ever under pseudo file systems such as /proc, so it is not used. Failures are
 * one line naming the setting. Returns whether the folder was created.
 */
export function ensureWritableFolder(path: string, setting: string): boolean {
  const missing: string[] = [];
  let current = resolve(path);
  for (;;) {
    let stat;
    try {
      stat = statSync(current);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw new StartupError(`${setting}: cannot use ${path} (${code})`);
      missing.unshift(current);
      const parent = dirname(current);
      if (parent === current) throw new StartupError(`${setting}: cannot use ${path} (no existing parent folder)`);
      current = parent;
      continue;
    }
    if (!stat.isDirectory()) throw new StartupError(`${setting}: ${current} is a file, not a folder`);
    break;
  }
  for (const folder of missing) {
    try {
      mkdirSync(folder);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST')
        throw new StartupError(`${setting}: cannot create ${folder} (${code === 'EACCES' || code === 'EROFS' || code === 'EPERM' ? 'not writable' : code})`);
    }
  }
  try {
    accessSync(path, constants.W_OK | constants.X_OK);
  } catch {
    throw new StartupError(`${setting}: ${path} is not writable by this process`);
  }
  return missing.length > 0;
}

/**
 * Runs `attempt` until it succeeds or `waitMs` has passed, waiting between
 * tries: at start, a database or Redis may still be starting (compose-style
 * start order). The last error is rethrown.
 */
export async function retryUntil<T>(
  waitMs: number,
  attempt: () => Promise<T>,
  retryable: (error: unknown) => boolean,
  onWait: (secondsLeft: number, error: unknown) => void = () => {},
): Promise<T> {
  const deadline = Date.now() + waitMs;
  let saidAt = Number.NEGATIVE_INFINITY;
  for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
    try {
      return await attempt();
    } catch (error) {
      if (!retryable(error) || Date.now() + delay > deadline) throw error;
      // Said at most every 2 s, so a long wait is visible without flooding the terminal.
      if (Date.now() - saidAt >= 2000) {
        saidAt = Date.now();
        onWait(Math.ceil((deadline - Date.now()) / 1000), error);
      }
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
