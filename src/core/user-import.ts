import { normalizeEmail } from './accounts.ts';
import type { Events } from './events.ts';
import { isSupportedHash } from './passwords.ts';
import type { Clock } from './ports/clock.ts';
import type { IdSource } from './ports/ids.ts';
import { UniqueViolation, type UserStore } from './ports/user-store.ts';
import type { Phones } from './phones.ts';

/** One account from another system, password already hashed there. */
export interface ForeignAccount {
  /** Where it came from, for the report (a row id or a line number). */
  source: string;
  /** Keep this id when it is free. */
  id?: number;
  email: string | null;
  username?: string | null;
  passwordHash: string | null;
  firstName?: string | null;
  lastName?: string | null;
  phone?: string | null;
  disabled?: boolean;
}

export interface AccountImportReport {
  imported: number;
  /** Reasons, with the source of each skipped record. */
  skipped: Array<{ source: string; reason: string }>;
  /** Imported with an id other than their own (it was taken). */
  renumbered: number;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Creates accounts that keep their password hashes (argon2 or bcrypt), so
 * nobody has to reset a password; each is upgraded to the current hash setting
 * on its first login. Each account is one insert: it exists whole or not at
 * all, with its `user.created` webhook event. Running the same import again
 * skips every account (already exists).
 */
export async function importAccounts(
  users: UserStore,
  accounts: Iterable<ForeignAccount>,
  deps: { clock: Clock; ids: IdSource; events: Events; phones: Pick<Phones, 'normalize'> },
  options: { dryRun?: boolean; onProgress?: (done: number) => void } = {},
): Promise<AccountImportReport> {
  const report: AccountImportReport = { imported: 0, skipped: [], renumbered: 0 };
  const skip = (source: string, reason: string) => report.skipped.push({ source, reason });
  const seen = new Set<string>();
  const keep: Array<ForeignAccount & { email: string }> = [];
  const renumber: Array<ForeignAccount & { email: string }> = [];
  const claimedIds = new Set<number>();
  let done = 0;
  for (const account of accounts) {
    options.onProgress?.(++done);
    const email = account.email ? normalizeEmail(account.email) : null;
    if (!email || !EMAIL.test(email)) {
      skip(account.source, 'invalid email');
      continue;
    }
    if (!account.passwordHash || !isSupportedHash(account.passwordHash)) {
      skip(account.source, 'unsupported password hash');
      continue;
    }
    if (seen.has(email) || (await users.findByEmail(email))) {
      skip(account.source, 'already exists');
      continue;
    }
    if (account.username && (await users.findByUsername(account.username))) {
      skip(account.source, 'username taken');
      continue;
    }
    seen.add(email);
    const free = account.id !== undefined && !claimedIds.has(account.id) && (await users.findById(account.id)) === null;
    if (free) {
      claimedIds.add(account.id!);
      keep.push({ ...account, email });
    } else {
      if (account.id !== undefined) report.renumbered++;
      renumber.push({ ...account, email, id: undefined });
    }
  }
  // Accounts that keep their ids go first, so a renumbered one cannot take an id another still needs.
  for (const account of [...keep, ...renumber]) {
    if (options.dryRun) {
      report.imported++;
      continue;
    }
    const names = [account.firstName, account.lastName].filter((n): n is string => !!n && n.trim() !== '');
    try {
      await users.create(
        {
          ...(account.id !== undefined ? { id: account.id } : {}),
          uuid: deps.ids.uuid(),
          email: account.email,
          username: account.username || null,
          passwordHash: account.passwordHash!,
          firstName: account.firstName || null,
          lastName: account.lastName || null,
          phone: account.phone || null,
          phoneNormalized: deps.phones.normalize(account.phone),
          fullName: names.length ? names.join(' ') : null,
          status: account.disabled ? 'disabled' : 'active',
          createdAt: deps.clock.now(),
        },
        deps.events.of('user.created'),
      );
      report.imported++;
    } catch (error) {
      if (!(error instanceof UniqueViolation)) throw error;
      skip(account.source, error.field === 'username' ? 'username taken' : 'already exists');
    }
  }
  return report;
}

/** `imported 3, skipped 2 (already exists: 1, invalid email: 1)`. */
export function summarize(report: AccountImportReport, dryRun = false): string {
  const reasons = new Map<string, number>();
  for (const s of report.skipped) reasons.set(s.reason, (reasons.get(s.reason) ?? 0) + 1);
  const why = reasons.size ? ` (${[...reasons].map(([r, n]) => `${r}: ${n}`).join(', ')})` : '';
  return dryRun
    ? `would import ${report.imported}, skip ${report.skipped.length}${why}`
    : `imported ${report.imported}, skipped ${report.skipped.length}${why}`;
}
