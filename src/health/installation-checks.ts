import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.ts';
import { ENCRYPTION_KEY_FILE, SECRET_FILE } from '../store/secret-file.ts';

/** One thing `gatehouse doctor` and the console's health page check. */
export interface Check {
  name: string;
  /** What is fine, in words; throws with what is wrong and how to fix it. */
  run(): Promise<string>;
}

export interface CheckResult {
  name: string;
  ok: boolean;
  text: string;
}

/**
 * The checks of an installation, given how to reach its storage: the doctor
 * opens fresh connections; a running server asks the stores it already has.
 */
export function installationChecks(
  config: Config,
  storage: { database: () => Promise<string>; redis?: () => Promise<string> /** What signs tokens (boot.ts's signingAlgorithm). */; signingAlgorithm: string },
): Check[] {
  return [
    { name: 'settings', run: async () => 'every setting is valid' },
    { name: 'database', run: storage.database },
    ...(config.redisUrl && storage.redis ? [{ name: 'redis', run: storage.redis }] : []),
    ...(config.smtpUrl ? [{ name: 'smtp', run: () => checkSmtp(config.smtpUrl!) }] : []),
    { name: 'signing', run: async () => checkSigning(config, storage.signingAlgorithm) },
    { name: 'encryption key', run: async () => checkSecret(config.encryptionKey, config.dataDir, ENCRYPTION_KEY_FILE) },
    { name: 'data folder', run: async () => checkDataDir(config) },
    { name: 'public url', run: async () => checkPublicUrl(config) },
  ];
}

/** Runs every check, one after the other (a report reads top to bottom). */
export async function runChecks(checks: Check[]): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of checks) {
    try {
      results.push({ name: check.name, ok: true, text: await check.run() });
    } catch (error) {
      results.push({ name: check.name, ok: false, text: (error as Error).message });
    }
  }
  return results;
}

async function checkSmtp(url: string): Promise<string> {
  // Loaded when the check runs (doctor, the console's health page), not with the server.
  const { default: nodemailer } = await import('nodemailer');
  const transport = nodemailer.createTransport(url);
  try {
    await transport.verify();
  } catch (error) {
    throw new Error(`the SMTP server does not answer as expected (${(error as Error).message})`);
  } finally {
    transport.close();
  }
  return 'the SMTP server accepts connections';
}

/** What signs tokens: HS256 with the JWT secret, or keys kept in the database (an old secret then only verifies). */
function checkSigning(config: Config, algorithm: string): string {
  const keys = `${algorithm} with keys kept in the database (gatehouse keys list)`;
  if (algorithm === 'HS256') return `HS256 with the JWT secret, ${checkSecret(config.jwtSecret, config.dataDir, SECRET_FILE)}`;
  if (config.jwtSecret) return `${keys}; JWT_SECRET still verifies the tokens it signed`;
  return existsSync(join(config.dataDir, SECRET_FILE)) ? `${keys}; ${join(config.dataDir, SECRET_FILE)} still verifies the tokens it signed` : keys;
}

/** A secret set in the environment, or generated into DATA_DIR (where it must be readable by its owner only). */
function checkSecret(configured: string | null, dataDir: string, name: string): string {
  if (configured) return `configured (${Buffer.byteLength(configured)} bytes)`;
  const file = join(dataDir, name);
  if (!existsSync(file)) return 'not set yet: one will be generated at first start';
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077) throw new Error(`${file} can be read by other users (mode ${mode.toString(8)}): run chmod 600 ${file}`);
  return `generated, kept in ${file} (mode 600)`;
}

function checkDataDir(config: Config): string {
  if (!existsSync(config.dataDir)) return `${config.dataDir} does not exist yet: it is created at first start`;
  const mode = statSync(config.dataDir).mode & 0o777;
  if (mode & 0o002) throw new Error(`${config.dataDir} is writable by every user (mode ${mode.toString(8)}): run chmod o-w ${config.dataDir}`);
  return `${config.dataDir} (mode ${mode.toString(8)})`;
}

const LOOPBACK_HOST = /^(localhost|127(\.\d+){3}|\[::1\]|::1)$/;

/** The links in mail must reach people: a loopback PUBLIC_URL on a server listening for others is a mistake. */
function checkPublicUrl(config: Config): string {
  const host = new URL(config.publicUrl).hostname;
  if (LOOPBACK_HOST.test(host) && !LOOPBACK_HOST.test(config.host)) {
    throw new Error(
      `PUBLIC_URL is ${config.publicUrl}, a loopback address, while HOST is ${config.host}: links in mail will not open for anyone else. Set PUBLIC_URL to the address people use.`,
    );
  }
  if (/^(0\.0\.0\.0|\[::\])$/.test(host))
    throw new Error(`PUBLIC_URL is ${config.publicUrl}, which no browser can open (it follows HOST when unset). Set PUBLIC_URL to the address people use.`);
  return `links in mail start with ${config.publicUrl}`;
}
