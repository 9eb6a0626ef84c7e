// Webhooks as an app receives them: signed per the Standard Webhooks
// specification (verified here with the standardwebhooks library), one
// user.created per registration on every path, retried until a 2xx, 410
// disabling the endpoint, both secrets signing after a rotation, and the
// request that caused an event never waiting for its delivery.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../../helpers/process.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { uniqueName } from '../../helpers/users.ts';
import { type Received, type Receiver, startReceiver } from '../../helpers/webhook-receiver.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer({
    env: {
      // The receivers listen on 127.0.0.1, which is refused by default (server-side request forgery): allowed here on purpose.
      WEBHOOK_ALLOW_PRIVATE: 'on',
      // Retries wait 1 s (of the server's clock, which the tests move): each attempt's timestamp then stays within the
      // 5 minutes receivers accept, measured against the real clock. The default schedule is tested in the core.
      WEBHOOK_RETRY_SECONDS: '1,1,1',
    },
  });
});
after(() => server.close());

/** A receiver with an endpoint of its own, subscribed to `events` (none: all). */
async function endpointWith(events: string[] = [], answer?: Receiver['answer']): Promise<{ receiver: Receiver; id: string; secret: string }> {
  const receiver = await startReceiver(answer);
  const { endpoint, secret } = await server.core.webhooks.add({ url: receiver.url, eventTypes: events });
  receiver.secrets.push(secret);
  return { receiver, id: endpoint.id, secret };
}

/** What no webhook body may carry. */
function assertNoSecrets(r: Received): void {
  assert.doesNotMatch(r.body, /password|hash|\$argon2|\$2[aby]\$|token|secret/i, r.body);
}

/** The delivery of an event to an endpoint, as the store has it. */
async function deliveryOf(endpointId: string, eventId: string) {
  return (await server.core.webhooks.deliveries(endpointId)).find((d) => d.eventId === eventId);
}

/** Waits (real time) until a read says what `done` wants. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('webhooks: what a receiver gets', () => {
  test('user.created, signed and verified, for a registration on each of the five register paths (four APIs on both listeners, and the CLI)', async () => {
    const { receiver, id } = await endpointWith(['user.created']);
    try {
      const names = Array.from({ length: 5 }, () => uniqueName('hook'));
      const users = await server.http('POST', '/api/users/register', {
        body: { email: `${names[0]}@example.com`, password: 'password123', first_name: 'Ada' },
      });
      assert.equal(users.status, 200, users.text);
      const auth = await server.http('POST', '/api/auth/register', {
        body: { username: names[1], email: `${names[1]}@example.com`, password: 'password123', nickname: 'hook' },
      });
      assert.equal(auth.status, 201, auth.text);
      const plain = await server.http('POST', '/api/v1/auth/register', {
        body: { username: names[2], email: `${names[2]}@example.com`, password: 'password123', confirm_password: 'password123' },
      });
      assert.equal(plain.status, 201, plain.text);
      const envelope = await server.envelopeHttp('POST', '/api/v1/auth/register', {
        body: { username: names[3], email: `${names[3]}@example.com`, password: 'password123' },
      });
      assert.equal(envelope.status, 201, envelope.text);
      assert.notEqual(server.envelopeUrl, server.url, 'the envelope listener is its own');
      // (Settled first: moving the clock below must not make an attempt still in flight look abandoned.)
      await until(
        () => server.core.webhooks.deliveries(id),
        (ds) => ds.length === 4 && ds.every((d) => d.status === 'delivered'),
        'the first four deliveries',
      );
      // The CLI writes to the same database from another process: the server's loop finds the event there.
      const cli = runCli(['users', 'create', '--email', `${names[4]}@example.com`, '--password', 'password123'], server.env);
      assert.equal(cli.status, 0, cli.stderr);
      // Its event is due at the CLI's (real) time; the server's clock stands where the test left it: move it past.
      server.clock.advance(60_000);

      for (const name of names) {
        const got = await receiver.waitFor((r) => r.event.data.user?.email === `${name}@example.com`);
        assert.equal(got.event.type, 'user.created');
        assert.deepEqual(got.verifiedBy, receiver.secrets, 'the signature verifies with the endpoint secret');
        assert.match(got.id, /^msg_/);
        assert.match(got.event.timestamp, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
        assert.equal(got.headers['content-type'], 'application/json');
        assert.deepEqual(Object.keys(got.event.data.user).sort(), [
          'created_at',
          'email',
          'full_name',
          'id',
          'is_email_verified',
          'is_phone_verified',
          'is_staff',
          'is_superuser',
          'last_login_at',
          'login_count',
          'status',
          'username',
          'uuid',
        ]);
        assertNoSecrets(got);
      }
      assert.equal(receiver.received.length, 5, 'one each, nothing else (the endpoint wants user.created only)');
      await until(
        () => server.core.webhooks.deliveries(id),
        (ds) => ds.length === 5 && ds.every((d) => d.status === 'delivered'),
        'five deliveries, delivered',
      );
    } finally {
      await receiver.close();
    }
  });

  test('a receiver answering 500 twice gets the event a third time, with the same webhook-id and a fresh timestamp and signature each time', async () => {
    const { receiver, id } = await endpointWith(['user.created'], (n) => (n <= 2 ? 500 : 204));
    try {
      const name = uniqueName('retry');
      await server.core.accounts.register({ username: name, email: `${name}@example.com`, password: 'password123' });
      const first = await receiver.waitFor(() => true);
      for (const n of [2, 3]) {
        // The next attempt is due 1 s (±10%) later on the server's clock.
        server.clock.advance(1200);
        await receiver.waitFor(() => receiver.received.length >= n);
      }
      const [a, b, c] = receiver.received;
      assert.deepEqual([a!.id, b!.id, c!.id], [first.id, first.id, first.id], 'one event, one webhook-id');
      assert.ok(a!.timestamp < b!.timestamp && b!.timestamp < c!.timestamp, 'each attempt signed at its own time');
      assert.notEqual(a!.signatures[0], b!.signatures[0]);
      for (const r of [a, b, c]) assert.deepEqual(r!.verifiedBy, receiver.secrets);
      const delivery = await until(
        () => deliveryOf(id, first.id),
        (d) => d?.status === 'delivered',
        'the delivery to be recorded',
      );
      assert.deepEqual([delivery!.attempts, delivery!.lastStatus, delivery!.nextAttemptAt], [3, 204, null]);
    } finally {
      await receiver.close();
    }
  });

  test('after the last wait of the schedule a delivery has failed; one failing event holds back no other', async () => {
    const { receiver, id } = await endpointWith(['user.created'], (_n, r) => (r.event.data.user.username.startsWith('doomed') ? 503 : 204));
    try {
      const doomed = uniqueName('doomed');
      await server.core.accounts.register({ username: doomed, email: `${doomed}@example.com`, password: 'password123' });
      const failing = await receiver.waitFor((r) => r.event.data.user.username === doomed);
      const fine = uniqueName('fine');
      await server.core.accounts.register({ username: fine, email: `${fine}@example.com`, password: 'password123' });
      await receiver.waitFor((r) => r.event.data.user.username === fine);
      for (let n = 2; n <= 4; n++) {
        server.clock.advance(1200);
        await receiver.waitFor(() => receiver.received.filter((r) => r.id === failing.id).length >= n);
      }
      const failed = await until(
        () => deliveryOf(id, failing.id),
        (d) => d?.status === 'failed',
        'the delivery to fail',
      );
      assert.deepEqual([failed!.attempts, failed!.lastStatus, failed!.nextAttemptAt], [4, 503, null], 'the first attempt and three retries');
      server.clock.advance(10_000);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(receiver.received.filter((r) => r.id === failing.id).length, 4, 'no fifth attempt');
      assert.equal((await server.core.webhooks.find(id)).enabled, true, 'one failed delivery does not disable an endpoint');
    } finally {
      await receiver.close();
    }
  });

  test('410 Gone disables the endpoint: nothing more is sent to it', async () => {
    const { receiver, id } = await endpointWith(['user.created'], () => 410);
    try {
      const name = uniqueName('gone');
      await server.core.accounts.register({ username: name, email: `${name}@example.com`, password: 'password123' });
      const got = await receiver.waitFor(() => true);
      const endpoint = await until(
        () => server.core.webhooks.find(id),
        (e) => !e.enabled,
        'the endpoint to be disabled',
      );
      assert.equal(endpoint.disabledReason, 'gone');
      const delivery = await deliveryOf(id, got.id);
      assert.deepEqual([delivery?.status, delivery?.lastStatus, delivery?.attempts], ['failed', 410, 1]);
      const later = uniqueName('gone');
      await server.core.accounts.register({ username: later, email: `${later}@example.com`, password: 'password123' });
      server.clock.advance(5000);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(receiver.received.length, 1);
      assert.deepEqual(await server.core.webhooks.deliveries(id), [delivery], 'no delivery is even queued for a disabled endpoint');
    } finally {
      await receiver.close();
    }
  });

  test('after rotate-secret, deliveries carry a signature by each secret for 24 hours, then by the new one alone', async () => {
    const { receiver, id, secret: old } = await endpointWith(['user.deleted']);
    try {
      const fresh = await server.core.webhooks.rotateSecret(id);
      assert.match(fresh, /^whsec_[A-Za-z0-9+/]{43}=$/);
      assert.notEqual(fresh, old);
      receiver.secrets.push(fresh);
      await server.core.webhooks.test(id);
      const both = await receiver.waitFor(() => true);
      assert.equal(both.signatures.length, 2);
      assert.ok(both.signatures.every((s) => s.startsWith('v1,')));
      assert.deepEqual(both.verifiedBy, [old, fresh], 'a receiver holding either secret verifies it');
      assert.deepEqual(both.event.data, { endpoint_id: id, message: 'a test event sent by an operator' });

      // A day later the old secret no longer signs. (The timestamp is then a day ahead of the real clock, so the
      // signatures are counted rather than verified.) Settled first: a day's jump would make an attempt in flight look abandoned.
      await until(
        () => deliveryOf(id, both.id),
        (d) => d?.status === 'delivered',
        'the first test event to be settled',
      );
      server.clock.advance(24 * 3600_000 + 1000);
      await server.core.webhooks.test(id);
      const one = await receiver.waitFor((r) => r.id !== both.id);
      assert.equal(one.signatures.length, 1);
    } finally {
      await receiver.close();
    }
  });

  test('the request that causes an event never waits for its delivery: registrations answer while the receiver holds every request', async () => {
    const { receiver, id } = await endpointWith(['user.created'], () => 'hang');
    try {
      const names = Array.from({ length: 3 }, () => uniqueName('busy'));
      for (const name of names) {
        const r = await server.http('POST', '/api/v1/auth/register', {
          body: { username: name, email: `${name}@example.com`, password: 'password123', confirm_password: 'password123' },
        });
        assert.equal(r.status, 201, r.text);
      }
      await receiver.waitFor(() => receiver.received.length === 3);
      assert.equal(receiver.received.length, 3, 'the deliveries are in flight, each held by the receiver, the answers long sent');
      receiver.release();
      await until(
        () => server.core.webhooks.deliveries(id),
        (ds) => ds.length === 3 && ds.every((d) => d.status === 'delivered'),
        'the held deliveries to finish',
      );
    } finally {
      await receiver.close();
    }
  });

  test('no redirect is followed: a 3xx is a failed attempt, and the place it points to gets nothing', async () => {
    const elsewhere = await startReceiver();
    const { receiver, id } = await endpointWith(['user.deleted'], () => 307);
    try {
      await server.core.webhooks.test(id);
      const got = await receiver.waitFor(() => true);
      const delivery = await until(
        () => deliveryOf(id, got.id),
        (d) => d?.attempts === 1,
        'the attempt to be recorded',
      );
      assert.deepEqual([delivery!.status, delivery!.lastStatus], ['pending', 307]);
      assert.equal(elsewhere.received.length, 0);
    } finally {
      await receiver.close();
      await elsewhere.close();
    }
  });
});
