import type { SmsSender } from '../../core/ports/sms.ts';
import { callProvider } from './provider-call.ts';

export interface TwilioSmsSettings {
  accountSid: string;
  authToken: string;
  /** The sending number (`+1…`), or a Messaging Service SID (`MG…`). */
  from: string;
  apiUrl: string;
}

/** Texts through Twilio's Messages resource (`POST /2010-04-01/Accounts/{sid}/Messages.json`, Basic auth, a form body). */
export class TwilioSms implements SmsSender {
  readonly #settings: TwilioSmsSettings;
  readonly #timeoutMs: number;

  constructor(settings: TwilioSmsSettings, timeoutMs: number) {
    this.#settings = settings;
    this.#timeoutMs = timeoutMs;
  }

  async send(message: { to: string; text: string }): Promise<void> {
    const s = this.#settings;
    const form = new URLSearchParams({ To: message.to, Body: message.text });
    form.set(s.from.startsWith('MG') ? 'MessagingServiceSid' : 'From', s.from);
    await callProvider(
      'twilio',
      new URL(`/2010-04-01/Accounts/${encodeURIComponent(s.accountSid)}/Messages.json`, s.apiUrl).href,
      {
        headers: {
          authorization: `Basic ${Buffer.from(`${s.accountSid}:${s.authToken}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: form.toString(),
      },
      this.#timeoutMs,
      // 201 Created is Twilio's success.
      (status) => status >= 200 && status <= 299,
    );
  }
}
