import { fail } from '../../core/errors.ts';
import type { SmsSender } from '../../core/ports/sms.ts';

/** Texts sent through the operator's SMS gateway: a POST of `{"to", "text"}` as JSON to SMS_WEBHOOK_URL. */
export class WebhookSms implements SmsSender {
  readonly #url: string;
  readonly #timeoutMs: number;

  constructor(url: string, timeoutMs: number) {
    this.#url = url;
    this.#timeoutMs = timeoutMs;
  }

  /**
   * A gateway that refuses, fails or does not answer in time is an outage of a backend
   * (STORE_UNAVAILABLE: 503 with Retry-After in every surface), never a 500.
   */
  async send(message: { to: string; text: string }): Promise<void> {
    let status: number;
    try {
      const response = await fetch(this.#url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ to: message.to, text: message.text }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      status = response.status;
      await response.body?.cancel();
    } catch (error) {
      throw fail('STORE_UNAVAILABLE', 'the SMS gateway cannot be reached', undefined, { cause: error });
    }
    if (status < 200 || status > 299)
      throw fail('STORE_UNAVAILABLE', 'the SMS gateway refused the message', undefined, { cause: new Error(`the SMS gateway answered ${status}`) });
  }
}
