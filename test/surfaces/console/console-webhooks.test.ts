// The console's webhooks, as a superuser uses them: the endpoints, one
// endpoint's recent deliveries (status, attempts, next try, the last answer's
// code and time) and a replay that the receiver gets with the same
// webhook-id; staff who are not superusers see no endpoint.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { User } from '../../../src/core/ports/user-store.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { type Receiver, startReceiver } from '../../helpers/webhook-receiver.ts';
import { ConsoleClient, makeAccount } from './console-client.ts';

let server: TestServer;
let superuser: User;
let staff: User;
let receiver: Receiver;
before(async () => {
  // CONSOLE_MFA off: these tests are about the pages, signed in with a password (the second factor has its own tests).
  // The receiver is on 127.0.0.1, refused by default (server-side request forgery): allowed here on purpose.
  server = await startTestServer({ env: { CONSOLE_MFA: 'off', WEBHOOK_ALLOW_PRIVATE: 'on' } });
  superuser = await makeAccount(server, 'superuser');
  staff = await makeAccount(server, 'staff');
  // The first answer is a 500: the list shows a delivery waiting for its next try.
  receiver = await startReceiver((n) => (n === 1 ? 500 : 204));
});
after(async () => {
  await receiver.close();
  await server.close();
});

const signedIn = async (who: User) => {
  const c = new ConsoleClient(server.url);
  await c.signIn(who.email!);
  return c;
};

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('console: webhooks', () => {
  test('a superuser sees the endpoints, the deliveries of one with their attempts and answers, and replays one', async () => {
    const { endpoint, secret } = await server.core.webhooks.add({ url: receiver.url, eventTypes: ['user.created'] });
    receiver.secrets.push(secret);
    const c = await signedIn(superuser);
    const list = await c.get('/admin/webhooks');
    assert.equal(list.status, 200);
    assert.match(list.text, new RegExp(`href="/admin/webhooks/${endpoint.id}\\?lang=en"`));
    assert.match(list.text, /user\.created/);
    assert.doesNotMatch(list.text, /whsec_/);

    const customer = await makeAccount(server, 'user');
    const first = await receiver.waitFor((r) => r.event.data.user?.email === customer.email);
    await until(
      () => server.core.webhooks.deliveries(endpoint.id),
      (ds) => ds[0]?.attempts === 1,
      'the first attempt to be recorded',
    );
    const page = await c.get(`/admin/webhooks/${endpoint.id}`);
    assert.equal(page.status, 200);
    assert.match(page.text, new RegExp(`user\\.created<br><code>${first.id}</code>`));
    assert.match(page.text, /<span class="tag ok">pending<\/span><\/td><td>1<\/td><td>\d{4}-\d\d-\d\d \d\d:\d\d UTC<\/td><td>500 · \d+ ms<\/td>/);

    const [delivery] = await server.core.webhooks.deliveries(endpoint.id);
    const replay = await c.post(`/admin/webhooks/${endpoint.id}/replay/${delivery!.id}?lang=en`);
    assert.equal(replay.status, 303, replay.text);
    const again = await receiver.waitFor((r) => r !== first && r.id === first.id);
    assert.deepEqual(again.verifiedBy, [secret], 'sent again now, same webhook-id, signed afresh');
    await until(
      () => server.core.webhooks.deliveries(endpoint.id),
      (ds) => ds[0]?.status === 'delivered',
      'the replay to be recorded',
    );
    const done = await c.get(replay.location!);
    assert.match(done.text, /The delivery is queued again/);
    assert.match(done.text, /<span class="tag ok">delivered<\/span><\/td><td>2<\/td><td>—<\/td><td>204 · \d+ ms<\/td>/);
    assert.equal((await server.core.audit.list(20)).find((e) => e.type === 'webhook.replayed')?.actorId, superuser.id);
    assert.equal((await c.post(`/admin/webhooks/${endpoint.id}/replay/999999?lang=en`)).status, 404);
  });

  test('a superuser adds an endpoint from the form (its secret shown once), sends a test event, rotates the secret, disables, enables and removes it', async () => {
    const hooks = await startReceiver(() => 204);
    try {
      const c = await signedIn(superuser);
      const form = await c.get('/admin/webhooks');
      assert.match(form.text, /<input id="event-\d+" name="events" type="checkbox" value="user\.deleted">/);
      assert.doesNotMatch(form.text, /value="webhook\.test"/, 'the test event is sent to one endpoint, never subscribed to');

      const bad = await c.post('/admin/webhooks?lang=en', { url: 'ftp://hooks.example/in' });
      assert.equal(bad.status, 400);
      assert.match(bad.text, /cannot be delivered to/);
      const unknown = await c.post('/admin/webhooks?lang=en', { url: hooks.url, events: 'user.teleported' });
      assert.equal(unknown.status, 400);
      assert.match(unknown.text, /not an event type: user\.teleported/);
      const before = (await server.core.webhooks.list()).length;

      const body = new URLSearchParams({ url: hooks.url, description: 'CRM sync' });
      body.append('events', 'user.created');
      body.append('events', 'user.deleted');
      const added = await c.post('/admin/webhooks?lang=en', body);
      assert.equal(added.status, 201, added.text);
      const secret = /<code id="webhook-secret">(whsec_[A-Za-z0-9+/=]+)<\/code>/.exec(added.text)?.[1];
      assert.ok(secret, 'the secret is on the answer');
      const endpoints = await server.core.webhooks.list();
      assert.equal(endpoints.length, before + 1);
      const endpoint = endpoints.find((e) => e.url === hooks.url)!;
      assert.deepEqual([...endpoint.eventTypes].sort(), ['user.created', 'user.deleted']);
      assert.equal(endpoint.description, 'CRM sync');
      const page = await c.get(`/admin/webhooks/${endpoint.id}`);
      assert.doesNotMatch(page.text, /whsec_/, 'shown once: not on the page afterwards');

      hooks.secrets.push(secret);
      const tested = await c.post(`/admin/webhooks/${endpoint.id}/test?lang=en`);
      assert.equal(tested.status, 303, tested.text);
      assert.match((await c.get(tested.location!)).text, /A webhook\.test event is queued/);
      const test1 = await hooks.waitFor((r) => r.event.type === 'webhook.test');
      assert.deepEqual(test1.verifiedBy, [secret], 'signed with the secret the form showed');

      const rotated = await c.post(`/admin/webhooks/${endpoint.id}/rotate-secret?lang=en`);
      assert.equal(rotated.status, 200);
      const next = /<code id="webhook-secret">(whsec_[A-Za-z0-9+/=]+)<\/code>/.exec(rotated.text)?.[1];
      assert.ok(next && next !== secret);
      assert.match(rotated.text, /The old secret keeps signing beside this one for 24 hours/);
      hooks.secrets.push(next);
      await c.post(`/admin/webhooks/${endpoint.id}/test?lang=en`);
      const test2 = await hooks.waitFor((r) => r.event.type === 'webhook.test' && r !== test1);
      assert.deepEqual([...test2.verifiedBy].sort(), [secret, next].sort(), 'both secrets sign for 24 hours');

      assert.equal((await c.post(`/admin/webhooks/${endpoint.id}/disable?lang=en`)).status, 303);
      assert.equal((await server.core.webhooks.find(endpoint.id)).enabled, false);
      assert.equal((await c.post(`/admin/webhooks/${endpoint.id}/enable?lang=en`)).status, 303);
      assert.equal((await server.core.webhooks.find(endpoint.id)).enabled, true);

      const wrong = await c.post(`/admin/webhooks/${endpoint.id}/remove?lang=en`, { confirm: 'not-its-id' });
      assert.equal(wrong.status, 400);
      assert.equal((await server.core.webhooks.list()).length, before + 1, 'nothing removed without the typed id');
      const removed = await c.post(`/admin/webhooks/${endpoint.id}/remove?lang=en`, { confirm: endpoint.id });
      assert.equal(removed.status, 303);
      assert.match((await c.get(removed.location!)).text, /The endpoint is removed/);
      assert.equal((await server.core.webhooks.list()).length, before);

      const trail = (await server.core.audit.list(50)).filter((e) => e.type.startsWith('webhook.') && e.detail?.includes(endpoint.id));
      assert.deepEqual(
        trail.map((e) => e.type).sort(),
        ['webhook.added', 'webhook.disabled', 'webhook.enabled', 'webhook.removed', 'webhook.secret_rotated', 'webhook.tested', 'webhook.tested'].sort(),
      );
      assert.ok(
        trail.every((e) => e.actorId === superuser.id),
        'each change audited with the superuser as its actor',
      );
    } finally {
      await hooks.close();
    }
  });

  test('staff who are not superusers see no endpoint and cannot open or replay one', async () => {
    const [endpoint] = await server.core.webhooks.list();
    const c = await signedIn(staff);
    const list = await c.get('/admin/webhooks');
    assert.equal(list.status, 200);
    assert.match(list.text, /Only superusers see and manage webhook endpoints/);
    assert.doesNotMatch(list.text, new RegExp(endpoint!.id));
    assert.equal((await c.get(`/admin/webhooks/${endpoint!.id}`)).status, 403);
    const [delivery] = await server.core.webhooks.deliveries(endpoint!.id);
    assert.equal((await c.post(`/admin/webhooks/${endpoint!.id}/replay/${delivery!.id}?lang=en`)).status, 403);
    assert.doesNotMatch(list.text, /name="events"/, 'no form to add one');
    const count = (await server.core.webhooks.list()).length;
    assert.equal((await c.post('/admin/webhooks?lang=en', { url: receiver.url })).status, 403);
    for (const action of ['test', 'rotate-secret', 'disable', 'remove'])
      assert.equal((await c.post(`/admin/webhooks/${endpoint!.id}/${action}?lang=en`, { confirm: endpoint!.id })).status, 403, action);
    assert.equal((await server.core.webhooks.list()).length, count);
    assert.equal((await server.core.webhooks.find(endpoint!.id)).enabled, true);
  });
});
