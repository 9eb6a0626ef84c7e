// Email and phone verification over HTTP, on both styles of /api/v1/auth, and
// REQUIRE_VERIFIED_EMAIL on every surface's login.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { superuserToken } from '../helpers/factors.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { loginV1, registerV1, uniqueName, waitForVerification } from '../helpers/users.ts';

describe('email verification endpoints', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  test('plain style: {token} verifies once; the profile shows it', async () => {
    const { username, email } = await registerV1(server.http);
    const { token } = await waitForVerification(server.stores.outbox, email);
    const r = await server.http('POST', '/api/v1/auth/verify-email', { body: { token } });
    assert.deepEqual([r.status, r.body], [200, { message: '邮箱验证成功' }]);
    const again = await server.http('POST', '/api/v1/auth/verify-email', { body: { token } });
    assert.deepEqual([again.status, again.body], [400, { detail: '验证链接或验证码无效或已过期' }]);
    const me = await server.http('GET', '/api/v1/auth/me', { token: await loginV1(server.http, username) });
    assert.equal(me.body.is_email_verified, true);
  });

  test('envelope style: {email, code} verifies; a wrong code is INVALID_VERIFICATION; resend answers the same for anyone', async () => {
    const http = server.envelopeHttp;
    const username = uniqueName('ver');
    const email = `${username}@example.com`;
    assert.equal((await http('POST', '/api/v1/auth/register', { body: { username, password: 'password123', email } })).status, 201);
    const { code } = await waitForVerification(server.stores.outbox, email);
    const wrong = await http('POST', '/api/v1/auth/verify-email', { body: { email, code: code === '000000' ? '111111' : '000000' } });
    assert.deepEqual([wrong.status, wrong.body], [400, { status: 'error', message: '验证链接或验证码无效或已过期', code: 'INVALID_VERIFICATION' }]);
    const ok = await http('POST', '/api/v1/auth/verify-email', { body: { email, code } });
    assert.deepEqual([ok.status, ok.body], [200, { status: 'success', message: '邮箱验证成功', data: null }]);
    const resendKnown = await http('POST', '/api/v1/auth/resend-verification', { body: { email } });
    const resendUnknown = await http('POST', '/api/v1/auth/resend-verification', { body: { email: 'nobody-at-all@example.com' } });
    assert.deepEqual(resendKnown.body, resendUnknown.body);
    const bad = await http('POST', '/api/v1/auth/verify-email', { body: { code: '12' } });
    assert.deepEqual([bad.status, bad.body.code], [400, 'VALIDATION_ERROR']);
  });

  test('changing the email on /api/user/me clears the flag and mails the new address', async () => {
    const username = uniqueName('two');
    const email = `${username}@example.com`;
    await server.http('POST', '/api/auth/register', { body: { username, email, password: 'password123', nickname: 'n' } });
    const { token: link } = await waitForVerification(server.stores.outbox, email);
    await server.http('POST', '/api/v1/auth/verify-email', { body: { token: link } });
    const access = (await server.http('POST', '/api/auth/login', { body: { username, password: 'password123' } })).body.access_token;
    const changed = await server.http('PUT', '/api/user/me', { token: access, body: { email: `new.${email}` } });
    assert.equal(changed.status, 200);
    assert.equal((await server.core.accounts.findByUsername(username))!.isEmailVerified, false);
    await waitForVerification(server.stores.outbox, `new.${email}`);
  });

  test('the admin API shows and sets the flags, and an email it changes is mailed', async () => {
    const boss = await superuserToken(server, { email: 'boss@example.com' });
    const { email } = await registerV1(server.http);
    const target = (await server.core.accounts.findByEmail(email))!;
    const set = await server.http('PATCH', `/api/admin/users/${target.uuid}`, { token: boss, body: { is_email_verified: true, is_phone_verified: true } });
    assert.deepEqual([set.status, set.body.is_email_verified, set.body.is_phone_verified], [200, true, true]);
    const moved = await server.http('PATCH', `/api/admin/users/${target.uuid}`, { token: boss, body: { email: `moved.${email}` } });
    assert.deepEqual([moved.body.email, moved.body.is_email_verified], [`moved.${email}`, false]);
    await waitForVerification(server.stores.outbox, `moved.${email}`);
    assert.equal((await server.http('PATCH', `/api/admin/users/${target.uuid}`, { token: boss, body: {} })).status, 422);
  });
});

describe('phone verification through SMS_WEBHOOK_URL', () => {
  let server: TestServer;
  let gateway: Server;
  const texts: Array<{ to: string; text: string }> = [];
  // How the gateway behaves: delivers, fails with a 500, or never answers.
  let mode: 'deliver' | 'fail' | 'hang' = 'deliver';
  before(async () => {
    gateway = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        if (mode === 'hang') return;
        if (mode === 'fail') return res.writeHead(500).end('gateway down');
        texts.push(JSON.parse(body));
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    server = await startTestServer({ env: { SMS_WEBHOOK_URL: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/sms` } });
  });
  after(async () => {
    await server.close();
    gateway.closeAllConnections();
    gateway.close();
  });

  test('a gateway that fails or does not answer: 503 with Retry-After, and the code already sent still works', async () => {
    const { username } = await registerV1(server.http, { phone: '+8613900139001' });
    const token = await loginV1(server.http, username);
    mode = 'deliver';
    assert.equal((await server.http('POST', '/api/v1/auth/verify-phone/send', { token })).status, 200);
    const code = /(\d{6})/.exec(texts.findLast((t) => t.to === '+8613900139001')!.text)![1]!;
    for (const failing of ['fail', 'hang'] as const) {
      mode = failing;
      const r = await server.http('POST', '/api/v1/auth/verify-phone/send', { token });
      assert.deepEqual([r.status, r.body], [503, { detail: '服务暂时不可用' }], failing);
      assert.ok(Number(r.headers.get('retry-after')) > 0, failing);
    }
    mode = 'deliver';
    const ok = await server.http('POST', '/api/v1/auth/verify-phone', { token, body: { code } });
    assert.deepEqual([ok.status, ok.body], [200, { message: '手机号验证成功' }]);
  });

  test('the logged-in user asks for a code, it is POSTed as {to, text}, and the code marks the phone verified', async () => {
    const { username } = await registerV1(server.http, { phone: '+8613900139000' });
    const token = await loginV1(server.http, username);
    const sent = await server.http('POST', '/api/v1/auth/verify-phone/send', { token });
    assert.deepEqual([sent.status, sent.body], [200, { message: '验证码已发送' }]);
    const sms = texts.find((t) => t.to === '+8613900139000')!;
    const code = /(\d{6})/.exec(sms.text)![1]!;
    const ok = await server.http('POST', '/api/v1/auth/verify-phone', { token, body: { code } });
    assert.deepEqual([ok.status, ok.body], [200, { message: '手机号验证成功' }]);
    assert.equal((await server.http('GET', '/api/v1/auth/me', { token })).body.is_phone_verified, true);
    // an account without a phone cannot ask
    const other = await registerV1(server.http);
    const noPhone = await server.http('POST', '/api/v1/auth/verify-phone/send', { token: await loginV1(server.http, other.username) });
    assert.equal(noPhone.status, 400);
  });
});

describe('REQUIRE_VERIFIED_EMAIL=on', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { REQUIRE_VERIFIED_EMAIL: 'on' } });
  });
  after(() => server.close());

  test('every surface refuses the right password of an unverified account with 403 in its own shape, and accepts it once verified', async () => {
    const username = uniqueName('req');
    const email = `${username}@example.com`;
    await server.http('POST', '/api/v1/auth/register', { body: { username, email, password: 'password123', confirm_password: 'password123' } });
    const attempts = [
      [
        server.http('POST', '/api/users/login', { body: { email, password: 'password123' } }),
        { detail: 'Email address not verified: open the link in the verification mail first' },
      ],
      [
        server.http('POST', '/api/auth/login', { body: { username, password: 'password123' } }),
        { detail: 'Email address not verified: open the link in the verification mail first' },
      ],
      [server.http('POST', '/api/v1/auth/login/json', { body: { username, password: 'password123' } }), { detail: '邮箱尚未验证，请先打开验证邮件中的链接' }],
      [
        server.envelopeHttp('POST', '/api/v1/auth/login', { body: { username, password: 'password123' } }),
        { status: 'error', message: '邮箱尚未验证，请先打开验证邮件中的链接', code: 'EMAIL_NOT_VERIFIED' },
      ],
    ] as const;
    for (const [answer, body] of attempts) {
      const r = await answer;
      assert.deepEqual([r.status, r.body], [403, body]);
    }
    const { token } = await waitForVerification(server.stores.outbox, email);
    await server.http('POST', '/api/v1/auth/verify-email', { body: { token } });
    assert.equal((await server.http('POST', '/api/v1/auth/login/json', { body: { username, password: 'password123' } })).status, 200);
  });
});
