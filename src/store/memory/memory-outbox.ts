import type { Mail, OutboxStore, StoredMail } from '../../core/ports/mailer.ts';

/** The outbox in memory; for unit tests and throwaway runs. */
export class MemoryOutbox implements OutboxStore {
  readonly #mails: StoredMail[] = [];

  async add(mail: Mail, at: number): Promise<StoredMail> {
    const stored = { ...mail, id: this.#mails.length + 1, createdAt: at };
    this.#mails.push(stored);
    return { ...stored };
  }

  async list(limit: number): Promise<StoredMail[]> {
    return this.#mails
      .slice(-limit)
      .reverse()
      .map((m) => ({ ...m }));
  }
}
