import type { Clock } from '../../core/ports/clock.ts';
import type { Mail, Mailer, OutboxStore } from '../../core/ports/mailer.ts';

/**
 * Keeps mail in the outbox table when no SMTP server is configured, and says so
 * in the log (recipient and id only: the mail may hold a reset token).
 */
export class OutboxMailer implements Mailer {
  readonly #outbox: OutboxStore;
  readonly #clock: Clock;
  readonly #log: (fields: Record<string, unknown>, message: string) => void;

  constructor(outbox: OutboxStore, clock: Clock, log: (fields: Record<string, unknown>, message: string) => void) {
    this.#outbox = outbox;
    this.#clock = clock;
    this.#log = log;
  }

  async send(mail: Mail): Promise<void> {
    const stored = await this.#outbox.add(mail, this.#clock.now());
    this.#log({ to: mail.to, outboxId: stored.id }, 'no SMTP_URL set: mail kept in the outbox; read it with `gatehouse mail list`');
  }
}
