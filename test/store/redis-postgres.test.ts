// The storage contract on SQLite + Redis and on PostgreSQL + Redis.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe } from 'node:test';
import type { Stores } from '../../src/core/ports/stores.ts';
import { openStores } from '../../src/store/open-stores.ts';
import { backendUrls, freshDatabase, freshPrefix, NO_BACKENDS } from '../helpers/backends.ts';
import { storageContract } from './storage-contract.ts';

const backends = backendUrls();
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-redis-'));
const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of cleanups) await c();
  rmSync(dir, { recursive: true, force: true });
});

if (!backends) {
  describe('storage contract: Redis and PostgreSQL', { skip: NO_BACKENDS }, () => {});
} else {
  let n = 0;
  storageContract(
    'sqlite + redis',
    () => openStores({ kind: 'sqlite', path: join(dir, `c${++n}.db`) }, { redisUrl: backends.redisUrl, redisPrefix: freshPrefix() }),
    { selfExpiring: true },
  );
  storageContract(
    'postgres + redis',
    async (): Promise<Stores> => {
      const database = await freshDatabase(backends.databaseUrl);
      cleanups.push(database.drop);
      return openStores({ kind: 'postgres', url: database.url }, { redisUrl: backends.redisUrl, redisPrefix: freshPrefix(), poolSize: 5 });
    },
    { selfExpiring: true },
  );
  storageContract('postgres', async (): Promise<Stores> => {
    const database = await freshDatabase(backends.databaseUrl);
    cleanups.push(database.drop);
    return openStores({ kind: 'postgres', url: database.url }, { poolSize: 5 });
  });
}
