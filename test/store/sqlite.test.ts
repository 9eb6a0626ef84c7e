import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { openDatabase, openStores } from '../../src/store/open-stores.ts';
import { storageContract } from './storage-contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

storageContract('sqlite', () => openStores({ kind: 'sqlite', path: join(dir, `contract-${++n}.db`) }));

describe('sqlite specifics', () => {
  test("the OpenID provider's lookups by grant, uid and user code use their (partial) indexes", async () => {
    const path = join(dir, 'oidc-indexes.db');
    const stores = await openStores({ kind: 'sqlite', path });
    await stores.close();
    const db = new DatabaseSync(path);
    try {
      const plan = (query: string, ...args: Array<string | number>) =>
        (db.prepare(`EXPLAIN QUERY PLAN ${query}`).all(...args) as Array<{ detail: string }>).map((r) => r.detail).join('; ');
      const live = 'AND (expires_at IS NULL OR expires_at > ?)';
      assert.match(plan(`SELECT payload FROM oidc_payloads WHERE model = ? AND uid = ? ${live}`, 'Session', 'u', 1), /USING INDEX oidc_payloads_uid/);
      assert.match(
        plan(`SELECT payload FROM oidc_payloads WHERE model = ? AND user_code = ? ${live}`, 'DeviceCode', 'c', 1),
        /USING INDEX oidc_payloads_user_code/,
      );
      assert.match(plan('DELETE FROM oidc_payloads WHERE grant_id = ? AND model = ?', 'g', 'AccessToken'), /USING INDEX oidc_payloads_grant/);
    } finally {
      db.close();
    }
  });

  test("Gatehouse's connections have foreign keys on: a dangling reference is refused", async () => {
    const path = join(dir, 'foreign-keys.db');
    const stores = await openStores({ kind: 'sqlite', path });
    const opened = await openDatabase({ kind: 'sqlite', path });
    try {
      const pragma = await sql<{ foreign_keys: number }>`PRAGMA foreign_keys`.execute(opened.db);
      assert.equal(pragma.rows[0]?.foreign_keys, 1);
      const session = {
        id: 'dangling-session',
        userId: 987_654,
        createdAt: 0,
        expiresAt: Date.now() + 60_000,
        accessJti: 'j',
        previousAccessJti: null,
        rotatedAt: 0,
        refreshHash: null,
        rememberMe: false,
        ip: null,
        userAgent: null,
        lastSeenAt: 0,
      };
      await assert.rejects(stores.sessions.create(session), /FOREIGN KEY/);
      assert.equal(await stores.sessions.get('dangling-session'), null);
      await assert.rejects(
        sql`INSERT INTO password_resets (token_hash, user_id, created_at, expires_at, used_at) VALUES ('h', 987654, 0, 1, NULL)`.execute(opened.db),
        /FOREIGN KEY/,
      );
    } finally {
      await opened.db.destroy();
      await stores.close();
    }
  });

  test('the file is in WAL mode, and migrating twice is harmless', async () => {
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
