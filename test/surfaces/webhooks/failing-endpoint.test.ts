// An endpoint whose every attempt fails for 24 hours is disabled and the
// superusers are mailed (with the URL, without the credentials it may carry);
// `gatehouse webhooks enable` turns it back on and its deliveries resume.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runCli } from '../../helpers/process.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { uniqueName } from '../../helpers/users.ts';
import { startReceiver } from '../../helpers/webhook-receiver.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer({
    env: {
      // The receiver is on 127.0.0.1, refused by default (server-side request forgery): allowed here on purpose.
      WEBHOOK_ALLOW_PRIVATE: 'on',
      // A retry after 1 s, then one a little over a day later (±10%): the second failure falls past the 24 hours.
      WEBHOOK_RETRY_SECONDS: '1,100000,100000',
    },
  });
});
after(() => server.close());

/** The webhook figures of /metrics: attempts by outcome and the outbox depth. */
async function figures(): Promise<Record<string, number>> {
  const text = (await server.http('GET', '/metrics')).text;
  const read = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0);
  return {
    retrying: read(/^gatehouse_webhook_attempts_total\{outcome="retrying"\} (\d+)$/m),
    delivered: read(/^gatehouse_webhook_attempts_total\{outcome="delivered"\} (\d+)$/m),
    depth: read(/^gatehouse_webhook_outbox_depth (\d+)$/m),
  };
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('every attempt failing for 24 hours disables the endpoint and mails the superusers; enabling it again resumes its deliveries', async () => {
  const admin = await server.core.accounts.register({
    username: uniqueName('root'),
    email: 'ops@example.com',
    password: 'admin-password-1',
    isSuperuser: true,
  });
  let healthy = false;
  const receiver = await startReceiver(() => (healthy ? 204 : 503));
  try {
    const url = receiver.url.replace('http://', 'http://hook:pass-in-url@');
    const { endpoint } = await server.core.webhooks.add({ url, eventTypes: ['user.created'] });
    const name = uniqueName('sad');
    await server.core.accounts.register({ username: name, email: `${name}@example.com`, password: 'password123' });
    await receiver.waitFor(() => receiver.received.length === 1);
    server.clock.advance(1200);
    await receiver.waitFor(() => receiver.received.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal((await server.core.webhooks.find(endpoint.id)).enabled, true, 'failing for a second is not failing for a day');

    server.clock.advance(100_000 * 1100);
    await receiver.waitFor(() => receiver.received.length === 3);
    const disabled = await until(
      () => server.core.webhooks.find(endpoint.id),
      (e) => !e.enabled,
      'the endpoint to be disabled',
    );
    assert.equal(disabled.disabledReason, 'failing');
    const mail = await until(
      async () => (await server.stores.outbox.list(20)).find((m) => m.to === admin.email && m.text.includes(endpoint.id)),
      (m) => m !== undefined,
      'the notice to the superuser',
    );
    assert.match(mail!.text, new RegExp(`${endpoint.id} \\(http://127\\.0\\.0\\.1:\\d+/hooks\\) has failed for 24 hours`));
    assert.doesNotMatch(mail!.text, /pass-in-url/, 'the URL without its credentials');
    assert.deepEqual(await figures(), { retrying: 3, delivered: 0, depth: 1 }, 'three failed attempts, one delivery waiting');

    // Enabled again, its waiting delivery is retried at its next time, and delivered.
    healthy = true;
    const enabled = runCli(['webhooks', 'enable', endpoint.id], server.env);
    assert.equal(enabled.status, 0, enabled.stderr);
    assert.equal((await server.core.webhooks.find(endpoint.id)).enabled, true);
    server.clock.advance(100_000 * 1100);
    const [delivery] = await until(
      () => server.core.webhooks.deliveries(endpoint.id),
      (ds) => ds[0]?.status === 'delivered',
      'the delivery to resume',
    );
    assert.equal(delivery!.attempts, 4);
    // (Counted just after the delivery is recorded: read until it is.)
    const after = await until(figures, (f) => f.delivered === 1, 'the delivery to be counted');
    assert.deepEqual(after, { retrying: 3, delivered: 1, depth: 0 });
  } finally {
    await receiver.close();
  }
});

test('a delivery after failures makes the endpoint healthy again: its 24 hours start over at the next failure', async () => {
  let healthy = false;
  const receiver = await startReceiver(() => (healthy ? 204 : 503));
  const find = () => server.core.webhooks.find(endpoint.id);
  const { endpoint } = await server.core.webhooks.add({ url: receiver.url, eventTypes: ['user.created'] });
  try {
    const register = async () => {
      const name = uniqueName('mend');
      await server.core.accounts.register({ username: name, email: `${name}@example.com`, password: 'password123' });
    };
    await register();
    await receiver.waitFor(() => receiver.received.length === 1);
    const failing = await until(find, (e) => e.failingSince !== null, 'the endpoint to be failing');

    healthy = true;
    server.clock.advance(1200);
    await receiver.waitFor(() => receiver.received.length === 2);
    await until(find, (e) => e.failingSince === null, 'the endpoint to be healthy again');

    // A day later one failure is failing since now, not since the first failure: the endpoint stays enabled.
    healthy = false;
    server.clock.advance(25 * 3600_000);
    await register();
    await receiver.waitFor(() => receiver.received.length === 3);
    const later = await until(find, (e) => (e.failingSince ?? 0) > failing.failingSince!, 'the endpoint to be failing again');
    assert.equal(later.enabled, true);
  } finally {
    await receiver.close();
  }
});
