// `gatehouse webhooks add|list|remove|rotate-secret|test` as an operator runs
// them: add --json prints {id, secret}; test sends a webhook.test event the
// receiver verifies with the standardwebhooks library; after rotate-secret a
// delivery verifies with either secret; bad input is refused in one line.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli, runCliAsync } from '../helpers/process.ts';
import { type Receiver, startReceiver } from '../helpers/webhook-receiver.ts';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-webhooks-cli-'));
// The receiver listens on 127.0.0.1, refused by default (server-side request forgery): allowed here on purpose.
const env = { DATA_DIR: join(dir, 'data'), WEBHOOK_ALLOW_PRIVATE: 'on' };
let receiver: Receiver;
before(async () => {
  receiver = await startReceiver((n) => (n === 1 ? 204 : n === 2 ? 500 : 204));
});
after(async () => {
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

test('add --json prints {id, secret}; list shows the endpoint without its secret; test is delivered and verifies; rotate-secret; remove', async () => {
  const added = runCli(['webhooks', 'add', receiver.url, '--events', 'user.created, user.deleted', '--description', 'crm', '--json'], env);
  assert.equal(added.status, 0, added.stderr);
  const { id, secret, ...rest } = JSON.parse(added.stdout);
  assert.deepEqual(rest, {});
  assert.match(id, /^ep_/);
  assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
  receiver.secrets.push(secret);

  const listed = runCli(['webhooks', 'list', '--json'], env);
  assert.equal(listed.status, 0, listed.stderr);
  const [one, ...others] = JSON.parse(listed.stdout);
  assert.deepEqual(others, []);
  assert.deepEqual([one.id, one.url, one.events, one.enabled, one.description], [id, receiver.url, ['user.created', 'user.deleted'], true, 'crm']);
  assert.doesNotMatch(listed.stdout, /whsec_/, 'the secret is shown once');
  const plain = runCli(['webhooks', 'list'], env);
  assert.match(plain.stdout, new RegExp(`^${id}\\tenabled\\t`));

  const tested = await runCliAsync(['webhooks', 'test', id], env);
  assert.equal(tested.status, 0, tested.stdout + tested.stderr);
  assert.match(tested.stdout, /^webhook\.test msg_\S+ delivered: 204 in \d+ ms/);
  const got = receiver.received[0]!;
  assert.equal(got.event.type, 'webhook.test');
  assert.deepEqual(got.verifiedBy, [secret], 'verified by the standardwebhooks library with the secret add printed');

  // The receiver answers 500 this time: the command says so and exits 1; the delivery stays pending for a retry.
  const failing = await runCliAsync(['webhooks', 'test', id, '--json'], env);
  assert.equal(failing.status, 1, failing.stdout + failing.stderr);
  assert.deepEqual(
    { ...JSON.parse(failing.stdout), event_id: undefined },
    { event_id: undefined, delivered: false, status: 'pending', response_status: 500, error: null },
  );

  const rotated = runCli(['webhooks', 'rotate-secret', id, '--json'], env);
  assert.equal(rotated.status, 0, rotated.stderr);
  const fresh = JSON.parse(rotated.stdout);
  assert.equal(fresh.id, id);
  assert.match(fresh.secret, /^whsec_/);
  receiver.secrets.push(fresh.secret);
  const after = await runCliAsync(['webhooks', 'test', id], env);
  assert.equal(after.status, 0, after.stdout + after.stderr);
  const last = receiver.received.at(-1)!;
  assert.deepEqual(last.verifiedBy, [secret, fresh.secret], 'for a day both secrets sign');

  const removed = runCli(['webhooks', 'remove', id], env);
  assert.equal(removed.status, 0, removed.stderr);
  assert.deepEqual(JSON.parse(runCli(['webhooks', 'list', '--json'], env).stdout), []);
  const again = runCli(['webhooks', 'remove', id], env);
  assert.deepEqual([again.status, again.stderr.trim()], [1, 'gatehouse: no webhook endpoint has this id']);
  const audit = runCli(['audit', '--json', '--limit', '20'], env);
  const types = JSON.parse(audit.stdout).map((e: { type: string }) => e.type);
  for (const type of ['webhook.added', 'webhook.tested', 'webhook.secret_rotated', 'webhook.removed']) assert.ok(types.includes(type), type);
});

test('refusals: a URL that is not http(s), an unknown event type, a missing argument', () => {
  const ftp = runCli(['webhooks', 'add', 'ftp://example.com/x'], env);
  assert.deepEqual([ftp.status, ftp.stderr.trim()], [1, 'gatehouse: the URL cannot be delivered to: only http:// and https:// URLs']);
  const unknown = runCli(['webhooks', 'add', 'https://example.com/x', '--events', 'user.exploded'], env);
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /^gatehouse: not an event type: user\.exploded \(one of user\.created, /);
  for (const args of [
    ['webhooks'],
    ['webhooks', 'add'],
    ['webhooks', 'test'],
    ['webhooks', 'remove', 'a', 'b'],
    ['webhooks', 'add', 'https://x.example', '--bogus'],
  ]) {
    const r = runCli(args, env);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^gatehouse: /);
  }
  const privateByDefault = runCli(['webhooks', 'add', 'http://10.0.0.8/hook'], { DATA_DIR: env.DATA_DIR });
  assert.equal(privateByDefault.status, 1);
  assert.match(privateByDefault.stderr, /10\.0\.0\.8 is a private or loopback address \(WEBHOOK_ALLOW_PRIVATE=on allows it\)/);
});
