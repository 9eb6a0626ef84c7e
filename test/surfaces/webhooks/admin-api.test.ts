// /api/admin/webhooks as a superuser's script uses it: add (the secret in that
// answer only), list, one, test, deliveries, replay, rotate, disable/enable,
// remove; normal users refused; bad input 422; every change audited with the
// superuser. And the OpenAPI document's `webhooks`: one per event type.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EVENT_TYPES, type EventType, isOrganizationEvent } from '../../../src/core/events.ts';
import { enrolTotp, twoStepToken } from '../../helpers/factors.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { loginV1, registerV1 } from '../../helpers/users.ts';
import { type Receiver, startReceiver } from '../../helpers/webhook-receiver.ts';

let server: TestServer;
let adminToken: string;
let receiver: Receiver;
before(async () => {
  // The receiver listens on 127.0.0.1, refused by default (server-side request forgery): allowed here on purpose.
  server = await startTestServer({ env: { WEBHOOK_ALLOW_PRIVATE: 'on' } });
  const root = await server.core.accounts.register({ username: 'root_admin', email: 'root@example.com', password: 'admin-password-1', isSuperuser: true });
  const { codeAt } = await enrolTotp(server.core, root, 'admin-password-1');
  adminToken = await twoStepToken(server.http, server.clock, 'root_admin', 'admin-password-1', codeAt);
  receiver = await startReceiver();
});
after(async () => {
  await receiver.close();
  await server.close();
});

/** Waits (real time) until a read says what `done` wants. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('/api/admin/webhooks (superusers only)', () => {
  test('add shows the secret once; list and one show the endpoint without it; test is delivered, signed with it; deliveries and replay', async () => {
    const added = await server.http('POST', '/api/admin/webhooks', {
      token: adminToken,
      body: { url: receiver.url, events: ['user.created', 'user.deleted'], description: 'provisioning' },
    });
    assert.equal(added.status, 201, added.text);
    const { id, secret } = added.body;
    assert.match(id, /^ep_/);
    assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.deepEqual(added.body.events, ['user.created', 'user.deleted']);
    assert.equal(added.body.enabled, true);
    receiver.secrets.push(secret);

    const list = await server.http('GET', '/api/admin/webhooks', { token: adminToken });
    assert.equal(list.status, 200);
    const listed = list.body.items.find((e: { id: string }) => e.id === id);
    const { secret: _shown, ...shown } = added.body;
    assert.deepEqual(listed, shown);
    assert.doesNotMatch(list.text, /whsec_/, 'the secret is never shown again');
    const one = await server.http('GET', `/api/admin/webhooks/${id}`, { token: adminToken });
    assert.deepEqual([one.status, one.body.url, one.body.description], [200, receiver.url, 'provisioning']);
    assert.doesNotMatch(one.text, /whsec_/);

    const tested = await server.http('POST', `/api/admin/webhooks/${id}/test`, { token: adminToken });
    assert.equal(tested.status, 202, tested.text);
    const got = await receiver.waitFor((r) => r.id === tested.body.event_id);
    assert.equal(got.event.type, 'webhook.test');
    assert.deepEqual(got.verifiedBy, [secret]);

    const deliveries = await until(
      async () => (await server.http('GET', `/api/admin/webhooks/${id}/deliveries`, { token: adminToken })).body.items,
      (items: any[]) => items.length === 1 && items[0].status === 'delivered',
      'the delivery to be recorded',
    );
    const d = deliveries[0];
    assert.deepEqual([d.event_id, d.event_type, d.attempts, d.last_status, d.next_attempt_at], [got.id, 'webhook.test', 1, 204, null]);
    assert.equal(typeof d.last_duration_ms, 'number');
    assert.match(d.last_attempt_at, /Z$/);

    const replayed = await server.http('POST', `/api/admin/webhooks/${id}/deliveries/${d.id}/replay`, { token: adminToken });
    assert.equal(replayed.status, 202, replayed.text);
    await until(
      async () => receiver.received.filter((r) => r.id === got.id).length,
      (n) => n === 2,
      'the replay to arrive',
    );
    const again = receiver.received.filter((r) => r.id === got.id)[1]!;
    assert.deepEqual(again.verifiedBy, [secret], 'a replay is signed afresh, with the same webhook-id');

    const elsewhere = await server.http('POST', '/api/admin/webhooks', { token: adminToken, body: { url: receiver.url } });
    const wrongEndpoint = await server.http('POST', `/api/admin/webhooks/${elsewhere.body.id}/deliveries/${d.id}/replay`, { token: adminToken });
    assert.equal(wrongEndpoint.status, 404, "another endpoint's delivery is not found through this one");
    assert.equal((await server.http('DELETE', `/api/admin/webhooks/${elsewhere.body.id}`, { token: adminToken })).status, 204);
  });

  test('rotate-secret answers a new secret once; disable and enable; remove, then 404; each audited with the superuser', async () => {
    const added = await server.http('POST', '/api/admin/webhooks', { token: adminToken, body: { url: receiver.url } });
    const { id, secret } = added.body;
    assert.deepEqual(added.body.events, [], 'none: every event type');
    const rotated = await server.http('POST', `/api/admin/webhooks/${id}/rotate-secret`, { token: adminToken });
    assert.equal(rotated.status, 200, rotated.text);
    assert.equal(rotated.body.id, id);
    assert.match(rotated.body.secret, /^whsec_/);
    assert.notEqual(rotated.body.secret, secret);

    const disabled = await server.http('POST', `/api/admin/webhooks/${id}/disable`, { token: adminToken });
    assert.deepEqual([disabled.status, disabled.body.enabled, disabled.body.disabled_reason], [200, false, 'operator']);
    assert.equal((await server.http('POST', `/api/admin/webhooks/${id}/test`, { token: adminToken })).status, 422, 'a disabled endpoint is not tested');
    const enabled = await server.http('POST', `/api/admin/webhooks/${id}/enable`, { token: adminToken });
    assert.deepEqual([enabled.status, enabled.body.enabled, enabled.body.disabled_reason], [200, true, null]);

    assert.equal((await server.http('DELETE', `/api/admin/webhooks/${id}`, { token: adminToken })).status, 204);
    for (const [method, path] of [
      ['GET', `/api/admin/webhooks/${id}`],
      ['DELETE', `/api/admin/webhooks/${id}`],
      ['POST', `/api/admin/webhooks/${id}/rotate-secret`],
      ['POST', `/api/admin/webhooks/${id}/test`],
      ['GET', `/api/admin/webhooks/${id}/deliveries`],
    ] as const)
      assert.equal((await server.http(method, path, { token: adminToken })).status, 404, `${method} ${path}`);

    const root = await server.core.accounts.findByUsername('root_admin');
    const audited = await server.core.audit.list(50);
    for (const type of [
      'webhook.added',
      'webhook.secret_rotated',
      'webhook.disabled',
      'webhook.enabled',
      'webhook.removed',
      'webhook.tested',
      'webhook.replayed',
    ])
      assert.equal(audited.find((e) => e.type === type)?.actorId, root!.id, `${type}, audited with the superuser who did it`);
  });

  test('bad input is 422: not http(s), not a URL, an unknown event type, webhook.test as a subscription', async () => {
    for (const body of [
      { url: 'file:///etc/passwd' },
      { url: 'ftp://example.com/hook' },
      { url: 'not a url' },
      { url: 'https://example.com/hook', events: ['user.exploded'] },
      { url: 'https://example.com/hook', events: ['webhook.test'] },
      { url: 'https://example.com/hook', extra: true },
    ]) {
      const r = await server.http('POST', '/api/admin/webhooks', { token: adminToken, body });
      assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
    }
  });

  test('401 without a token, 403 for a normal user and for staff that are not superusers', async () => {
    assert.equal((await server.http('GET', '/api/admin/webhooks')).status, 401);
    const { username, user } = await registerV1(server.http);
    const token = await loginV1(server.http, username);
    assert.equal((await server.http('GET', '/api/admin/webhooks', { token })).status, 403);
    assert.equal((await server.http('POST', '/api/admin/webhooks', { token, body: { url: receiver.url } })).status, 403);
    const account = (await server.core.accounts.findById(user.id))!;
    const staff = await server.core.staff.setRole(null, account, 'staff', true);
    await assert.rejects(server.core.staff.webhooks(staff), { code: 'FORBIDDEN' }, 'reading endpoints is for superusers: a URL may carry credentials');
  });
});

describe('the OpenAPI document', () => {
  test('`webhooks` holds one operation per event type, each with its body schema, an example and the three signature headers', async () => {
    const doc = (await server.http('GET', '/openapi.json')).body;
    assert.equal(doc.openapi.startsWith('3.1'), true, 'webhooks need OpenAPI 3.1');
    assert.deepEqual(Object.keys(doc.webhooks).sort(), Object.keys(EVENT_TYPES).sort());
    for (const [type, item] of Object.entries<any>(doc.webhooks)) {
      const body = item.post.requestBody.content['application/json'];
      assert.equal(body.example.type, type);
      assert.equal(body.schema.properties.type.const, type);
      assert.deepEqual(
        item.post.parameters.map((p: { name: string }) => p.name),
        ['webhook-id', 'webhook-timestamp', 'webhook-signature'],
      );
      // An account's events carry `user` (the staff API's view), an organisation's `organization`; the operator's test neither.
      const about = type === 'webhook.test' ? null : isOrganizationEvent(type as EventType) ? 'organization' : 'user';
      if (about)
        assert.deepEqual(Object.keys(body.example.data[about]).sort(), Object.keys(body.schema.properties.data.properties[about].properties).sort(), type);
      assert.doesNotMatch(JSON.stringify(body.example.data), /password|hash|secret|token/i);
    }
    assert.deepEqual(doc.paths['/api/admin/webhooks'].post.tags, ['admin (staff API)']);
  });
});
