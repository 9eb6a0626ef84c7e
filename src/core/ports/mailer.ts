/** One outgoing mail. */
export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** A mail kept in the outbox (when no SMTP server is configured). */
export interface StoredMail extends Mail {
  id: number;
  createdAt: number;
}

/** Sends mail. Implementations: SMTP (nodemailer) or the outbox table. */
export interface Mailer {
  send(mail: Mail): Promise<void>;
}

/** The outbox: where mail goes when there is no SMTP server, readable with `gatehouse mail list`. */
export interface OutboxStore {
  add(mail: Mail, at: number): Promise<StoredMail>;
  /** Newest first. */
  list(limit: number): Promise<StoredMail[]>;
}
