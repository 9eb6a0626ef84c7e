/** Sends a text message to a phone number. Implementations: the operator's SMS gateway (a webhook), or the outbox. */
export interface SmsSender {
  send(message: { to: string; text: string }): Promise<void>;
}
