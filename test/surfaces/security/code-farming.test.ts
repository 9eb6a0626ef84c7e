// Findings 2, 3 and 9 of the security review: verification codes cannot be farmed,
// issuing codes and changing an email are limited per account, texts per account
// and per number, and the mail-sending endpoints stop mailing past their
// per-account limits. Runs on SQLite and, with GATEHOUSE_TEST_BACKEND=postgres+redis,
// on PostgreSQL + Redis.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { superuserToken } from '../../helpers/factors.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { loginV1, registerV1, uniqueName, waitForVerification } from '../../helpers/users.ts';

let server: TestServer;
before(async () => {
  // Dozens of requests from one address within a minute: the per-IP limit is raised so that
  // what is measured is the per-account budgets (all at their production defaults).
  server = await startTestServer({ env: { RATE_LIMIT_PER_IP: '10000' } });
});
after(async () => {
  await server.close();
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Mail sent after the answer arrives a little later: waits until `atLeast` mails
 * matching `pick` are there, then gives any further ones time to land, and
 * returns how many there are.
 */
async function settledCount(pick: (m: { to: string; subject: string; text: string }) => boolean, atLeast: number): Promise<number> {
  const count = async () => (await server.stores.outbox.list(500)).filter(pick).length;
  for (let i = 0; i < 250 && (await count()) < atLeast; i++) await pause(20);
  await pause(500);
  return count();
}

const isVerification = (to: string) => (m: { to: string; text: string }) => m.to === to && m.text.includes('verify-email?token=');
const wrongCode = (code: string) => (code === '000000' ? '111111' : '000000');

describe('verification codes cannot be farmed', () => {
  test('40 concurrent wrong codes for one account: at most 10 are checked, then the right code is refused for a while', async () => {
    const { email } = await registerV1(server.http);
    const { code } = await waitForVerification(server.stores.outbox, email);
    const answers = await Promise.all(
      Array.from({ length: 40 }, () => server.http('POST', '/api/v1/auth/verify-email', { body: { email, code: wrongCode(code) } })),
    );
    const statuses = answers.map((r) => r.status);
    assert.ok(statuses.filter((s) => s === 400).length <= 10, statuses.join(','));
    assert.ok(
      statuses.every((s) => s === 400 || s === 429),
      statuses.join(','),
    );
    const right = await server.http('POST', '/api/v1/auth/verify-email', { body: { email, code } });
    assert.deepEqual([right.status, right.body], [429, { detail: '请求过于频繁，请稍后再试' }]);
    assert.ok(Number(right.headers.get('retry-after')) > 60, 'the pause is told in Retry-After');
  });

  test('a new code brings no new guesses: 10 wrong guesses over three codes, and the third code is refused', async () => {
    const { email } = await registerV1(server.http);
    let { code, token } = await waitForVerification(server.stores.outbox, email);
    for (const guesses of [4, 4]) {
      for (let i = 0; i < guesses; i++)
        assert.equal((await server.http('POST', '/api/v1/auth/verify-email', { body: { email, code: wrongCode(code) } })).status, 400);
      assert.equal((await server.http('POST', '/api/v1/auth/resend-verification', { body: { email } })).status, 200);
      ({ code, token } = await waitForVerification(server.stores.outbox, email, token));
    }
    for (let i = 0; i < 2; i++) assert.equal((await server.http('POST', '/api/v1/auth/verify-email', { body: { email, code: wrongCode(code) } })).status, 400);
    const right = await server.http('POST', '/api/v1/auth/verify-email', { body: { email, code } });
    assert.equal(right.status, 429, right.text);
    // The mailed link (32 random bytes, not guessable) still verifies.
    assert.equal((await server.http('POST', '/api/v1/auth/verify-email', { body: { token } })).status, 200);
  });
});

describe('email changes on PUT /api/user/me are limited per account', () => {
  test('20 switches back and forth: 10 are made, 5 verification mails in all, and a taken address answers like a free one', async () => {
    const username = uniqueName('switch');
    const a = `${username}@example.com`;
    const b = `b.${username}@example.com`;
    const reg = await server.http('POST', '/api/auth/register', { body: { username, email: a, password: 'password123', nickname: 'n' } });
    assert.equal(reg.status, 201, reg.text);
    const { email: taken } = await registerV1(server.http);
    const access = (await server.http('POST', '/api/auth/login', { body: { username, password: 'password123' } })).body.access_token;
    const statuses = [];
    // b, a, b, a, ...: every request changes the address, until the budget is spent (the 10th puts back a)
    for (let i = 0; i < 20; i++) statuses.push((await server.http('PUT', '/api/user/me', { token: access, body: { email: i % 2 ? a : b } })).status);
    // past the budget only the requests naming b would change anything: they are refused; naming a changes nothing
    assert.deepEqual(statuses, [...Array(10).fill(200), ...Array.from({ length: 10 }, (_, i) => (i % 2 ? 200 : 429))]);
    const mails = await settledCount((m) => isVerification(a)(m) || isVerification(b)(m), 5);
    assert.equal(mails, 5, "the registration mail and 4 more: the account's 5 an hour");
    // Past the budget, probing for an address learns nothing: taken and free answer alike.
    const probeTaken = await server.http('PUT', '/api/user/me', { token: access, body: { email: taken } });
    const probeFree = await server.http('PUT', '/api/user/me', { token: access, body: { email: `free.${username}@example.com` } });
    assert.deepEqual([probeTaken.status, probeTaken.body], [probeFree.status, probeFree.body]);
    assert.equal(probeTaken.status, 429);
    // A change that keeps the address (a nickname) is not counted.
    assert.equal((await server.http('PUT', '/api/user/me', { token: access, body: { nickname: 'still-me' } })).status, 200);
  });
});

describe('every path that issues a code takes from the same per-account budget', () => {
  test("an operator moving an address back and forth (admin API) mails at most the account's 5 an hour; the moves themselves are not refused", async () => {
    const boss = await superuserToken(server, { email: `boss.${process.pid}@example.com` });
    const { email } = await registerV1(server.http);
    const target = (await server.core.accounts.findByEmail(email))!;
    for (let i = 0; i < 8; i++) {
      const moved = await server.http('PATCH', `/api/admin/users/${target.uuid}`, { token: boss, body: { email: i % 2 ? email : `moved.${email}` } });
      assert.equal(moved.status, 200, moved.text);
    }
    const mails = await settledCount((m) => isVerification(email)(m) || isVerification(`moved.${email}`)(m), 5);
    assert.equal(mails, 5, 'the registration mail and 4 more');
  });
});

describe('texts: E.164 numbers, limited per account and per number', () => {
  test("a phone that is no number is refused in the surface's shape, and nothing is sent", async () => {
    // A national number of PHONE_DEFAULT_REGION (CN) such as 13800138000 is a number since issue 33; 12345 is none anywhere.
    const { username } = await registerV1(server.http, { phone: '12345' });
    const r = await server.http('POST', '/api/v1/auth/verify-phone/send', { token: await loginV1(server.http, username) });
    assert.equal(r.status, 400, r.text);
    assert.equal(typeof r.body.detail, 'string');
    assert.equal((await server.stores.outbox.list(500)).filter((m) => m.to.endsWith('12345')).length, 0);
  });

  test('5 texts an hour per account: the 6th is 429 and the pending code still verifies', async () => {
    const phone = `+86139${String(Date.now()).slice(-8)}`;
    const { username } = await registerV1(server.http, { phone });
    const token = await loginV1(server.http, username);
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await server.http('POST', '/api/v1/auth/verify-phone/send', { token })).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429]);
    const texts = (await server.stores.outbox.list(500)).filter((m) => m.to === phone);
    assert.equal(texts.length, 5);
    const code = /验证码 (\d{6})/.exec(texts[0]!.text)?.[1];
    assert.ok(code);
    assert.equal((await server.http('POST', '/api/v1/auth/verify-phone', { token, body: { code } })).status, 200);
  });

  test('one number, two accounts: the number gets 5 texts an hour whoever asks', async () => {
    const phone = `+86137${String(Date.now()).slice(-8)}`;
    const first = await registerV1(server.http, { phone });
    const second = await registerV1(server.http, { phone });
    const statuses = [];
    for (const account of [first, first, first, second, second, second]) {
      const token = await loginV1(server.http, account.username);
      statuses.push((await server.http('POST', '/api/v1/auth/verify-phone/send', { token })).status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429]);
  });
});

describe('mail-sending endpoints stop mailing past the per-account limits (finding 9)', () => {
  test('forgot-password: the 11th request a minute for one account is 429, and at most 5 reset mails go out an hour', async () => {
    const { email } = await registerV1(server.http);
    const statuses = [];
    for (let i = 0; i < 12; i++) statuses.push((await server.http('POST', '/api/v1/auth/forgot-password', { body: { email } })).status);
    assert.deepEqual(statuses, [...Array(10).fill(200), 429, 429]);
    assert.equal(await settledCount((m) => m.to === email && m.text.includes('Reset token:'), 5), 5);
  });

  test('resend-verification: the 11th request a minute for one account is 429, and at most 5 verification mails go out an hour', async () => {
    const { email } = await registerV1(server.http);
    const statuses = [];
    for (let i = 0; i < 12; i++) statuses.push((await server.http('POST', '/api/v1/auth/resend-verification', { body: { email } })).status);
    assert.deepEqual(statuses, [...Array(10).fill(200), 429, 429]);
    assert.equal(await settledCount(isVerification(email), 5), 5, 'the registration mail and 4 resends');
  });
});
