import type { Kysely } from 'kysely';
import type { Dialect } from './dialect.ts';

/**
 * Attempt budgets (password lockout, verification-code guesses, code sends),
 * keyed by a text such as `password:42`, replace the per-user login_failures:
 * a slot is now taken before a password is checked. The old counters are
 * short-lived (15 minutes); they are not carried over.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const time = dialect === 'postgres' ? 'bigint' : 'integer';
  await db.schema
    .createTable('attempt_budgets')
    .addColumn('subject', 'text', (c) => c.primaryKey())
    .addColumn('window_start', time, (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('locked_until', time)
    // Whether the last reservation got a slot: what the one upsert statement returns.
    .addColumn('granted', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.dropTable('login_failures').execute();
}

export async function down(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const time = dialect === 'postgres' ? 'bigint' : 'integer';
  await db.schema
    .createTable('login_failures')
    .addColumn('user_id', 'integer', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('window_start', time, (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('locked_until', time)
    .execute();
  await db.schema.dropTable('attempt_budgets').execute();
}
