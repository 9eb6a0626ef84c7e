import nodemailer, { type Transporter } from 'nodemailer';
import type { Mail, Mailer } from '../../core/ports/mailer.ts';

/** Sends mail through an SMTP server (`SMTP_URL`, e.g. `smtp://user:pass@host:587`). */
export class SmtpMailer implements Mailer {
  readonly #transport: Transporter;
  readonly #from: string;

  constructor(url: string, from: string) {
    this.#transport = nodemailer.createTransport(url);
    this.#from = from;
  }

  async send(mail: Mail): Promise<void> {
    await this.#transport.sendMail({ from: this.#from, to: mail.to, subject: mail.subject, text: mail.text });
  }

  close(): void {
    this.#transport.close();
  }
}
