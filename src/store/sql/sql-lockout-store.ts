import { sql, type Kysely } from 'kysely';
import type { FailureState, LockoutRule, LockoutStore, Reservation } from '../../core/ports/lockout-store.ts';
import type { Database } from './schema.ts';

/**
 * Attempt budgets in SQL. Each method is one statement, atomic on SQLite and
 * PostgreSQL alike: the reservation is one upsert whose SET reads the row as
 * it was, so concurrent reservations queue on the row and never overshoot.
 */
export class SqlLockoutStore implements LockoutStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async reserve(key: string, at: number, rule: LockoutRule): Promise<Reservation> {
    const now = sql`CAST(${at} AS BIGINT)`;
    const b = sql.raw('attempt_budgets');
    const stale = sql`(${now} - ${b}.window_start >= ${rule.windowMs} OR (${b}.locked_until IS NOT NULL AND ${b}.locked_until <= ${now}))`;
    const full = sql`(${b}.locked_until IS NOT NULL OR ${b}.count >= ${rule.maxFailures})`;
    const { rows } = await sql<{ count: number; locked_until: number | null; window_start: number; granted: number }>`
      INSERT INTO attempt_budgets (subject, window_start, count, locked_until, granted)
      VALUES (${key}, ${now}, 1, NULL, 1)
      ON CONFLICT (subject) DO UPDATE SET
        count = CASE WHEN ${stale} THEN 1 WHEN ${full} THEN ${b}.count ELSE ${b}.count + 1 END,
        window_start = CASE WHEN ${stale} THEN ${now} ELSE ${b}.window_start END,
        locked_until = CASE WHEN ${stale} THEN NULL ELSE ${b}.locked_until END,
        granted = CASE WHEN ${stale} THEN 1 WHEN ${full} THEN 0 ELSE 1 END
      RETURNING count, locked_until, window_start, granted`.execute(this.#db);
    const row = rows[0];
    if (!row) throw new Error('attempt reservation returned no row');
    if (Number(row.granted) === 1) return { granted: true };
    if (row.locked_until != null) return { granted: false, locked: true, retryAt: Number(row.locked_until) };
    return { granted: false, locked: false, retryAt: Number(row.window_start) + rule.windowMs };
  }

  async release(key: string): Promise<void> {
    await this.#db
      .updateTable('attempt_budgets')
      .set((eb) => ({ count: eb('count', '-', 1) }))
      .where('subject', '=', key)
      .where('count', '>', 0)
      .execute();
  }

  async fail(key: string, at: number, rule: LockoutRule): Promise<boolean> {
    // Only the statement that finds the window full and unlocked locks it: one report per lock.
    const result = await this.#db
      .updateTable('attempt_budgets')
      .set({ locked_until: sql`CAST(${at + rule.lockMs} AS BIGINT)` })
      .where('subject', '=', key)
      .where('count', '>=', rule.maxFailures)
      .where('locked_until', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async get(key: string): Promise<FailureState | null> {
    const row = await this.#db.selectFrom('attempt_budgets').select(['count', 'locked_until']).where('subject', '=', key).executeTakeFirst();
    return row ? { count: Number(row.count), lockedUntil: row.locked_until == null ? null : Number(row.locked_until) } : null;
  }

  async clear(key: string): Promise<void> {
    await this.#db.deleteFrom('attempt_budgets').where('subject', '=', key).execute();
  }
}
