import { createHash, createHmac } from 'node:crypto';
import type { SmsSender } from '../../core/ports/sms.ts';
import { callProvider, parsed } from './provider-call.ts';

export interface TencentSmsSettings {
  secretId: string;
  secretKey: string;
  /** The SMS application (`SmsSdkAppId`, 1400…). */
  sdkAppId: string;
  /** The approved signature name (签名内容). */
  signName: string;
  /** The approved template, whose one parameter `{1}` is the code. */
  templateId: string;
  region: string;
  endpoint: string;
}

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');
const hmac = (key: string | Buffer, text: string) => createHmac('sha256', key).update(text).digest();

/** What a TC3-HMAC-SHA256 signature covers. */
export interface Tc3Request {
  secretId: string;
  secretKey: string;
  service: string;
  /** The Host header sent (with the port, when there is one). */
  host: string;
  contentType: string;
  /** Seconds since the epoch (X-TC-Timestamp). */
  timestamp: number;
  payload: string;
}

/**
 * Tencent Cloud API 3.0's signature (TC3-HMAC-SHA256): the canonical request
 * (POST, `/`, no query, the content-type and host headers, the payload's
 * SHA-256), the string to sign with the UTC date's credential scope, and the
 * HMAC chain `TC3`+SecretKey → date → service → `tc3_request`.
 */
export function tc3Authorization(r: Tc3Request): string {
  const date = new Date(r.timestamp * 1000).toISOString().slice(0, 10);
  const signedHeaders = 'content-type;host';
  const canonical = ['POST', '/', '', `content-type:${r.contentType}\nhost:${r.host}\n`, signedHeaders, sha256Hex(r.payload)].join('\n');
  const scope = `${date}/${r.service}/tc3_request`;
  const stringToSign = ['TC3-HMAC-SHA256', String(r.timestamp), scope, sha256Hex(canonical)].join('\n');
  const signing = hmac(hmac(hmac(`TC3${r.secretKey}`, date), r.service), 'tc3_request');
  const signature = createHmac('sha256', signing).update(stringToSign).digest('hex');
  return `TC3-HMAC-SHA256 Credential=${r.secretId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}

const CONTENT_TYPE = 'application/json; charset=utf-8';

/** Texts through Tencent Cloud SMS (SendSms, API version 2021-01-11): the approved template, its one parameter the code. */
export class TencentSms implements SmsSender {
  readonly #settings: TencentSmsSettings;
  readonly #timeoutMs: number;

  constructor(settings: TencentSmsSettings, timeoutMs: number) {
    this.#settings = settings;
    this.#timeoutMs = timeoutMs;
  }

  async send(message: { to: string; code: string }): Promise<void> {
    const s = this.#settings;
    const url = new URL('/', s.endpoint);
    const payload = JSON.stringify({
      PhoneNumberSet: [message.to],
      SmsSdkAppId: s.sdkAppId,
      SignName: s.signName,
      TemplateId: s.templateId,
      TemplateParamSet: [message.code],
    });
    const timestamp = Math.floor(Date.now() / 1000);
    const authorization = tc3Authorization({
      secretId: s.secretId,
      secretKey: s.secretKey,
      service: 'sms',
      host: url.host,
      contentType: CONTENT_TYPE,
      timestamp,
      payload,
    });
    await callProvider(
      'tencent',
      url.href,
      {
        headers: {
          authorization,
          'content-type': CONTENT_TYPE,
          'x-tc-action': 'SendSms',
          'x-tc-timestamp': String(timestamp),
          'x-tc-version': '2021-01-11',
          'x-tc-region': s.region,
        },
        body: payload,
      },
      this.#timeoutMs,
      (status, text) => {
        const answer = (parsed(text) as { Response?: { Error?: unknown; SendStatusSet?: Array<{ Code?: string }> } } | null)?.Response;
        return status === 200 && !answer?.Error && answer?.SendStatusSet?.[0]?.Code === 'Ok';
      },
    );
  }
}
