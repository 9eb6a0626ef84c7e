// Two Gatehouse instances on one PostgreSQL database deliver each of 1,000
// events exactly once when nothing fails: each attempt is claimed in the
// database by one instance, and both take part. The events wait in the outbox
// (imported while no instance runs) so that both start claiming at once.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { backendUrls, freshDatabase, NO_BACKENDS } from '../helpers/backends.ts';
import { freshPrefix } from '../helpers/backends.ts';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/process.ts';
import { type Receiver, startReceiver } from '../helpers/webhook-receiver.ts';

const EVENTS = 1000;
const backends = backendUrls();

describe('two instances on PostgreSQL', { skip: backends ? false : NO_BACKENDS }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-webhooks-cluster-'));
  let drop: () => Promise<void> = async () => {};
  let receiver: Receiver;
  let env: Record<string, string>;
  const instances: ServerProcess[] = [];

  before(async () => {
    const database = await freshDatabase(backends!.databaseUrl);
    drop = database.drop;
    // The receiver is on 127.0.0.1 (allowed on purpose).
    env = {
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      DATABASE_URL: database.url,
      REDIS_URL: backends!.redisUrl,
      REDIS_PREFIX: freshPrefix(),
      MFA_ENCRYPTION_KEY: 'webhooks-cluster-encryption-key-0123456',
      WEBHOOK_ALLOW_PRIVATE: 'on',
    };
    receiver = await startReceiver();
    // A first start brings the schema up to date and makes the signing keys; the instances start together below.
    await (await startServerProcess(env)).stop();
  });
  after(async () => {
    await Promise.all(instances.map((i) => i.stop()));
    await receiver?.close();
    await drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test(`${EVENTS} events, each delivered once, signed, by both instances together`, { timeout: 300_000 }, async () => {
    const added = runCli(['webhooks', 'add', receiver.url, '--events', 'user.created', '--json'], env);
    assert.equal(added.status, 0, added.stderr);
    receiver.secrets.push(JSON.parse(added.stdout).secret);

    // 1,000 accounts imported at once (bcrypt hashes kept as they are): one user.created each, written in the import's transactions.
    const hash = '$2b$10$CwTycUXWue0Thq9StjUM0uJ8.nMWNF1k9ynUkNnYGxRy7L0XbqrvW';
    const lines = Array.from({ length: EVENTS }, (_, i) =>
      JSON.stringify({ email: `cluster-${i}@example.com`, password_hash: hash, username: `cluster_${i}` }),
    );
    const file = join(dataDir, 'users.jsonl');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const imported = runCli(['import', 'users', file], env);
    assert.equal(imported.status, 0, imported.stdout + imported.stderr);
    // A backlog of 1,000 due deliveries when both instances start at once: they claim side by side, at the same moments.
    instances.push(...(await Promise.all([startServerProcess(env), startServerProcess(env)])));

    const until = Date.now() + 240_000;
    while (new Set(receiver.received.map((r) => r.id)).size < EVENTS && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100));
    // A moment more: a second delivery of any event would arrive now.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const ids = receiver.received.map((r) => r.id);
    assert.equal(new Set(ids).size, EVENTS, 'every event delivered');
    assert.equal(ids.length, EVENTS, 'none twice');
    assert.ok(
      receiver.received.every((r) => r.verifiedBy.length === 1),
      'every delivery verifies',
    );
    assert.deepEqual(new Set(receiver.received.map((r) => r.event.data.user.email)).size, EVENTS);

    // Each instance counts the attempts it made: both made some, and together exactly one per event.
    const counts = await Promise.all(
      instances.map(async (i) => {
        const text = (await i.http('GET', '/metrics')).text;
        return Number(/^gatehouse_webhook_attempts_total\{outcome="delivered"\} (\d+)$/m.exec(text)?.[1] ?? 0);
      }),
    );
    assert.equal(
      counts.reduce((a, b) => a + b, 0),
      EVENTS,
      `attempts per instance: ${counts.join(', ')}`,
    );
    assert.ok(
      counts.every((c) => c > 0),
      `both instances deliver: ${counts.join(', ')}`,
    );
  });
});
