// `gatehouse copy` must carry every table that defines an account: each table
// the migrations create is either copied or listed, with its reason, as left
// behind. A table added by a later migration fails here until it is placed.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import { migrateToLatest } from '../../src/store/migrations/migrate.ts';
import { COPIED, NOT_COPIED } from '../../src/store/moving-in/copy-plan.ts';
import { openDatabase, type DatabaseTarget } from '../../src/store/open-stores.ts';
import { backendUrls, freshDatabase, NO_BACKENDS } from '../helpers/backends.ts';

const backends = backendUrls();

/** The tables (and their columns) a fresh database has after every migration. */
async function migratedTables(target: Exclude<DatabaseTarget, { kind: 'memory' }>): Promise<Map<string, string[]>> {
  const { db, dialect } = await openDatabase(target);
  try {
    await migrateToLatest(db as Kysely<unknown>, dialect);
    const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
    return new Map(tables.map((t) => [t.name, t.columns.map((c) => c.name)]));
  } finally {
    await db.destroy();
  }
}

function checkPlan(tables: Map<string, string[]>): void {
  const copied = COPIED.map((t) => t.name as string);
  const left = Object.keys(NOT_COPIED);
  for (const name of tables.keys()) {
    assert.ok(
      copied.includes(name) || left.includes(name),
      `${name}: neither copied by gatehouse copy nor listed in NOT_COPIED (src/store/moving-in/copy-plan.ts)`,
    );
  }
  for (const name of [...copied, ...left]) assert.ok(tables.has(name), `${name} is in the copy plan but no migration creates it`);
  assert.deepEqual(
    copied.filter((name) => left.includes(name)),
    [],
    'a table is either copied or left behind',
  );
  for (const table of COPIED) {
    const columns = tables.get(table.name)!;
    for (const key of table.key) assert.ok(columns.includes(key), `${table.name}.${key}: the copy reads in this key's order`);
    // A secret sealed with MFA_ENCRYPTION_KEY must be re-sealed under the target's key, or it does not open there.
    const sealed = columns.filter((c) => c.startsWith('sealed_'));
    assert.deepEqual(sealed, table.sealed ? [table.sealed.column] : [], `${table.name}: every sealed column has its re-sealing rule`);
  }
}

describe('the copy plan covers every table the migrations create', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-copy-plan-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('SQLite', async () => {
    checkPlan(await migratedTables({ kind: 'sqlite', path: join(dir, 'plan.db') }));
  });

  test('PostgreSQL', { skip: backends ? false : NO_BACKENDS }, async () => {
    const db = await freshDatabase(backends!.databaseUrl);
    try {
      checkPlan(await migratedTables({ kind: 'postgres', url: db.url }));
    } finally {
      await db.drop();
    }
  });
});
