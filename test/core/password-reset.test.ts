import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GatehouseError } from '../../src/core/errors.ts';
import { testCore } from '../helpers/core.ts';

const tokenIn = (text: string) => /Reset token: (\S+)/.exec(text)?.[1];

async function setup() {
  const core = testCore();
  const user = await core.accounts.register({ email: 'r@example.com', password: 'correct-horse-42' });
  const grant = await core.login.login({ by: 'email', identifier: 'r@example.com', password: 'correct-horse-42', accessTtl: 60 });
  return { core, user, grant };
}

test('forgot → mail with a 32-byte token and a link → reset: new password works, sessions end, lockout clears', async () => {
  const { core, grant } = await setup();
  for (let i = 0; i < 5; i++) await core.login.login({ by: 'email', identifier: 'r@example.com', password: 'wrong-one', accessTtl: 60 }).catch(() => {});
  await core.resets.request('R@example.com');
  const [mail] = await core.stores.outbox.list(1);
  assert.equal(mail?.to, 'r@example.com');
  const token = tokenIn(mail!.text)!;
  assert.equal(Buffer.from(token, 'base64url').length, 32);
  assert.ok(mail!.text.includes(`reset-password?token=${token}`));
  await core.resets.reset(token, 'brand-new-horse-7');
  await assert.rejects(core.sessions.authenticate(grant.accessToken), (e: GatehouseError) => e.code === 'SESSION_ENDED');
  await core.login.login({ by: 'email', identifier: 'r@example.com', password: 'brand-new-horse-7', accessTtl: 60 });
});

test('a token works once, and not after 30 minutes', async () => {
  const { core } = await setup();
  await core.resets.request('r@example.com');
  await core.resets.request('r@example.com');
  const [second, first] = await core.stores.outbox.list(2);
  await core.resets.reset(tokenIn(first!.text)!, 'brand-new-horse-7');
  await assert.rejects(core.resets.reset(tokenIn(first!.text)!, 'brand-new-horse-8'), (e: GatehouseError) => e.code === 'RESET_TOKEN_INVALID');
  core.clock.advance(30 * 60_000);
  await assert.rejects(core.resets.reset(tokenIn(second!.text)!, 'brand-new-horse-8'), (e: GatehouseError) => e.code === 'RESET_TOKEN_INVALID');
});

test('an unknown or disabled email gets no mail; the stored token is only a hash', async () => {
  const { core, user } = await setup();
  await core.resets.request('nobody@example.com');
  await core.accounts.setStatus(user, 'disabled');
  await core.resets.request('r@example.com');
  // registration mailed a verification link; no reset mail went out
  assert.deepEqual(
    (await core.stores.outbox.list(10)).filter((m) => !m.subject.includes('Verify')),
    [],
  );
  await core.accounts.setStatus(user, 'active');
  await core.resets.request('r@example.com');
  const token = tokenIn((await core.stores.outbox.list(1))[0]!.text)!;
  // the raw token is not a key the store knows: only its SHA-256 is
  assert.equal(await core.stores.resets.consume(token, core.clock.now()), null);
});

test('the policy is checked before the token is spent', async () => {
  const { core } = await setup();
  await core.resets.request('r@example.com');
  const token = tokenIn((await core.stores.outbox.list(1))[0]!.text)!;
  await assert.rejects(core.resets.reset(token, 'short'), (e: GatehouseError) => e.code === 'VALIDATION_FAILED');
  await core.resets.reset(token, 'long-enough-now-1');
});

test('isUsable tells a live link from a used or expired one without spending it', async () => {
  const { core } = await setup();
  await core.resets.request('r@example.com');
  const token = tokenIn((await core.stores.outbox.list(1))[0]!.text)!;
  assert.equal(await core.resets.isUsable(token), true);
  assert.equal(await core.resets.isUsable(token), true, 'asking twice spends nothing');
  assert.equal(await core.resets.isUsable('not-a-token'), false);
  await core.resets.reset(token, 'brand-new-horse-7');
  assert.equal(await core.resets.isUsable(token), false, 'used');
  await core.resets.request('r@example.com');
  const later = tokenIn((await core.stores.outbox.list(1))[0]!.text)!;
  core.clock.advance(30 * 60_000);
  assert.equal(await core.resets.isUsable(later), false, 'expired');
});
