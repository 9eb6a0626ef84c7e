import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { GatehouseError } from '../../src/core/errors.ts';
import { testCore } from '../helpers/core.ts';
import { waitForVerification } from '../helpers/users.ts';

const rejects = async (promise: Promise<unknown>, code: string) =>
  assert.rejects(promise, (e: GatehouseError) => {
    assert.equal(e.code, code);
    return true;
  });

async function registered() {
  const core = testCore();
  const user = await core.accounts.register({ email: 'Vera@Example.com', password: 'correct-horse-42', phone: '+8613800138000' });
  const mail = await waitForVerification(core.stores.outbox, 'vera@example.com');
  return { core, user, mail };
}

describe('email verification', () => {
  test('registering with an email mails a link and a 6-digit code; the link verifies once', async () => {
    const { core, user, mail } = await registered();
    assert.equal(Buffer.from(mail.token, 'base64url').length, 32);
    assert.match(mail.code, /^\d{6}$/);
    assert.equal((await core.accounts.findById(user.id))!.isEmailVerified, false);
    const verified = await core.verification.confirmToken(mail.token);
    assert.equal(verified.isEmailVerified, true);
    await rejects(core.verification.confirmToken(mail.token), 'VERIFICATION_INVALID');
    const events = (await core.audit.list(20, user.id)).map((e) => e.type);
    assert.ok(events.includes('verification.sent') && events.includes('email.verified'));
  });

  test('links and codes expire after 24 hours', async () => {
    const { core, mail } = await registered();
    core.clock.advance(24 * 3600_000 + 1);
    await rejects(core.verification.confirmToken(mail.token), 'VERIFICATION_INVALID');
    await rejects(core.verification.confirmCode('email', 'vera@example.com', mail.code), 'VERIFICATION_INVALID');
  });

  test('a code allows 5 wrong tries; after that even the right one is refused', async () => {
    const { core, mail } = await registered();
    const wrong = mail.code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) await rejects(core.verification.confirmCode('email', 'VERA@example.com', wrong), 'VERIFICATION_INVALID');
    await rejects(core.verification.confirmCode('email', 'vera@example.com', mail.code), 'VERIFICATION_INVALID');
    // the link went with it: a new mail is needed
    await rejects(core.verification.confirmToken(mail.token), 'VERIFICATION_INVALID');
  });

  test('the right code verifies; fewer than 5 wrong ones before it do not matter', async () => {
    const { core, mail, user } = await registered();
    for (let i = 0; i < 4; i++)
      await rejects(core.verification.confirmCode('email', 'vera@example.com', mail.code === '999999' ? '111111' : '999999'), 'VERIFICATION_INVALID');
    assert.equal((await core.verification.confirmCode('email', 'vera@example.com', mail.code)).id, user.id);
  });

  test('changing the email clears the flag, mails the new address, and voids the old link', async () => {
    const { core, mail, user } = await registered();
    await core.verification.confirmCode('email', 'vera@example.com', mail.code);
    const changed = await core.accounts.updateProfile((await core.accounts.findById(user.id))!, { email: 'vera.new@example.com' });
    assert.equal(changed.isEmailVerified, false);
    const second = await waitForVerification(core.stores.outbox, 'vera.new@example.com');
    await rejects(core.verification.confirmToken(mail.token), 'VERIFICATION_INVALID');
    assert.equal((await core.verification.confirmToken(second.token)).isEmailVerified, true);
  });

  test('resend: a new mail for an unverified account; nothing for a verified or unknown one', async () => {
    const { core, mail } = await registered();
    const before = (await core.stores.outbox.list(50)).length;
    await core.verification.resend('nobody@example.com');
    assert.equal((await core.stores.outbox.list(50)).length, before);
    await core.verification.resend('vera@example.com');
    const again = await waitForVerification(core.stores.outbox, 'vera@example.com', mail.token);
    assert.notEqual(again.token, mail.token);
    await rejects(core.verification.confirmToken(mail.token), 'VERIFICATION_INVALID'); // replaced
    await core.verification.confirmToken(again.token);
    const count = (await core.stores.outbox.list(50)).length;
    await core.verification.resend('vera@example.com');
    assert.equal((await core.stores.outbox.list(50)).length, count);
  });
});

describe('phone verification', () => {
  test('a code goes by SMS (the outbox without a gateway) and marks the phone verified', async () => {
    const { core, user } = await registered();
    await core.verification.start(user, 'phone');
    const sms = (await core.stores.outbox.list(5)).find((m) => m.to === '+8613800138000')!;
    const code = /(\d{6})/.exec(sms.text)![1]!;
    assert.equal((await core.verification.confirmCodeFor(user, 'phone', code)).isPhoneVerified, true);
    await rejects(core.verification.confirmCodeFor(user, 'phone', code), 'VERIFICATION_INVALID');
  });
});

describe('REQUIRE_VERIFIED_EMAIL', () => {
  test('off by default; when on, the right password on an unverified account is EMAIL_NOT_VERIFIED, the wrong one still INVALID_CREDENTIALS', async () => {
    const { core } = await registered();
    await core.login.login({ by: 'email', identifier: 'vera@example.com', password: 'correct-horse-42', accessTtl: 60 });
    const { createCore } = await import('../../src/core/core.ts');
    const strict = createCore({
      stores: core.stores,
      keys: { current: 'x'.repeat(40) },
      secretBox: core.secretBox,
      clock: core.clock,
      requireVerifiedEmail: true,
    });
    await rejects(strict.login.login({ by: 'email', identifier: 'vera@example.com', password: 'wrong-password', accessTtl: 60 }), 'INVALID_CREDENTIALS');
    await rejects(strict.login.login({ by: 'email', identifier: 'vera@example.com', password: 'correct-horse-42', accessTtl: 60 }), 'EMAIL_NOT_VERIFIED');
  });
});
