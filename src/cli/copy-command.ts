import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, parseDatabaseUrl, type Config } from '../config.ts';
import { SecretBox } from '../core/secret-box.ts';
import { copyDatabase, CopyStopped, type CopyKey } from '../store/moving-in/copy-database.ts';
import { NOT_COPIED } from '../store/moving-in/copy-plan.ts';
import { ENCRYPTION_KEY_FILE, readSecret } from '../store/secret-file.ts';
import { UsageError } from './usage-error.ts';

/**
 * `gatehouse copy --from sqlite:PATH --to postgres://... [--from-encryption-key-file FILE] [--to-encryption-key-file FILE] [--json]`:
 * move an installation to another database. Each side's key (what seals TOTP
 * secrets and private signing keys) is the file given, else the key the
 * settings resolve: MFA_ENCRYPTION_KEY, else DATA_DIR/encryption-key.
 */
export async function copyCommand(args: string[], config: Config): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        'from-encryption-key-file': { type: 'string' },
        'to-encryption-key-file': { type: 'string' },
        json: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (!values.from || !values.to) throw new UsageError('copy needs --from and --to (sqlite:PATH or postgres://...)');
  const target = (raw: string, name: string) => {
    try {
      const t = parseDatabaseUrl(raw, config.dataDir);
      if (t.kind === 'memory') throw new UsageError(`--${name} cannot be memory:`);
      return t;
    } catch (error) {
      if (error instanceof ConfigError) throw new UsageError(`--${name}: ${error.message.replace(/^DATABASE_URL:?\s*/, '')}`);
      throw error;
    }
  };
  const from = target(values.from, 'from');
  const to = target(values.to, 'to');
  const keys = { from: keyOf(values['from-encryption-key-file'], 'from', config), to: keyOf(values['to-encryption-key-file'], 'to', config) };
  let report;
  try {
    report = await copyDatabase(from, to, keys, undefined, config.phoneDefaultRegion);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const unseal = error instanceof CopyStopped && error.kind === 'unseal' && values['from-encryption-key-file'] === undefined;
    const hint = unseal ? " (give the source installation's key with --from-encryption-key-file)" : '';
    // Everything happens in one transaction on the target: whatever stopped the copy, the target is as it was.
    throw new UsageError(`copy failed: ${(error as Error).message}${hint}; nothing was copied`);
  }
  if (values.json) {
    console.log(JSON.stringify({ tables: report, not_copied: Object.keys(NOT_COPIED) }));
    return 0;
  }
  console.log(
    `copied ${Object.entries(report)
      .map(([table, n]) => `${table} ${n}`)
      .join(', ')}`,
  );
  console.log(
    `not copied (short-lived; users sign in again): ${Object.keys(NOT_COPIED)
      .filter((t) => !t.startsWith('kysely_'))
      .join(', ')}`,
  );
  return 0;
}

/** One side's key: the file given, else MFA_ENCRYPTION_KEY, else DATA_DIR/encryption-key; none is made here. */
function keyOf(file: string | undefined, side: 'from' | 'to', config: Config): CopyKey {
  const option = `--${side}-encryption-key-file`;
  let text: string | null;
  let origin: string;
  if (file !== undefined) {
    try {
      text = readFileSync(file, 'utf8').trim();
    } catch (error) {
      throw new UsageError(`${option}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    origin = `${option} ${file}`;
  } else if (config.encryptionKey) {
    text = config.encryptionKey;
    origin = 'MFA_ENCRYPTION_KEY';
  } else {
    text = readSecret(config.dataDir, ENCRYPTION_KEY_FILE);
    const path = join(config.dataDir, ENCRYPTION_KEY_FILE);
    origin = text === null ? `MFA_ENCRYPTION_KEY is unset and ${path} does not exist; give ${option}` : path;
  }
  if (text === null) return { box: null, origin };
  try {
    return { box: new SecretBox(text), origin };
  } catch (error) {
    throw new UsageError(`${origin}: ${(error as Error).message}`);
  }
}
