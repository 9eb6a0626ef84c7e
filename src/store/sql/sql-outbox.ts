import type { Kysely } from 'kysely';
import type { Mail, OutboxStore, StoredMail } from '../../core/ports/mailer.ts';
import type { Database } from './schema.ts';

/** The outbox table: mail kept for `gatehouse mail list` when no SMTP server is configured. */
export class SqlOutbox implements OutboxStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async add(mail: Mail, at: number): Promise<StoredMail> {
    const row = await this.#db
      .insertInto('outbox')
      .values({ recipient: mail.to, subject: mail.subject, body: mail.text, created_at: at })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { ...mail, id: Number(row.id), createdAt: at };
  }

  async list(limit: number): Promise<StoredMail[]> {
    const rows = await this.#db.selectFrom('outbox').selectAll().orderBy('id', 'desc').limit(limit).execute();
    return rows.map((r) => ({ id: Number(r.id), to: r.recipient, subject: r.subject, text: r.body, createdAt: Number(r.created_at) }));
  }
}
