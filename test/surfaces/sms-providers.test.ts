// The SMS providers, each against a local server that checks the request the provider documents and its
// signature, computed here from the provider's documented algorithm: Alibaba Cloud (SendSms 2017-05-25, RPC
// signature HMAC-SHA1), Tencent Cloud (SendSms 2021-01-11, TC3-HMAC-SHA256), Twilio (Messages, Basic auth).
// A number's verification code goes through each and verifies the number; a refusal is a 503 with Retry-After.
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import { newNumber } from '../helpers/sms-receiver.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { loginV1, registerV1 } from '../helpers/users.ts';

interface Seen {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A provider's local stand-in: `check` throws for a request the provider would refuse (answered 400); `accept` answers success. */
async function provider(check: (seen: Seen) => string, accept: (seen: Seen) => [number, string], refuse: [number, string]) {
  const state = { refusing: false, codes: [] as string[], problems: [] as string[] };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const seen = { path: req.url ?? '', headers: req.headers, body };
      try {
        state.codes.push(check(seen));
      } catch (error) {
        state.problems.push(String(error));
        return res.writeHead(400).end('bad request');
      }
      const [status, answer] = state.refusing ? refuse : accept(seen);
      res.writeHead(status, { 'content-type': 'application/json' }).end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(state, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

/** Verifies a number through `server`: the text's code (as the provider got it) verifies it; then a refusal is a 503. */
async function verifyThrough(server: TestServer, stand: Awaited<ReturnType<typeof provider>>) {
  const number = newNumber();
  const { username } = await registerV1(server.http, { phone: number.typed });
  const token = await loginV1(server.http, username);
  const sent = await server.http('POST', '/api/v1/auth/verify-phone/send', { token });
  assert.equal(sent.status, 200, `${sent.text} ${stand.problems.join('; ')}`);
  assert.deepEqual(stand.problems, []);
  const code = stand.codes.at(-1)!;
  assert.match(code, /^\d{6}$/);
  const verified = await server.http('POST', '/api/v1/auth/verify-phone', { token, body: { code } });
  assert.equal(verified.status, 200, verified.text);
  stand.refusing = true;
  server.clock.advance(61_000);
  const refused = await server.http('POST', '/api/v1/auth/otp/send', { body: { phone: number.typed } });
  assert.equal(refused.status, 503, refused.text);
  assert.ok(Number(refused.headers.get('retry-after')) > 0);
  return number;
}

const percent = (text: string) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const hmac256 = (key: string | Buffer, text: string) => createHmac('sha256', key).update(text).digest();

describe('SMS_PROVIDER=aliyun', () => {
  const servers: Array<{ close(): Promise<unknown> }> = [];
  after(async () => {
    for (const s of servers.reverse()) await s.close();
  });

  test('a signed SendSms (RPC, HMAC-SHA1 of the sorted, percent-encoded parameters) with the template and the code', async () => {
    const stand = await provider(
      ({ path, headers, body }) => {
        assert.equal(path, '/');
        assert.match(headers['content-type'] ?? '', /^application\/x-www-form-urlencoded/);
        const params = Object.fromEntries(new URLSearchParams(body));
        for (const [name, value] of Object.entries({
          Action: 'SendSms',
          Version: '2017-05-25',
          Format: 'JSON',
          AccessKeyId: 'LTAI-test',
          SignatureMethod: 'HMAC-SHA1',
          SignatureVersion: '1.0',
          SignName: '门房',
          TemplateCode: 'SMS_123456',
        }))
          assert.equal(params[name], value, name);
        assert.match(params.PhoneNumbers ?? '', /^1\d{10}$/, 'a mainland number as its 11 digits');
        assert.match(params.Timestamp ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        assert.ok(params.SignatureNonce);
        const canonical = Object.keys(params)
          .filter((k) => k !== 'Signature')
          .sort()
          .map((k) => `${percent(k)}=${percent(params[k]!)}`)
          .join('&');
        const expected = createHmac('sha1', 'secret-test&')
          .update(`POST&%2F&${percent(canonical)}`)
          .digest('base64');
        assert.equal(params.Signature, expected, 'the signature');
        return JSON.parse(params.TemplateParam!).code;
      },
      () => [200, JSON.stringify({ Code: 'OK', Message: 'OK', RequestId: 'r1', BizId: 'b1' })],
      [200, JSON.stringify({ Code: 'isv.BUSINESS_LIMIT_CONTROL', Message: 'limit' })],
    );
    servers.push(stand);
    const server = await startTestServer({
      env: {
        SMS_PROVIDER: 'aliyun',
        ALIYUN_SMS_ACCESS_KEY_ID: 'LTAI-test',
        ALIYUN_SMS_ACCESS_KEY_SECRET: 'secret-test',
        ALIYUN_SMS_SIGN_NAME: '门房',
        ALIYUN_SMS_TEMPLATE_CODE: 'SMS_123456',
        ALIYUN_SMS_ENDPOINT: stand.url,
      },
    });
    servers.push(server);
    await verifyThrough(server, stand);
  });
});

describe('SMS_PROVIDER=tencent', () => {
  const servers: Array<{ close(): Promise<unknown> }> = [];
  after(async () => {
    for (const s of servers.reverse()) await s.close();
  });

  test('a signed SendSms (TC3-HMAC-SHA256 over the canonical request) with the template and the code', async () => {
    const stand = await provider(
      ({ path, headers, body }) => {
        assert.equal(path, '/');
        assert.equal(headers['x-tc-action'], 'SendSms');
        assert.equal(headers['x-tc-version'], '2021-01-11');
        assert.equal(headers['x-tc-region'], 'ap-guangzhou');
        const contentType = headers['content-type'] ?? '';
        assert.equal(contentType, 'application/json; charset=utf-8');
        const timestamp = headers['x-tc-timestamp'] ?? '';
        assert.ok(Math.abs(Number(timestamp) - Date.now() / 1000) < 300, 'a current timestamp');
        const date = new Date(Number(timestamp) * 1000).toISOString().slice(0, 10);
        const canonical = `POST\n/\n\ncontent-type:${contentType}\nhost:${headers.host}\n\ncontent-type;host\n${sha256(body)}`;
        const scope = `${date}/sms/tc3_request`;
        const signing = hmac256(hmac256(hmac256(`TC3${'key-test'}`, date), 'sms'), 'tc3_request');
        const signature = createHmac('sha256', signing)
          .update(`TC3-HMAC-SHA256\n${timestamp}\n${scope}\n${sha256(canonical)}`)
          .digest('hex');
        assert.equal(headers.authorization, `TC3-HMAC-SHA256 Credential=AKID-test/${scope}, SignedHeaders=content-type;host, Signature=${signature}`);
        const payload = JSON.parse(body);
        assert.match(payload.PhoneNumberSet[0], /^\+861\d{10}$/);
        assert.deepEqual(
          { app: payload.SmsSdkAppId, sign: payload.SignName, template: payload.TemplateId },
          { app: '1400000000', sign: '门房', template: '123456' },
        );
        return payload.TemplateParamSet[0];
      },
      () => [200, JSON.stringify({ Response: { SendStatusSet: [{ Code: 'Ok', Message: 'send success' }], RequestId: 'r1' } })],
      [200, JSON.stringify({ Response: { SendStatusSet: [{ Code: 'LimitExceeded.PhoneNumberDailyLimit', Message: 'limit' }], RequestId: 'r2' } })],
    );
    servers.push(stand);
    const server = await startTestServer({
      env: {
        SMS_PROVIDER: 'tencent',
        TENCENT_SMS_SECRET_ID: 'AKID-test',
        TENCENT_SMS_SECRET_KEY: 'key-test',
        TENCENT_SMS_SDK_APP_ID: '1400000000',
        TENCENT_SMS_SIGN_NAME: '门房',
        TENCENT_SMS_TEMPLATE_ID: '123456',
        TENCENT_SMS_ENDPOINT: stand.url,
      },
    });
    servers.push(server);
    await verifyThrough(server, stand);
  });
});

describe('SMS_PROVIDER=twilio', () => {
  const servers: Array<{ close(): Promise<unknown> }> = [];
  after(async () => {
    for (const s of servers.reverse()) await s.close();
  });

  test('a Message created with Basic auth, To in E.164, From, and the text holding the code', async () => {
    const stand = await provider(
      ({ path, headers, body }) => {
        assert.equal(path, '/2010-04-01/Accounts/AC-test/Messages.json');
        assert.equal(headers.authorization, `Basic ${Buffer.from('AC-test:token-test').toString('base64')}`);
        assert.match(headers['content-type'] ?? '', /^application\/x-www-form-urlencoded/);
        const form = new URLSearchParams(body);
        assert.match(form.get('To') ?? '', /^\+861\d{10}$/);
        assert.equal(form.get('From'), '+15005550006');
        return /\b(\d{6})\b/.exec(form.get('Body') ?? '')![1]!;
      },
      () => [201, JSON.stringify({ sid: 'SM1', status: 'queued' })],
      [400, JSON.stringify({ code: 21211, message: "The 'To' number is not a valid phone number." })],
    );
    servers.push(stand);
    const server = await startTestServer({
      env: { SMS_PROVIDER: 'twilio', TWILIO_ACCOUNT_SID: 'AC-test', TWILIO_AUTH_TOKEN: 'token-test', TWILIO_FROM: '+15005550006', TWILIO_API_URL: stand.url },
    });
    servers.push(server);
    await verifyThrough(server, stand);
  });
});
