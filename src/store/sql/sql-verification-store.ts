import type { Kysely, Selectable } from 'kysely';
import type { CodeAttempt, VerificationChallenge, VerificationChannel, VerificationStore } from '../../core/ports/verification-store.ts';
import type { Database, VerificationsTable } from './schema.ts';

const toChallenge = (r: Selectable<VerificationsTable>): VerificationChallenge => ({
  userId: Number(r.user_id),
  channel: r.channel as VerificationChannel,
  target: r.target,
  tokenHash: r.token_hash,
  codeHash: r.code_hash,
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
  attemptsLeft: Number(r.attempts_left),
});

/** Pending verifications in SQL. Spending a token is one DELETE; a code try is one conditional UPDATE. */
export class SqlVerificationStore implements VerificationStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async put(c: VerificationChallenge): Promise<void> {
    const row = {
      user_id: c.userId,
      channel: c.channel,
      target: c.target,
      token_hash: c.tokenHash,
      code_hash: c.codeHash,
      created_at: c.createdAt,
      expires_at: c.expiresAt,
      attempts_left: c.attemptsLeft,
    };
    await this.#db
      .insertInto('verifications')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['user_id', 'channel']).doUpdateSet({
          target: row.target,
          token_hash: row.token_hash,
          code_hash: row.code_hash,
          created_at: row.created_at,
          expires_at: row.expires_at,
          attempts_left: row.attempts_left,
        }),
      )
      .execute();
  }

  async cancelForUser(userId: number): Promise<void> {
    await this.#db.deleteFrom('verifications').where('user_id', '=', userId).execute();
  }

  async consumeToken(tokenHash: string, now: number): Promise<VerificationChallenge | null> {
    const row = await this.#db.deleteFrom('verifications').where('token_hash', '=', tokenHash).returningAll().executeTakeFirst();
    return row && Number(row.expires_at) > now ? toChallenge(row) : null;
  }

  async tryCode(userId: number, channel: VerificationChannel, codeHash: string, now: number): Promise<CodeAttempt> {
    const row = await this.#db
      .updateTable('verifications')
      .set((eb) => ({ attempts_left: eb('attempts_left', '-', 1) }))
      .where('user_id', '=', userId)
      .where('channel', '=', channel)
      .where('expires_at', '>', now)
      .where('attempts_left', '>', 0)
      .returningAll()
      .executeTakeFirst();
    if (!row) return { result: 'none' };
    if (row.code_hash === codeHash) {
      const spent = await this.#db
        .deleteFrom('verifications')
        .where('user_id', '=', userId)
        .where('channel', '=', channel)
        .where('code_hash', '=', codeHash)
        .returningAll()
        .executeTakeFirst();
      // A concurrent right guess spent it first: still the right code.
      return { result: 'ok', challenge: toChallenge(spent ?? { ...row, attempts_left: row.attempts_left + 1 }) };
    }
    if (Number(row.attempts_left) <= 0)
      await this.#db.deleteFrom('verifications').where('user_id', '=', userId).where('channel', '=', channel).where('attempts_left', '<=', 0).execute();
    return { result: 'wrong', attemptsLeft: Number(row.attempts_left) };
  }
}
