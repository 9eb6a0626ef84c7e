import { type Kysely, sql } from 'kysely';
import { normalizePhone } from '../../core/phones.ts';
import type { Dialect } from './dialect.ts';
import type { MigrationContext } from './migrate.ts';

/**
 * A code to the phone or the mailbox as a way in:
 *
 * - `users.phone_normalized`: the E.164 copy of `phone` (kept as the client gave
 *   it) that numbers are matched by, filled here for every existing account
 *   under PHONE_DEFAULT_REGION; a number that does not parse keeps no copy and
 *   is reported. Verified numbers are unique (a partial unique index, which is
 *   also the lookup of a code sign-in): where several accounts had verified the
 *   same number, the oldest account keeps it verified and the others are set
 *   back to unverified, and reported.
 * - `one_time_codes`: the pending sign-in code per number or address (the code
 *   and the mailed link's token stored hashed), short-lived state like
 *   `mfa_challenges`.
 * - `mfa_challenges.first_factor`: how the first step was taken (`pwd`, `sms`,
 *   `email`), so a two-step sign-in's `amr` names it.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect, context: MigrationContext): Promise<void> {
  const time = dialect === 'postgres' ? 'bigint' : 'integer';
  await db.schema.alterTable('users').addColumn('phone_normalized', 'text').execute();
  await fillNormalizedPhones(db, context);
  await db.schema.createIndex('users_verified_phone').on('users').column('phone_normalized').unique().where(sql.ref('is_phone_verified'), '=', 1).execute();
  await db.schema
    .createTable('one_time_codes')
    .addColumn('target', 'text', (c) => c.primaryKey())
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.unique())
    .addColumn('browser_hash', 'text')
    .addColumn('user_id', 'integer', (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('expires_at', time, (c) => c.notNull())
    .addColumn('attempts_left', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('one_time_codes_expiry').on('one_time_codes').column('expires_at').execute();
  await db.schema.alterTable('mfa_challenges').addColumn('first_factor', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('mfa_challenges').dropColumn('first_factor').execute();
  await db.schema.dropTable('one_time_codes').execute();
  await db.schema.dropIndex('users_verified_phone').execute();
  await db.schema.alterTable('users').dropColumn('phone_normalized').execute();
}

interface PhoneRow {
  id: number | string;
  phone: string;
  is_phone_verified: number | string;
}

/** Fills `phone_normalized`, oldest account first, and says what it could not do. */
async function fillNormalizedPhones(db: Kysely<unknown>, context: MigrationContext): Promise<void> {
  const { rows } = await sql<PhoneRow>`SELECT id, phone, is_phone_verified FROM users WHERE phone IS NOT NULL ORDER BY id`.execute(db);
  const unparsed: number[] = [];
  const unverified: number[] = [];
  const verifiedBy = new Map<string, number>();
  for (const row of rows) {
    const id = Number(row.id);
    const normalized = normalizePhone(row.phone, context.phoneRegion);
    if (normalized === null) {
      if (row.phone.trim() !== '') unparsed.push(id);
      continue;
    }
    let unverify = false;
    if (Number(row.is_phone_verified) === 1) {
      if (verifiedBy.has(normalized)) unverify = true;
      else verifiedBy.set(normalized, id);
    }
    if (unverify) unverified.push(id);
    await sql`UPDATE users SET phone_normalized = ${normalized}${unverify ? sql`, is_phone_verified = 0` : sql``} WHERE id = ${id}`.execute(db);
  }
  if (unparsed.length > 0)
    context.report(
      `${unparsed.length} phone number${unparsed.length === 1 ? '' : 's'} could not be read as a number of ${context.phoneRegion} or in +country form (account ids ${list(unparsed)}): kept as given; no code can be texted to them until they are corrected`,
    );
  if (unverified.length > 0)
    context.report(
      `${unverified.length} account${unverified.length === 1 ? '' : 's'} had verified a number an older account had verified too (account ids ${list(unverified)}): set back to unverified (a verified number belongs to one account)`,
    );
}

/** At most 20 ids in a line, then how many more. */
const list = (ids: number[]) => (ids.length > 20 ? `${ids.slice(0, 20).join(', ')} and ${ids.length - 20} more` : ids.join(', '));
