import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, test } from 'node:test';
import { openStores } from '../../src/store/open-stores.ts';
import { storageContract } from './storage-contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

storageContract('sqlite', () => openStores({ kind: 'sqlite', path: join(dir, `contract-${++n}.db`) }));

describe('sqlite specifics', () => {
  test('the file is in WAL mode with foreign keys on, and migrating twice is harmless', async () => {
    const path = join(dir, 'pragmas.db');
    const first = await openStores({ kind: 'sqlite', path });
    await first.close();
    const second = await openStores({ kind: 'sqlite', path });
    await second.close();
    const raw = new DatabaseSync(path);
    assert.equal((raw.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode, 'wal');
    const tables = raw
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all()
      .map((r) => (r as { name: string }).name);
    for (const t of ['users', 'sessions', 'attempt_budgets']) assert.ok(tables.includes(t), t);
    assert.equal((raw.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check, 'ok');
    raw.close();
  });
});
