// The event catalogue, as a receiver subscribed to everything sees one
// account's life: each type docs/webhooks.md lists for accounts arrives,
// signed, about that account (data.user), with its extra data — caused
// through the staff API, the public API and the core as the pages and
// commands cause them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { enrolTotp, twoStepToken } from '../../helpers/factors.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { loginV1, registerV1 } from '../../helpers/users.ts';
import { type Received, type Receiver, startReceiver } from '../../helpers/webhook-receiver.ts';

let server: TestServer;
let adminToken: string;
let receiver: Receiver;
let endpointId: string;
before(async () => {
  // The receiver is on 127.0.0.1, refused by default (server-side request forgery): allowed here on purpose.
  server = await startTestServer({ env: { WEBHOOK_ALLOW_PRIVATE: 'on' } });
  const root = await server.core.accounts.register({ username: 'root_admin', email: 'root@example.com', password: 'admin-password-1', isSuperuser: true });
  const { codeAt } = await enrolTotp(server.core, root, 'admin-password-1');
  adminToken = await twoStepToken(server.http, server.clock, 'root_admin', 'admin-password-1', codeAt);
  receiver = await startReceiver();
  // Added after the superuser was made: what arrives is about the account below only.
  const { endpoint, secret } = await server.core.webhooks.add({ url: receiver.url });
  endpointId = endpoint.id;
  receiver.secrets.push(secret);
});
after(async () => {
  await receiver.close();
  await server.close();
});

describe('webhooks: one account’s events', () => {
  test('created, verified, updated, password changed, sessions revoked, disabled, enabled, second factor added and reset, deleted', async () => {
    const { username, user } = await registerV1(server.http);
    const account = (await server.core.accounts.findById(user.id))!;
    const uuid = account.uuid;
    const of = (type: string): Promise<Received> => receiver.waitFor((r) => r.event.type === type && r.event.data.user?.uuid === uuid);

    await of('user.created');
    await server.core.accounts.setVerified(account, 'email', true);
    await of('email.verified');
    await server.core.accounts.updateProfile((await server.core.accounts.findById(user.id))!, { fullName: 'Ada Lovelace' });
    const updated = await of('user.updated');
    assert.deepEqual(updated.event.data.changed, ['full_name']);
    assert.equal(updated.event.data.user.full_name, 'Ada Lovelace', 'data.user as written');

    await server.core.accounts.setPassword((await server.core.accounts.findById(user.id))!, 'another-password-2');
    await of('password.changed');
    await loginV1(server.http, username, 'another-password-2');
    await loginV1(server.http, username, 'another-password-2');
    const ended = await server.http('DELETE', `/api/admin/users/${uuid}/sessions`, { token: adminToken });
    assert.deepEqual(ended.body, { ended: 2 });
    const revoked = await receiver.waitFor((r) => r.event.type === 'session.revoked' && r.event.data.user?.uuid === uuid && r.event.data.sessions_ended === 2);
    assert.equal(revoked.event.data.current_kept, false);

    assert.equal((await server.http('POST', `/api/admin/users/${uuid}/disable`, { token: adminToken })).status, 200);
    assert.equal((await of('user.disabled')).event.data.user.status, 'disabled');
    assert.equal((await server.http('POST', `/api/admin/users/${uuid}/enable`, { token: adminToken })).status, 200);
    assert.equal((await of('user.enabled')).event.data.user.status, 'active');

    await enrolTotp(server.core, (await server.core.accounts.findById(user.id))!, 'another-password-2');
    assert.equal((await of('mfa.enrolled')).event.data.factor, 'totp');
    assert.equal((await server.http('DELETE', `/api/admin/users/${uuid}/mfa`, { token: adminToken })).status, 200);
    assert.equal((await of('mfa.removed')).event.data.factor, 'all');

    await server.core.accounts.delete((await server.core.accounts.findById(user.id))!);
    assert.equal((await of('user.deleted')).event.data.user.uuid, uuid, '`user` as it was');

    const mine = receiver.received.filter((r) => r.event.data.user?.uuid === uuid);
    for (const r of mine) {
      assert.deepEqual(r.verifiedBy, receiver.secrets, `${r.event.type}: signed`);
      assert.doesNotMatch(r.body, /password_hash|\$argon2|\$2[aby]\$|secret|token/i, r.body);
    }
    assert.equal(new Set(mine.map((r) => r.id)).size, mine.length, 'one webhook-id per event');
  });

  test('five wrong passwords lock an account: user.locked, with locked_until, written before the refusal is answered', async () => {
    const { username, user } = await registerV1(server.http);
    const uuid = (await server.core.accounts.findById(user.id))!.uuid;
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await server.http('POST', '/api/v1/auth/login/json', { body: { username, password: 'not-the-password' } })).status);
    assert.deepEqual(statuses, [401, 401, 401, 401, 401]);
    // The lock lives in Redis (or memory), so its event is written before the fifth refusal is answered: it is there now.
    const queued = await server.core.webhooks.deliveries(endpointId, 200);
    assert.ok(
      queued.some((d) => d.eventType === 'user.locked'),
      'in the outbox as the answer arrives',
    );
    const locked = await receiver.waitFor((r) => r.event.type === 'user.locked' && r.event.data.user?.uuid === uuid);
    assert.equal(locked.event.data.locked_until, new Date(server.clock.now() + 15 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    assert.deepEqual(locked.verifiedBy, receiver.secrets);
  });
});
