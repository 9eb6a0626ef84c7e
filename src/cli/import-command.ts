import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import { boot } from '../boot.ts';
import type { Config } from '../config.ts';
import { summarize, type ForeignAccount } from '../core/user-import.ts';
import { LegacyDatabaseError, readFastApiUsers } from '../store/moving-in/fastapi-sqlite.ts';
import { progressBar } from './progress.ts';
import { readRecords } from './records.ts';
import { UsageError } from './usage-error.ts';

/**
 * `gatehouse import legacy-sqlite PATH [--dry-run]` — the original FastAPI system's database.
 * `gatehouse import users FILE [--dry-run] [--format csv|json]` — an export from another system.
 */
export async function importCommand(args: string[], config: Config): Promise<number> {
  const [kind, ...rest] = args;
  if (kind !== 'legacy-sqlite' && kind !== 'users') throw new UsageError('import needs a kind: legacy-sqlite PATH, or users FILE');
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: { 'dry-run': { type: 'boolean' }, format: { type: 'string' } }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const [path, ...extra] = parsed.positionals;
  if (!path || extra.length) throw new UsageError(`import ${kind} needs exactly one file`);
  const accounts = kind === 'legacy-sqlite' ? legacy(path) : exported(path, parsed.values.format);
  const dryRun = parsed.values['dry-run'] ?? false;

  const core = await boot(config);
  try {
    const bar = progressBar(dryRun ? 'checking' : 'importing', process.stderr);
    const report = await core.importAccounts(accounts, { dryRun, onProgress: (n) => bar.update(n, accounts.length) });
    bar.done();
    for (const s of report.skipped) console.error(`skipped ${s.source}: ${s.reason}`);
    console.log(summarize(report, dryRun));
    return 0;
  } finally {
    await core.close();
  }
}

function legacy(path: string): ForeignAccount[] {
  try {
    return readFastApiUsers(path);
  } catch (error) {
    if (error instanceof LegacyDatabaseError) throw new UsageError(error.message);
    throw error;
  }
}

const truthy = (v: unknown) => v === true || v === 1 || (typeof v === 'string' && ['1', 'true', 'yes', 'disabled'].includes(v.trim().toLowerCase()));
const str = (v: unknown) => (v === undefined || v === null || v === '' ? null : String(v));

/** CSV or JSON (array or lines) with columns email, password_hash, first_name, last_name, phone (or phone_number), username, disabled, id. */
function exported(path: string, format: string | undefined): ForeignAccount[] {
  return readRecords(path, format ?? (extname(path).toLowerCase() === '.csv' ? 'csv' : 'json'), ['email', 'password_hash']).map(({ line, values: v }) => ({
    source: `line ${line}`,
    id: v.id !== undefined && /^\d+$/.test(String(v.id)) ? Number(v.id) : undefined,
    email: str(v.email),
    username: str(v.username),
    passwordHash: str(v.password_hash),
    firstName: str(v.first_name),
    lastName: str(v.last_name),
    phone: str(v.phone ?? v.phone_number),
    disabled: truthy(v.disabled),
  }));
}
