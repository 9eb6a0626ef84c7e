// WEBHOOK_CONCURRENCY: the attempts one instance has in flight at once. A
// receiver that holds every request gets that many, and the next only when
// one of them is answered.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { uniqueName } from '../../helpers/users.ts';
import { type Receiver, startReceiver } from '../../helpers/webhook-receiver.ts';

let server: TestServer;
let receiver: Receiver;
before(async () => {
  // The receiver is on 127.0.0.1, refused by default (server-side request forgery): allowed here on purpose.
  server = await startTestServer({ env: { WEBHOOK_ALLOW_PRIVATE: 'on', WEBHOOK_CONCURRENCY: '10' } });
  receiver = await startReceiver(() => 'hang');
  const { secret } = await server.core.webhooks.add({ url: receiver.url, eventTypes: ['user.created'] });
  receiver.secrets.push(secret);
});
after(async () => {
  await receiver.close();
  await server.close();
});

// 10 is more than 8 on purpose: the sender's sockets per receiver follow the setting (an attempt waiting for a socket
// would time out unsent).
describe('WEBHOOK_CONCURRENCY', () => {
  test('with 10, a receiver holding every request has 10 of 12 events at once; the answers let the rest through', async () => {
    for (let i = 0; i < 12; i++) {
      const name = uniqueName('slot');
      await server.core.accounts.register({ username: name, email: `${name}@example.com`, password: 'password123' });
    }
    await receiver.waitFor(() => receiver.received.length === 10);
    // The loop looks for due deliveries every second (and at once when an event is written): three looks.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    assert.equal(receiver.received.length, 10, 'ten in flight, two waiting');
    receiver.release();
    await receiver.waitFor(() => receiver.received.length === 12);
    assert.equal(new Set(receiver.received.map((r) => r.id)).size, 12, 'twelve events, each once');
  });
});
