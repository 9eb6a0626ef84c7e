import type { Kysely, Selectable } from 'kysely';
import type { OneTimeCode, OneTimeCodeStore, OneTimeCodeTry } from '../../core/ports/one-time-code-store.ts';
import type { Database, OneTimeCodesTable } from './schema.ts';

const toCode = (r: Selectable<OneTimeCodesTable>): OneTimeCode => ({
  target: r.target,
  codeHash: r.code_hash,
  tokenHash: r.token_hash,
  browserHash: r.browser_hash,
  userId: r.user_id == null ? null : Number(r.user_id),
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
  attemptsLeft: Number(r.attempts_left),
});

/**
 * Sign-in codes in SQL (migration 0012). A try is one conditional UPDATE that
 * takes it; the right code is then spent by a DELETE one caller wins.
 * Expired rows are swept as new ones are written.
 */
export class SqlOneTimeCodeStore implements OneTimeCodeStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async put(c: OneTimeCode): Promise<void> {
    await this.#db.deleteFrom('one_time_codes').where('expires_at', '<=', c.createdAt).execute();
    const row = {
      code_hash: c.codeHash,
      token_hash: c.tokenHash,
      browser_hash: c.browserHash,
      user_id: c.userId,
      created_at: c.createdAt,
      expires_at: c.expiresAt,
      attempts_left: c.attemptsLeft,
    };
    await this.#db
      .insertInto('one_time_codes')
      .values({ target: c.target, ...row })
      .onConflict((oc) => oc.column('target').doUpdateSet(row))
      .execute();
  }

  async tryCode(target: string, codeHash: string, now: number): Promise<OneTimeCodeTry> {
    const row = await this.#db
      .updateTable('one_time_codes')
      .set((eb) => ({ attempts_left: eb('attempts_left', '-', 1) }))
      .where('target', '=', target)
      .where('expires_at', '>', now)
      .where('attempts_left', '>', 0)
      .returningAll()
      .executeTakeFirst();
    if (!row) return { result: 'none' };
    if (row.code_hash === codeHash) {
      const spent = await this.#db
        .deleteFrom('one_time_codes')
        .where('target', '=', target)
        .where('code_hash', '=', codeHash)
        .returningAll()
        .executeTakeFirst();
      // A concurrent right try spent it first: this one signs nobody in.
      return spent ? { result: 'ok', code: toCode(spent) } : { result: 'none' };
    }
    if (Number(row.attempts_left) <= 0) await this.#db.deleteFrom('one_time_codes').where('target', '=', target).where('attempts_left', '<=', 0).execute();
    return { result: 'wrong', attemptsLeft: Number(row.attempts_left) };
  }

  async findByToken(tokenHash: string, now: number): Promise<OneTimeCode | null> {
    const row = await this.#db
      .selectFrom('one_time_codes')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .where('expires_at', '>', now)
      .where('attempts_left', '>', 0)
      .executeTakeFirst();
    return row ? toCode(row) : null;
  }

  async consumeToken(tokenHash: string, now: number): Promise<OneTimeCode | null> {
    const row = await this.#db
      .deleteFrom('one_time_codes')
      .where('token_hash', '=', tokenHash)
      .where('expires_at', '>', now)
      .where('attempts_left', '>', 0)
      .returningAll()
      .executeTakeFirst();
    return row ? toCode(row) : null;
  }
}
