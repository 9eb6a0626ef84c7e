import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The generated HS256 signing secret (JWT_SECRET unset). */
export const SECRET_FILE = 'jwt-secret';
/** The generated key of the secret box (MFA_ENCRYPTION_KEY unset). */
export const ENCRYPTION_KEY_FILE = 'encryption-key';

/** A secret kept in DATA_DIR, or null when there is none (nothing is written). */
export function readSecret(dataDir: string, name: string = SECRET_FILE): string | null {
  const file = join(dataDir, name);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : null;
}

/**
 * A secret kept in DATA_DIR (the signing secret by default, or the
 * encryption key): read when present, otherwise made once
 * (48 random bytes) and written with mode 0600, so a restart keeps everybody
 * logged in. Creation uses the exclusive flag: two processes starting at once
 * cannot write different secrets.
 */
export function loadOrCreateSecret(dataDir: string, name: string = SECRET_FILE): string {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, name);
  try {
    writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  return readFileSync(file, 'utf8').trim();
}
