// Rate limits answer 429 before any password is hashed.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { registerV1 } from '../../helpers/users.ts';

describe('rate limits', () => {
  let perIp: TestServer;
  let perAccount: TestServer;
  before(async () => {
    perIp = await startTestServer({ env: { RATE_LIMIT: 'on', RATE_LIMIT_PER_IP: '3', RATE_LIMIT_PER_ACCOUNT: '100' } });
    perAccount = await startTestServer({ env: { RATE_LIMIT: 'on', RATE_LIMIT_PER_IP: '100', RATE_LIMIT_PER_ACCOUNT: '3', TRUST_PROXY: 'true' } });
  });
  after(async () => {
    await perIp.close();
    await perAccount.close();
  });

  test('per client IP: the 4th login a minute is 429 with Retry-After, and never reaches the password check', async () => {
    const account = await perIp.core.accounts.register({ email: 'ip-limited@example.com', username: 'ip_limited', password: 'password123' });
    const answers = [];
    for (let i = 0; i < 10; i++)
      answers.push(await perIp.http('POST', '/api/users/login', { body: { email: 'ip-limited@example.com', password: 'wrong-password' } }));
    assert.deepEqual(
      answers.map((r) => r.status),
      [400, 400, 400, 429, 429, 429, 429, 429, 429, 429],
    );
    assert.deepEqual(answers[3]!.body, { detail: 'Too many requests, try again later' });
    assert.ok(Number(answers[3]!.headers.get('retry-after')) > 0);
    // only the three that got through were counted as failures: the rest spent no hash
    assert.equal((await perIp.stores.lockouts.get(`password:${account.id}`))?.count, 3);
  });

  test('each surface answers 429 in its own shape; groups are counted apart', async () => {
    const v1 = [];
    for (let i = 0; i < 4; i++) v1.push(await perIp.http('POST', '/api/v1/auth/forgot-password', { body: { email: 'x@example.com' } }));
    assert.deepEqual([v1[3]!.status, v1[3]!.body], [429, { detail: '请求过于频繁，请稍后再试' }]);
    const reg = await perIp.http('POST', '/api/v1/auth/register', {
      body: { username: 'abc', email: 'a@example.com', password: 'password123', confirm_password: 'password123' },
    });
    assert.equal(reg.status, 201); // another group: its own budget
  });

  test('per account: from ever-changing addresses, the 4th login attempt on one account a minute is 429', async () => {
    const { username } = await registerV1(perAccount.http);
    const statuses = [];
    for (let i = 0; i < 6; i++) {
      const r = await perAccount.http('POST', '/api/v1/auth/login/json', {
        body: { username, password: 'wrong-password' },
        headers: { 'x-forwarded-for': `198.51.100.${i + 1}` },
      });
      statuses.push(r.status);
    }
    assert.deepEqual(statuses, [401, 401, 401, 429, 429, 429]);
    // another account is not affected
    const other = await registerV1(perAccount.http);
    assert.equal((await perAccount.http('POST', '/api/v1/auth/login/json', { body: { username: other.username, password: 'password123' } })).status, 200);
  });

  test('per account: only failed attempts count, so requests naming a user cannot keep them from logging in', async () => {
    const { username } = await registerV1(perAccount.http);
    // anyone can send many right-password logins naming the user (per account the limit is 3 a minute)
    for (let i = 0; i < 8; i++) {
      const r = await perAccount.http('POST', '/api/v1/auth/login/json', {
        body: { username, password: 'password123' },
        headers: { 'x-forwarded-for': `203.0.113.${i + 1}` },
      });
      assert.equal(r.status, 200, `login ${i + 1}`);
    }
    // failures still count
    const statuses = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await perAccount.http('POST', '/api/v1/auth/login/json', { body: { username, password: 'wrong-password' } })).status);
    assert.deepEqual(statuses, [401, 401, 401, 429]);
  });
});
