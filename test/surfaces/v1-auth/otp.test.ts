// A code to the phone or the mailbox as a way in: POST /api/v1/auth/otp/send and /otp/login, on
// both listeners, with a local SMS gateway (SMS_WEBHOOK_URL) receiving the texts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { enrolTotp } from '../../helpers/factors.ts';
import { newNumber, type SmsReceiver, smsReceiver } from '../../helpers/sms-receiver.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { loginV1, registerV1 } from '../../helpers/users.ts';

const SENT = { message: '如果该手机号或邮箱可以登录，验证码已发送' };
const WRONG = { detail: '验证码错误或已过期' };

/** A v1 account whose number is verified, as a new user would do it: register with the phone, ask for a text, type its code. */
async function accountWithVerifiedPhone(server: TestServer, sms: SmsReceiver) {
  const number = newNumber();
  const { username, email } = await registerV1(server.http, { phone: number.typed });
  const token = await loginV1(server.http, username);
  assert.equal((await server.http('POST', '/api/v1/auth/verify-phone/send', { token })).status, 200);
  const verified = await server.http('POST', '/api/v1/auth/verify-phone', { token, body: { code: sms.codeFor(number.e164) } });
  assert.equal(verified.status, 200, verified.text);
  return { number, username, email };
}

describe('sign-in codes by text (OTP_SIGNUP=off)', () => {
  let server: TestServer;
  let sms: SmsReceiver;
  before(async () => {
    sms = await smsReceiver();
    server = await startTestServer({ env: { SMS_WEBHOOK_URL: sms.url } });
  });
  after(async () => {
    await server.close();
    await sms.close();
  });

  test('the script a new user writes: a verified number gets a text, its code signs in once; an unknown number gets the same answer and no text', async () => {
    const { number, username } = await accountWithVerifiedPhone(server, sms);
    const before = sms.to(number.e164).length;
    const send = await server.http('POST', '/api/v1/auth/otp/send', { body: { phone: number.typed } });
    assert.deepEqual([send.status, send.body], [200, SENT]);
    assert.equal(sms.to(number.e164).length, before + 1, 'one text, to the number in E.164');
    const text = sms.to(number.e164).at(-1)!.text;
    const code = /\b(\d{6})\b/.exec(text)![1]!;
    const login = await server.http('POST', '/api/v1/auth/otp/login', { body: { phone: number.typed, code } });
    assert.equal(login.status, 200, login.text);
    assert.equal(login.body.token_type, 'bearer');
    assert.equal(login.body.user.username, username);
    const token = login.body.access_token;
    assert.equal((await server.http('GET', '/api/v1/auth/me', { token })).body.username, username);
    assert.equal((await server.http('GET', '/api/users/me', { token })).status, 200);
    const again = await server.http('POST', '/api/v1/auth/otp/login', { body: { phone: number.typed, code } });
    assert.deepEqual([again.status, again.body], [400, WRONG], 'a code signs in once');

    const unknown = newNumber();
    const texts = sms.texts.length;
    const unknownSend = await server.http('POST', '/api/v1/auth/otp/send', { body: { phone: unknown.typed } });
    assert.deepEqual([unknownSend.status, unknownSend.body], [send.status, send.body], 'the same answer');
    assert.equal(sms.texts.length, texts, 'and no text');
    const guess = await server.http('POST', '/api/v1/auth/otp/login', { body: { phone: unknown.typed, code: '123456' } });
    assert.deepEqual([guess.status, guess.body], [400, WRONG]);
  });

  test('the envelope listener answers in its envelope: tokens with a refresh token, INVALID_OTP for a wrong code', async () => {
    const { number } = await accountWithVerifiedPhone(server, sms);
    const http = server.envelopeHttp;
    const send = await http('POST', '/api/v1/auth/otp/send', { body: { phone: number.e164 } });
    assert.deepEqual([send.status, send.body], [200, { status: 'success', message: SENT.message, data: null }]);
    const code = sms.codeFor(number.e164);
    const wrong = await http('POST', '/api/v1/auth/otp/login', { body: { phone: number.e164, code: code === '000000' ? '111111' : '000000' } });
    assert.deepEqual([wrong.status, wrong.body], [400, { status: 'error', message: WRONG.detail, code: 'INVALID_OTP' }]);
    const login = await http('POST', '/api/v1/auth/otp/login', { body: { phone: number.e164, code } });
    assert.equal(login.status, 200, login.text);
    assert.equal(login.body.status, 'success');
    assert.equal(login.body.message, '登录成功');
    assert.ok(login.body.data.access_token && login.body.data.refresh_token);
    assert.equal((await http('GET', '/api/v1/auth/me', { token: login.body.data.access_token })).status, 200);
  });

  test('an account with an authenticator app gets the 403 mfa_token answer, in each style; the second step finishes it, and its amr names the text', async () => {
    const { number, username } = await accountWithVerifiedPhone(server, sms);
    const user = (await server.core.accounts.findByUsername(username))!;
    const { codeAt } = await enrolTotp(server.core, user, 'password123');
    for (const [http, mfaTokenOf] of [
      [server.http, (b: { mfa_token: string }) => b.mfa_token],
      [server.envelopeHttp, (b: { data: { mfa_token: string } }) => b.data.mfa_token],
    ] as const) {
      server.clock.advance(61_000);
      assert.equal((await http('POST', '/api/v1/auth/otp/send', { body: { phone: number.typed } })).status, 200);
      const first = await http('POST', '/api/v1/auth/otp/login', { body: { phone: number.typed, code: sms.codeFor(number.e164) } });
      assert.equal(first.status, 403, first.text);
      const mfaToken = mfaTokenOf(first.body as never);
      assert.ok(mfaToken);
      server.clock.advance(30_000);
      const second = await http('POST', '/api/v1/auth/mfa/verify', { body: { mfa_token: mfaToken, code: codeAt(server.clock.now()) } });
      assert.equal(second.status, 200, second.text);
      const token = second.body.access_token ?? second.body.data.access_token;
      assert.deepEqual(server.core.tokens.verify(token, 'access').amr, ['sms', 'otp', 'mfa']);
    }
    const plain = await server.http('POST', '/api/v1/auth/login/json', { body: { username, password: 'password123' } });
    assert.equal(plain.status, 403, 'the same answer login/json gives');
  });

  test('a disabled account gets what login/json gives it (403), after the right code only; a locked one 423', async () => {
    const { number, username } = await accountWithVerifiedPhone(server, sms);
    const user = (await server.core.accounts.findByUsername(username))!;
    await server.core.accounts.setStatus(user, 'disabled');
    assert.equal((await server.http('POST', '/api/v1/auth/otp/send', { body: { phone: number.typed } })).status, 200);
    const wrong = await server.http('POST', '/api/v1/auth/otp/login', { body: { phone: number.typed, code: '000000' } });
    const disabled = await server.http('POST', '/api/v1/auth/otp/login', { body: { phone: number.typed, code: sms.codeFor(number.e164) } });
    if (wrong.status !== 400) assert.fail('a wrong code tells nothing about the account');
    const password = await server.http('POST', '/api/v1/auth/login/json', { body: { username, password: 'password123' } });
    assert.deepEqual([disabled.status, disabled.body], [password.status, password.body]);
    assert.equal(disabled.status, 403);

    await server.core.accounts.setStatus(user, 'active');
    for (let i = 0; i < 5; i++) await server.http('POST', '/api/v1/auth/login/json', { body: { username, password: 'wrong-password' } });
    server.clock.advance(61_000);
    assert.equal((await server.http('POST', '/api/v1/auth/otp/send', { body: { phone: number.typed } })).status, 200);
    const locked = await server.http('POST', '/api/v1/auth/otp/login', { body: { phone: number.typed, code: sms.codeFor(number.e164) } });
    const lockedPassword = await server.http('POST', '/api/v1/auth/login/json', { body: { username, password: 'password123' } });
    assert.deepEqual([locked.status, locked.body], [lockedPassword.status, lockedPassword.body]);
    assert.equal(locked.status, 423);
    assert.ok(Number(locked.headers.get('retry-after')) > 0);
  });

  test('a number held unverified is unknown: no text; verifying a number another account has verified is refused', async () => {
    const { number } = await accountWithVerifiedPhone(server, sms);
    const squatter = await registerV1(server.http, { phone: number.e164 });
    const token = await loginV1(server.http, squatter.username);
    const verify = await server.http('POST', '/api/v1/auth/verify-phone/send', { token });
    assert.equal(verify.status, 200, 'the squatter may ask for a text to the number');
    const code = sms.codeFor(number.e164);
    const taken = await server.http('POST', '/api/v1/auth/verify-phone', { token, body: { code } });
    assert.deepEqual([taken.status, taken.body], [400, { detail: '该手机号已被其他账户验证' }]);

    const unverified = newNumber();
    await registerV1(server.http, { phone: unverified.typed });
    const texts = sms.texts.length;
    assert.deepEqual((await server.http('POST', '/api/v1/auth/otp/send', { body: { phone: unverified.typed } })).body, SENT);
    assert.equal(sms.texts.length, texts, 'no text to a number no account has verified');
  });

  test('a code lives 5 minutes; a changed number no longer signs in to the account', async () => {
    const { number, username } = await accountWithVerifiedPhone(server, sms);
    await server.http('POST', '/api/v1/auth/otp/send', { body: { phone: number.typed } });
    const code = sms.codeFor(number.e164);
    server.clock.advance(5 * 60_000);
    const expired = await server.http('POST', '/api/v1/auth/otp/login', { body: { phone: number.typed, code } });
    assert.deepEqual([expired.status, expired.body], [400, WRONG]);

    server.clock.advance(61_000);
    await server.http('POST', '/api/v1/auth/otp/send', { body: { phone: number.typed } });
    const fresh = sms.codeFor(number.e164);
    const user = (await server.core.accounts.findByUsername(username))!;
    const moved = await server.core.accounts.updateProfile(user, { phone: newNumber().typed });
    assert.equal(moved.isPhoneVerified, false, 'another number is not verified');
    const gone = await server.http('POST', '/api/v1/auth/otp/login', { body: { phone: number.typed, code: fresh } });
    assert.deepEqual([gone.status, gone.body], [400, WRONG]);
  });

  test('invalid numbers and numbers outside SMS_ALLOWED_COUNTRY_CODES get a clear 400 on otp/* and verify-phone/send', async () => {
    for (const phone of ['12345', 'not a number', '+1 415 555 2671']) {
      const send = await server.http('POST', '/api/v1/auth/otp/send', { body: { phone } });
      assert.equal(send.status, 400, phone);
      assert.match(send.body.detail, /^参数验证失败: phone /);
      const login = await server.http('POST', '/api/v1/auth/otp/login', { body: { phone, code: '123456' } });
      assert.equal(login.status, 400, phone);
      assert.match(login.body.detail, /^参数验证失败: phone /);
    }
    assert.match(
      (await server.http('POST', '/api/v1/auth/otp/send', { body: { phone: '+1 415 555 2671' } })).body.detail,
      /texts are not sent to numbers of \+1/,
    );
    const both = await server.http('POST', '/api/v1/auth/otp/send', { body: { phone: '13800138000', email: 'a@example.com' } });
    assert.equal(both.status, 400);
    const { username } = await registerV1(server.http, { phone: '+1 415 555 2671' });
    const verify = await server.http('POST', '/api/v1/auth/verify-phone/send', { token: await loginV1(server.http, username) });
    assert.equal(verify.status, 400);
    assert.match(verify.body.detail, /texts are not sent to numbers of \+1/);
  });

  test('a provider that fails or hangs: 503 with Retry-After, no code kept, and the code sent before still works', async () => {
    const { number } = await accountWithVerifiedPhone(server, sms);
    await server.http('POST', '/api/v1/auth/otp/send', { body: { phone: number.typed } });
    const code = sms.codeFor(number.e164);
    try {
      for (const failing of ['fail', 'hang'] as const) {
        sms.mode = failing;
        server.clock.advance(61_000);
        const r = await server.http('POST', '/api/v1/auth/otp/send', { body: { phone: number.typed } });
        assert.deepEqual([r.status, r.body], [503, { detail: '服务暂时不可用' }], failing);
        assert.ok(Number(r.headers.get('retry-after')) > 0, failing);
      }
    } finally {
      sms.mode = 'deliver';
    }
    const login = await server.http('POST', '/api/v1/auth/otp/login', { body: { phone: number.typed, code } });
    assert.equal(login.status, 200, login.text);
  });
});

/** The newest sign-in code mail to an address: its code and its link's token (when it has a link). */
async function codeMail(server: TestServer, email: string): Promise<{ code: string; token: string | null } | null> {
  const mail = (await server.stores.outbox.list(100)).find((m) => m.to === email && m.subject.startsWith('登录验证码'));
  if (!mail) return null;
  const token = /code-link\?token=([A-Za-z0-9_%-]+)/.exec(mail.text)?.[1];
  return { code: /登录验证码是：(\d{6})/.exec(mail.text)![1]!, token: token ? decodeURIComponent(token) : null };
}

describe('sign-in codes by mail', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  test('a verified address gets a mail with the code and a link to the code page; the code signs in; an unverified holder gets nothing', async () => {
    const { username, email } = await registerV1(server.http);
    const send = await server.http('POST', '/api/v1/auth/otp/send', { body: { email } });
    assert.deepEqual([send.status, send.body], [200, SENT]);
    assert.equal(await codeMail(server, email), null, 'an unverified address is unknown: no mail');
    const user = (await server.core.accounts.findByUsername(username))!;
    await server.core.accounts.setVerified(user, 'email', true);
    server.clock.advance(61_000);
    assert.deepEqual((await server.http('POST', '/api/v1/auth/otp/send', { body: { email: email.toUpperCase() } })).body, SENT);
    const mail = (await codeMail(server, email))!;
    assert.ok(mail.token, 'the mail carries the link to /account/code-link');
    const login = await server.http('POST', '/api/v1/auth/otp/login', { body: { email, code: mail.code } });
    assert.equal(login.status, 200, login.text);
    assert.equal(login.body.user.username, username);
    assert.deepEqual(server.core.tokens.verify(login.body.access_token, 'access').amr, ['email']);
  });
});

describe('OTP_SIGNUP=on', () => {
  let server: TestServer;
  let sms: SmsReceiver;
  before(async () => {
    sms = await smsReceiver();
    server = await startTestServer({ env: { SMS_WEBHOOK_URL: sms.url, OTP_SIGNUP: 'on' } });
  });
  after(async () => {
    await server.close();
    await sms.close();
  });

  test('a number no account holds gets a text; its code makes an account (verified number, no password) and signs in; the next code signs in to it', async () => {
    const number = newNumber();
    assert.deepEqual((await server.http('POST', '/api/v1/auth/otp/send', { body: { phone: number.typed } })).body, SENT);
    const first = await server.http('POST', '/api/v1/auth/otp/login', { body: { phone: number.typed, code: sms.codeFor(number.e164) } });
    assert.equal(first.status, 200, first.text);
    const me = await server.http('GET', '/api/v1/auth/me', { token: first.body.access_token });
    assert.match(me.body.username, /^user_[a-z0-9]{10}$/);
    assert.equal(me.body.phone, number.e164);
    assert.equal(me.body.is_phone_verified, true);
    // No password: a password login is refused like a wrong password (nothing tells the account has none).
    const password = await server.http('POST', '/api/v1/auth/login/json', { body: { username: me.body.username, password: 'password123' } });
    const wrong = await server.http('POST', '/api/v1/auth/login/json', { body: { username: (await registerV1(server.http)).username, password: 'wrong-one' } });
    assert.deepEqual([password.status, password.body], [wrong.status, wrong.body]);
    for (let i = 0; i < 7; i++) await server.http('POST', '/api/v1/auth/login/json', { body: { username: me.body.username, password: `guess-${i}` } });
    server.clock.advance(61_000);
    await server.http('POST', '/api/v1/auth/otp/send', { body: { phone: number.e164 } });
    const again = await server.http('POST', '/api/v1/auth/otp/login', { body: { phone: number.e164, code: sms.codeFor(number.e164) } });
    assert.equal(again.status, 200, 'password guesses cannot lock an account that has no password out of its codes');
    assert.equal(again.body.user.username, me.body.username, 'the same account');
  });

  test('a new address: the account has it verified; a password is set by a reset, and then works', async () => {
    const email = `otp-${process.pid}-${Date.now()}@example.com`;
    await server.http('POST', '/api/v1/auth/otp/send', { body: { email } });
    const { code } = (await codeMail(server, email))!;
    const login = await server.http('POST', '/api/v1/auth/otp/login', { body: { email, code } });
    assert.equal(login.status, 200, login.text);
    const me = await server.http('GET', '/api/v1/auth/me', { token: login.body.access_token });
    assert.equal(me.body.email, email);
    assert.equal(me.body.is_email_verified, true);
    await server.http('POST', '/api/v1/auth/forgot-password', { body: { email } });
    const { waitForResetToken } = await import('../../helpers/users.ts');
    const token = await waitForResetToken(server.stores.outbox, email);
    assert.equal((await server.http('POST', '/api/v1/auth/reset-password', { body: { token, new_password: 'a-new-password-1' } })).status, 200);
    assert.equal((await server.http('POST', '/api/v1/auth/login/json', { body: { username: email, password: 'a-new-password-1' } })).status, 200);
  });

  test('an account without a password sets one after a fresh code sign-in (the step-up), not later; its password guesses count nothing', async () => {
    const number = newNumber();
    await server.http('POST', '/api/v1/auth/otp/send', { body: { phone: number.typed } });
    const login = await server.http('POST', '/api/v1/auth/otp/login', { body: { phone: number.typed, code: sms.codeFor(number.e164) } });
    const token = login.body.access_token;
    server.clock.advance(301_000);
    const stale = await server.http('POST', '/api/v1/auth/change-password', { token, body: { old_password: '', new_password: 'first-password-1' } });
    assert.equal(stale.status, 403, 'a sign-in older than STEP_UP_MAX_AGE_SECONDS proves nothing');
    assert.match(stale.body.detail, /重新验证身份/);
    server.clock.advance(61_000);
    await server.http('POST', '/api/v1/auth/otp/send', { body: { phone: number.typed } });
    const fresh = await server.http('POST', '/api/v1/auth/otp/login', { body: { phone: number.typed, code: sms.codeFor(number.e164) } });
    const set = await server.http('POST', '/api/v1/auth/change-password', {
      token: fresh.body.access_token,
      body: { old_password: 'anything', new_password: 'first-password-1' },
    });
    assert.deepEqual([set.status, set.body], [200, { message: '密码修改成功' }]);
    const username = fresh.body.user.username;
    assert.equal((await server.http('POST', '/api/v1/auth/login/json', { body: { username, password: 'first-password-1' } })).status, 200);
  });

  test('an address an unverified account holds gets no code (no account can take it), whatever OTP_SIGNUP says', async () => {
    const { email } = await registerV1(server.http);
    await server.http('POST', '/api/v1/auth/otp/send', { body: { email } });
    assert.equal(await codeMail(server, email), null);
  });
});

describe('sign-in code limits', () => {
  let server: TestServer;
  let sms: SmsReceiver;
  before(async () => {
    sms = await smsReceiver();
    // Every request comes from 127.0.0.1: the per-address limits (30 codes an hour, 60 requests a minute per
    // group of endpoints) are raised so the per-number limits can be seen; the first has its own test below.
    server = await startTestServer({ env: { SMS_WEBHOOK_URL: sms.url, OTP_SENDS_PER_IP_HOUR: '1000', RATE_LIMIT_PER_IP: '1000' } });
  });
  after(async () => {
    await server.close();
    await sms.close();
  });

  test('20 sends for one number in a minute: one text; the answers (200, then 429 with Retry-After) are the same for an unknown number', async () => {
    const { number } = await accountWithVerifiedPhone(server, sms);
    const unknown = newNumber();
    const before = sms.to(number.e164).length;
    const answers = async (phone: string) => {
      const list: Array<[number, unknown]> = [];
      for (let i = 0; i < 20; i++) {
        const r = await server.http('POST', '/api/v1/auth/otp/send', { body: { phone } });
        if (r.status === 429) assert.ok(Number(r.headers.get('retry-after')) > 0);
        list.push([r.status, r.body]);
      }
      return list;
    };
    const known = await answers(number.typed);
    assert.equal(sms.to(number.e164).length - before, 1, 'at most the per-number limit of texts');
    assert.deepEqual(await answers(unknown.typed), known, 'the same answers for a number no account holds');
    assert.deepEqual(
      known.map(([status]) => status),
      [200, ...Array(19).fill(429)],
    );
  });

  test('5 texts an hour per number, 10 a day', async () => {
    const { number } = await accountWithVerifiedPhone(server, sms);
    const before = sms.to(number.e164).length;
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      statuses.push((await server.http('POST', '/api/v1/auth/otp/send', { body: { phone: number.typed } })).status);
      server.clock.advance(61_000);
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429, 429]);
    assert.equal(sms.to(number.e164).length - before, 5);
    const day: number[] = [];
    for (let i = 0; i < 12; i++) {
      server.clock.advance(3_600_000);
      day.push((await server.http('POST', '/api/v1/auth/otp/send', { body: { phone: number.typed } })).status);
    }
    assert.equal(day.filter((s) => s === 200).length, 5, 'the day allows 10 in all');
  });

  test('40 parallel wrong codes: at most 5 judged; the right code is void afterwards; every answer 400 or 429', async () => {
    const { number } = await accountWithVerifiedPhone(server, sms);
    server.clock.advance(61_000);
    assert.equal((await server.http('POST', '/api/v1/auth/otp/send', { body: { phone: number.typed } })).status, 200);
    const right = sms.codeFor(number.e164);
    const wrong = right === '000000' ? '111111' : '000000';
    const since = server.clock.now();
    const answers = await Promise.all(
      Array.from({ length: 40 }, () => server.http('POST', '/api/v1/auth/otp/login', { body: { phone: number.typed, code: wrong } })),
    );
    assert.ok(
      answers.every((a) => a.status === 400 || a.status === 429),
      answers.map((a) => a.status).join(','),
    );
    const failed = await server.stores.audit.query({ limit: 500, type: 'login.failed', from: since });
    const judged = failed.filter((e) => e.detail === 'wrong phone code');
    assert.ok(judged.length <= 5, `${judged.length} wrong codes judged`);
    assert.ok(judged.length >= 1);
    const late = await server.http('POST', '/api/v1/auth/otp/login', { body: { phone: number.typed, code: right } });
    assert.notEqual(late.status, 200, 'out of tries: the right code no longer signs in');
  });

  test('guesses per number are bounded across re-sent codes (10 an hour): then 429, whatever the code', async () => {
    const { number } = await accountWithVerifiedPhone(server, sms);
    const statuses: number[] = [];
    for (let round = 0; round < 3; round++) {
      server.clock.advance(61_000);
      await server.http('POST', '/api/v1/auth/otp/send', { body: { phone: number.typed } });
      for (let i = 0; i < 5; i++)
        statuses.push((await server.http('POST', '/api/v1/auth/otp/login', { body: { phone: number.typed, code: '000001' } })).status);
    }
    assert.deepEqual(statuses, [...Array(10).fill(400), ...Array(5).fill(429)]);
    server.clock.advance(61_000);
    await server.http('POST', '/api/v1/auth/otp/send', { body: { phone: number.typed } });
    const right = await server.http('POST', '/api/v1/auth/otp/login', { body: { phone: number.typed, code: sms.codeFor(number.e164) } });
    assert.equal(right.status, 429, 'no guess is judged in the pause, not even the right one');
  });
});

describe('per client address and per account (OTP_SENDS_PER_IP_HOUR=3, OTP_SENDS_PER_ACCOUNT_HOUR=2)', () => {
  let server: TestServer;
  let sms: SmsReceiver;
  before(async () => {
    sms = await smsReceiver();
    server = await startTestServer({ env: { SMS_WEBHOOK_URL: sms.url, OTP_SENDS_PER_IP_HOUR: '3', OTP_SENDS_PER_ACCOUNT_HOUR: '2' } });
  });
  after(async () => {
    await server.close();
    await sms.close();
  });

  test('an account gets at most its hourly codes, number and address together; past it the same answer and nothing sent', async () => {
    const { number, email } = await accountWithVerifiedPhone(server, sms);
    const user = (await server.core.accounts.findByEmail(email))!;
    await server.core.accounts.setVerified(user, 'email', true);
    const mails = async () => (await server.stores.outbox.list(100)).filter((m) => m.to === email && m.subject.startsWith('登录验证码')).length;
    const texts = sms.to(number.e164).length;
    assert.deepEqual((await server.http('POST', '/api/v1/auth/otp/send', { body: { phone: number.typed } })).body, SENT);
    assert.deepEqual((await server.http('POST', '/api/v1/auth/otp/send', { body: { email } })).body, SENT);
    server.clock.advance(61_000);
    assert.deepEqual((await server.http('POST', '/api/v1/auth/otp/send', { body: { phone: number.typed } })).body, SENT);
    assert.equal(sms.to(number.e164).length - texts, 1);
    assert.equal(await mails(), 1, 'two codes in all to the account');
  });

  test('a client address asks for at most its hourly codes, known numbers or not: then 429 with Retry-After', async () => {
    server.clock.advance(3_600_000);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await server.http('POST', '/api/v1/auth/otp/send', { body: { phone: newNumber().typed } })).status);
    assert.deepEqual(statuses, [200, 200, 200, 429]);
  });
});

describe('the hourly SMS budget per calling code (SMS_HOURLY_BUDGET=2)', () => {
  let server: TestServer;
  let sms: SmsReceiver;
  before(async () => {
    sms = await smsReceiver();
    server = await startTestServer({ env: { SMS_WEBHOOK_URL: sms.url, SMS_HOURLY_BUDGET: '2', OTP_SIGNUP: 'on' } });
  });
  after(async () => {
    await server.close();
    await sms.close();
  });

  test('stops texts to the calling code with 503 and Retry-After, raises one audit event and the metric; phone verification shares it', async () => {
    const texts = sms.texts.length;
    const send = (phone: string) => server.http('POST', '/api/v1/auth/otp/send', { body: { phone } });
    assert.equal((await send(newNumber().typed)).status, 200);
    assert.equal((await send(newNumber().typed)).status, 200);
    assert.equal(sms.texts.length - texts, 2);
    const spent = await send(newNumber().typed);
    assert.deepEqual([spent.status, spent.body], [503, { detail: '短信发送量已达上限，请稍后再试' }]);
    assert.ok(Number(spent.headers.get('retry-after')) > 60, 'open again in about an hour');
    const envelope = await server.envelopeHttp('POST', '/api/v1/auth/otp/send', { body: { phone: newNumber().typed } });
    assert.deepEqual(envelope.body, { status: 'error', message: '短信发送量已达上限，请稍后再试', code: 'SMS_UNAVAILABLE' });
    const { username } = await registerV1(server.http, { phone: newNumber().typed });
    const verify = await server.http('POST', '/api/v1/auth/verify-phone/send', { token: await loginV1(server.http, username) });
    assert.equal(verify.status, 503, 'phone verification texts share the budget');
    assert.equal(sms.texts.length - texts, 2, 'no text past the budget');
    const events = await server.stores.audit.query({ limit: 10, type: 'sms.budget_exhausted' });
    assert.deepEqual(
      events.map((e) => e.detail),
      ['+86'],
    );
    const metrics = await server.http('GET', '/metrics');
    assert.match(metrics.text, /gatehouse_sms_budget_refusals_total\{calling_code="86"\} 3/);
    server.clock.advance(3_600_000 + 1000);
    assert.equal((await send(newNumber().typed)).status, 200, 'an hour later it opens again');
  });
});
