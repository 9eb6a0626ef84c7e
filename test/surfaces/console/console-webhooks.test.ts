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
  });
});
