import type { SmsSender } from '../../core/ports/sms.ts';

/** Texts sent through the operator's SMS gateway: a POST of `{"to", "text"}` as JSON to SMS_WEBHOOK_URL. */
export class WebhookSms implements SmsSender {
  readonly #url: string;
  readonly #timeoutMs: number;

  constructor(url: string, timeoutMs: number) {
    this.#url = url;
    this.#timeoutMs = timeoutMs;
  }

  async send(message: { to: string; text: string }): Promise<void> {
    const response = await fetch(this.#url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ to: message.to, text: message.text }),
      signal: AbortSignal.timeout(this.#timeoutMs),
    });
    if (!response.ok) throw new Error(`the SMS gateway answered ${response.status}`);
  }
}
