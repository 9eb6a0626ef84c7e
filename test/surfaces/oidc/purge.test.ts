// What the provider stores is purged once expired: the surface's ten-minute
// timer deletes expired entries on SQL (Redis expires its own), so a burst of
// refreshed access tokens does not stay past its hour.
import assert from 'node:assert/strict';
import { after, before, mock, test } from 'node:test';
import { loadConfig } from '../../../src/config.ts';
import { oidc } from '../../../src/surfaces/oidc/index.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server?.close());

test('the ten-minute timer purges expired entries and keeps the live ones', async () => {
  const store = server.stores.oidcPayloads;
  const now = server.clock.now();
  await store.upsert('AccessToken', 'expired', { payload: { kind: 'AccessToken' }, expiresAt: now + 1000, grantId: 'g1' });
  await store.upsert('AccessToken', 'live', { payload: { kind: 'AccessToken' }, expiresAt: now + 3_600_000, grantId: 'g1' });
  server.clock.advance(2000);
  mock.timers.enable({ apis: ['setInterval'] });
  let stop: (() => Promise<void>) | undefined;
  try {
    stop = await oidc.start?.(server.core, loadConfig({ DATA_DIR: server.dataDir }), server.log);
    mock.timers.tick(600_000);
  } finally {
    mock.timers.reset();
  }
  // The purge runs in the background: wait for it (a few event-loop turns).
  for (let i = 0; i < 50 && (await store.find('AccessToken', 'expired', now)); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(await store.find('AccessToken', 'expired', now), null, 'the expired entry is gone, even to a reader whose clock says it lives');
  assert.ok(await store.find('AccessToken', 'live', server.clock.now()));
  await stop?.();
});
