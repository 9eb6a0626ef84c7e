/**
 * Sends a text message to a phone number (E.164). Implementations: the
 * operator's gateway (a webhook), Alibaba Cloud SMS, Tencent Cloud SMS and
 * Twilio (store/sms/), or the outbox. `text` is the whole message (the webhook
 * and Twilio send it as is); `code` is the code alone, for providers that
 * only send pre-approved templates filled with it (Alibaba Cloud, Tencent
 * Cloud). A provider that refuses, fails or does not answer in time throws
 * STORE_UNAVAILABLE (503 with Retry-After): nothing was sent as far as
 * Gatehouse knows.
 */
export interface SmsSender {
  send(message: { to: string; text: string; code: string }): Promise<void>;
}
