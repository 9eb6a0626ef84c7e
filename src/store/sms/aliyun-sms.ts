import { createHmac, randomUUID } from 'node:crypto';
import type { SmsSender } from '../../core/ports/sms.ts';
import { callProvider, parsed } from './provider-call.ts';

export interface AliyunSmsSettings {
  accessKeyId: string;
  accessKeySecret: string;
  /** The approved signature name (签名名称). */
  signName: string;
  /** The approved template (`SMS_…`), whose one variable is `${code}`. */
  templateCode: string;
  endpoint: string;
}

/** RFC 3986 percent-encoding as Alibaba Cloud's RPC signature wants it: everything but A-Z a-z 0-9 - _ . ~ escaped. */
export const percentEncode = (text: string) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * Alibaba Cloud's RPC-style signature (SignatureVersion 1.0): the parameters
 * sorted by name, percent-encoded and joined; the string to sign is
 * `METHOD&%2F&` + that, percent-encoded; the signature is the Base64 of its
 * HMAC-SHA1 under `AccessKeySecret&`.
 */
export function aliyunSignature(params: Readonly<Record<string, string>>, secret: string, method = 'POST'): string {
  const canonical = Object.keys(params)
    .filter((name) => name !== 'Signature')
    .sort()
    .map((name) => `${percentEncode(name)}=${percentEncode(params[name] as string)}`)
    .join('&');
  const stringToSign = `${method}&${percentEncode('/')}&${percentEncode(canonical)}`;
  return createHmac('sha1', `${secret}&`).update(stringToSign).digest('base64');
}

/** Mainland numbers as their 11 digits; others as the calling code and number, without `+` (the SendSms document's forms). */
const aliyunNumber = (e164: string) => (e164.startsWith('+86') ? e164.slice(3) : e164.slice(1));

/** Texts through Alibaba Cloud SMS (dysmsapi, SendSms 2017-05-25): the approved template, filled with the code. */
export class AliyunSms implements SmsSender {
  readonly #settings: AliyunSmsSettings;
  readonly #timeoutMs: number;

  constructor(settings: AliyunSmsSettings, timeoutMs: number) {
    this.#settings = settings;
    this.#timeoutMs = timeoutMs;
  }

  async send(message: { to: string; code: string }): Promise<void> {
    const s = this.#settings;
    const params: Record<string, string> = {
      AccessKeyId: s.accessKeyId,
      Action: 'SendSms',
      Format: 'JSON',
      RegionId: 'cn-hangzhou',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: randomUUID(),
      SignatureVersion: '1.0',
      Timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      Version: '2017-05-25',
      PhoneNumbers: aliyunNumber(message.to),
      SignName: s.signName,
      TemplateCode: s.templateCode,
      TemplateParam: JSON.stringify({ code: message.code }),
    };
    params.Signature = aliyunSignature(params, s.accessKeySecret, 'POST');
    const body = Object.entries(params)
      .map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`)
      .join('&');
    await callProvider(
      'aliyun',
      new URL('/', s.endpoint).href,
      { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body },
      this.#timeoutMs,
      (status, text) => status === 200 && (parsed(text) as { Code?: unknown } | null)?.Code === 'OK',
    );
  }
}
