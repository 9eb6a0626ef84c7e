import type { Kysely } from 'kysely';
import type { ResetToken, ResetTokenStore } from '../../core/ports/reset-token-store.ts';
import type { Database } from './schema.ts';

/** Password-reset tokens in SQL. Spending one is a single conditional UPDATE: two racing resets cannot both win. */
export class SqlResetStore implements ResetTokenStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async create(t: ResetToken): Promise<void> {
    await this.#db
      .insertInto('password_resets')
      .values({ token_hash: t.tokenHash, user_id: t.userId, created_at: t.createdAt, expires_at: t.expiresAt, used_at: null })
      .execute();
  }

  async consume(tokenHash: string, now: number): Promise<number | null> {
    const row = await this.#db
      .updateTable('password_resets')
      .set({ used_at: now })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returning('user_id')
      .executeTakeFirst();
    return row ? Number(row.user_id) : null;
  }

  async isLive(tokenHash: string, now: number): Promise<boolean> {
    const row = await this.#db
      .selectFrom('password_resets')
      .select('user_id')
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return row !== undefined;
  }

  async revokeForUser(userId: number): Promise<void> {
    await this.#db.deleteFrom('password_resets').where('user_id', '=', userId).execute();
  }

  async purge(now: number): Promise<number> {
    const r = await this.#db
      .deleteFrom('password_resets')
      .where((eb) => eb.or([eb('used_at', 'is not', null), eb('expires_at', '<=', now)]))
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
