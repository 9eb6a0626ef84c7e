// Webhooks survive a crash: `gatehouse serve` killed with SIGKILL right after
// a registration is acknowledged, while its receiver is down, delivers the
// registration's user.created once started again — the event was written to
// the outbox with the account, not held in memory. On SQLite, and on
// PostgreSQL + Redis where they are available.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { backendUrls, freshDatabase, freshPrefix } from '../helpers/backends.ts';
import { freePort } from '../helpers/oidc.ts';
import { runCli, startServerProcess } from '../helpers/process.ts';
import { uniqueName } from '../helpers/users.ts';
import { startReceiver } from '../helpers/webhook-receiver.ts';

const backends = backendUrls();
const setups: Array<[string, () => Promise<{ env: Record<string, string>; drop(): Promise<void> }>]> = [
  ['SQLite', async () => ({ env: {}, drop: async () => {} })],
];
if (backends)
  setups.push([
    'PostgreSQL + Redis',
    async () => {
      const database = await freshDatabase(backends.databaseUrl);
      const env = {
        DATABASE_URL: database.url,
        REDIS_URL: backends.redisUrl,
        REDIS_PREFIX: freshPrefix(),
        MFA_ENCRYPTION_KEY: 'webhooks-durable-encryption-key-01234',
      };
      return { env, drop: database.drop };
    },
  ]);

for (const [name, open] of setups) {
  describe(`webhooks after kill -9, ${name}`, () => {
    test('the event of an acknowledged registration arrives after a restart', { timeout: 180_000 }, async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-webhooks-durable-'));
      const backend = await open();
      // The receiver is on 127.0.0.1 (allowed on purpose); retries 1 s apart keep the test short.
      const env = { DATA_DIR: dataDir, LOG_LEVEL: 'warn', WEBHOOK_ALLOW_PRIVATE: 'on', WEBHOOK_RETRY_SECONDS: '1,1,1,1,1,1,1,1,1,1', ...backend.env };
      const port = await freePort();
      try {
        const added = runCli(['webhooks', 'add', `http://127.0.0.1:${port}/hooks`, '--events', 'user.created', '--json'], env);
        assert.equal(added.status, 0, added.stderr);
        const { secret } = JSON.parse(added.stdout);

        // Nothing listens on the receiver's port yet: whatever the server attempts before it dies fails.
        const first = await startServerProcess(env);
        const username = uniqueName('crash');
        const r = await first.http('POST', '/api/v1/auth/register', {
          body: { username, email: `${username}@example.com`, password: 'password123', confirm_password: 'password123' },
        });
        assert.equal(r.status, 201, r.text);
        assert.equal(await first.stop('SIGKILL'), null, 'killed, not stopped');

        const receiver = await startReceiver(() => 204, port);
        receiver.secrets.push(secret);
        const second = await startServerProcess(env);
        try {
          const got = await receiver.waitFor((x) => x.event.data.user?.username === username, 60_000);
          assert.equal(got.event.type, 'user.created');
          assert.deepEqual(got.verifiedBy, [secret]);
        } finally {
          await second.stop();
          await receiver.close();
        }
      } finally {
        await backend.drop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });
}
