import { sql, type Kysely } from 'kysely';
import type { FailureState, LockoutRule, LockoutStore } from '../../core/ports/lockout-store.ts';
import type { Database } from './schema.ts';

/** Failure counters in SQL. One upsert statement counts a failure atomically, so concurrent failures never get lost. */
export class SqlLockoutStore implements LockoutStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async recordFailure(userId: number, at: number, rule: LockoutRule): Promise<FailureState> {
    const now = sql`CAST(${at} AS BIGINT)`;
    const stale = sql`(${now} - login_failures.window_start >= ${rule.windowMs} OR (login_failures.locked_until IS NOT NULL AND login_failures.locked_until <= ${now}))`;
    const nextCount = sql`CASE WHEN ${stale} THEN 1 ELSE login_failures.count + 1 END`;
    const { rows } = await sql<{ count: number; locked_until: number | null }>`
      INSERT INTO login_failures (user_id, window_start, count, locked_until)
      VALUES (${userId}, ${now}, 1, CASE WHEN 1 >= ${rule.maxFailures} THEN ${now} + ${rule.lockMs} ELSE NULL END)
      ON CONFLICT (user_id) DO UPDATE SET
        count = ${nextCount},
        window_start = CASE WHEN ${stale} THEN ${now} ELSE login_failures.window_start END,
        locked_until = CASE WHEN ${nextCount} >= ${rule.maxFailures} THEN ${now} + ${rule.lockMs} ELSE NULL END
      RETURNING count, locked_until`.execute(this.#db);
    const row = rows[0];
    if (!row) throw new Error('lockout upsert returned no row');
    return { count: Number(row.count), lockedUntil: row.locked_until == null ? null : Number(row.locked_until) };
  }

  async get(userId: number): Promise<FailureState | null> {
    const row = await this.#db.selectFrom('login_failures').select(['count', 'locked_until']).where('user_id', '=', userId).executeTakeFirst();
    return row ? { count: Number(row.count), lockedUntil: row.locked_until == null ? null : Number(row.locked_until) } : null;
  }

  async clear(userId: number): Promise<void> {
    await this.#db.deleteFrom('login_failures').where('user_id', '=', userId).execute();
  }
}
