// Issue 33's paths as a receiver subscribed to everything sees them: a number
// verified by its texted code is phone.verified; an account made by a sign-in
// code (OTP_SIGNUP=on) is user.created like every other registration, with
// the number or address it proved verified.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { newNumber, type SmsReceiver, smsReceiver } from '../../helpers/sms-receiver.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { loginV1, registerV1 } from '../../helpers/users.ts';
import { type Received, type Receiver, startReceiver } from '../../helpers/webhook-receiver.ts';

let server: TestServer;
let sms: SmsReceiver;
let receiver: Receiver;
before(async () => {
  sms = await smsReceiver();
  // The receiver is on 127.0.0.1, refused by default (server-side request forgery): allowed here on purpose.
  server = await startTestServer({ env: { SMS_WEBHOOK_URL: sms.url, OTP_SIGNUP: 'on', WEBHOOK_ALLOW_PRIVATE: 'on' } });
  receiver = await startReceiver();
  const { secret } = await server.core.webhooks.add({ url: receiver.url });
  receiver.secrets.push(secret);
});
after(async () => {
  await receiver.close();
  await server.close();
  await sms.close();
});

/** Every event about the account `uuid` of the given type, once the first has arrived. */
async function about(uuid: string, type: string): Promise<Received[]> {
  await receiver.waitFor((r) => r.event.type === type && r.event.data.user?.uuid === uuid);
  return receiver.received.filter((r) => r.event.type === type && r.event.data.user?.uuid === uuid);
}

describe('webhooks: phone numbers and sign-in codes', () => {
  test('a number verified by its texted code: phone.verified, about the account, data.user with the number verified', async () => {
    const number = newNumber();
    const { username, user } = await registerV1(server.http, { phone: number.typed });
    const { uuid } = (await server.core.accounts.findById(user.id))!;
    const token = await loginV1(server.http, username);
    assert.equal((await server.http('POST', '/api/v1/auth/verify-phone/send', { token })).status, 200);
    const verified = await server.http('POST', '/api/v1/auth/verify-phone', { token, body: { code: sms.codeFor(number.e164) } });
    assert.equal(verified.status, 200, verified.text);
    const [event, ...more] = await about(uuid, 'phone.verified');
    assert.equal(event!.event.data.user.is_phone_verified, true);
    assert.deepEqual(event!.verifiedBy, receiver.secrets, 'signed');
    assert.equal(more.length, 0, 'once');
  });

  test('OTP_SIGNUP=on: the account a texted code makes is user.created and phone.verified, each once, in one write', async () => {
    const number = newNumber();
    assert.equal((await server.http('POST', '/api/v1/auth/otp/send', { body: { phone: number.typed } })).status, 200);
    const login = await server.http('POST', '/api/v1/auth/otp/login', { body: { phone: number.typed, code: sms.codeFor(number.e164) } });
    assert.equal(login.status, 200, login.text);
    const account = (await server.core.accounts.findByVerifiedPhone(number.e164))!;
    const created = await about(account.uuid, 'user.created');
    const verified = await about(account.uuid, 'phone.verified');
    assert.equal(created.length, 1);
    assert.equal(verified.length, 1);
    assert.equal(created[0]!.event.data.user.username, login.body.user.username);
    assert.equal(created[0]!.event.data.user.is_phone_verified, true);
    assert.doesNotMatch(created[0]!.body, /password_hash|\$argon2|secret|token/i, 'no hash, even the no-password marker');
    // The next code signs in to the same account: nothing is created again.
    server.clock.advance(61_000);
    await server.http('POST', '/api/v1/auth/otp/send', { body: { phone: number.e164 } });
    assert.equal((await server.http('POST', '/api/v1/auth/otp/login', { body: { phone: number.e164, code: sms.codeFor(number.e164) } })).status, 200);
    await server.core.webhooks.test((await server.core.webhooks.list())[0]!.id);
    await receiver.waitFor((r) => r.event.type === 'webhook.test');
    assert.equal((await about(account.uuid, 'user.created')).length, 1);
  });

  test('OTP_SIGNUP=on: the account a mailed code makes is user.created and email.verified', async () => {
    const email = `otp-hook-${process.pid}-${Date.now()}@example.com`;
    assert.equal((await server.http('POST', '/api/v1/auth/otp/send', { body: { email } })).status, 200);
    const mail = (await server.stores.outbox.list(100)).find((m) => m.to === email && m.subject.startsWith('登录验证码'))!;
    const code = /登录验证码是：(\d{6})/.exec(mail.text)![1]!;
    const login = await server.http('POST', '/api/v1/auth/otp/login', { body: { email, code } });
    assert.equal(login.status, 200, login.text);
    const account = (await server.core.accounts.findByEmail(email))!;
    const [created] = await about(account.uuid, 'user.created');
    assert.equal(created!.event.data.user.email, email);
    assert.equal(created!.event.data.user.is_email_verified, true);
    assert.equal((await about(account.uuid, 'email.verified')).length, 1);
  });
});
