// Migration 0012 on existing accounts: the matching copy of each phone number is filled under
// PHONE_DEFAULT_REGION, what does not parse is reported, and a number several accounts had
// verified stays verified on the oldest only (reported), so the unique index can be made.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../../src/store/migrations/dialect.ts';
import * as m0012 from '../../src/store/migrations/0012-one-time-codes-and-phones.ts';
import { migrateToLatest } from '../../src/store/migrations/migrate.ts';
import { openDatabase } from '../../src/store/open-stores.ts';
import { backendUrls, freshDatabase, NO_BACKENDS } from '../helpers/backends.ts';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-0012-'));
const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of cleanups) await c();
  rmSync(dir, { recursive: true, force: true });
});

async function fillAndReport(db: Kysely<unknown>, dialect: Dialect, region: string) {
  await migrateToLatest(db, dialect);
  // Back to the accounts as 0011 left them, then the accounts an installation has.
  await m0012.down(db);
  const rows: Array<[number, string | null, number]> = [
    [1, '13800138000', 1],
    [2, '+86 138 0013 8000', 1],
    [3, '+8613800138000', 0],
    [4, 'call me maybe', 0],
    [5, '12345', 1],
    [6, null, 0],
    [7, '', 0],
    [8, '(415) 555-2671', 0],
    [9, '+1 415 555 2671', 1],
  ];
  for (const [id, phone, verified] of rows)
    await sql`INSERT INTO users (id, uuid, email, username, username_key, password_hash, phone, is_phone_verified, created_at, updated_at)
      VALUES (${id}, ${`00000000-0000-4000-8000-00000000000${id}`}, ${`u${id}@example.com`}, ${`u${id}`}, ${`u${id}`}, 'x', ${phone}, ${verified}, 0, 0)`.execute(
      db,
    );
  const lines: string[] = [];
  await m0012.up(db, dialect, { phoneRegion: region, report: (line) => lines.push(line) });
  const { rows: after } = await sql<{
    id: number;
    phone_normalized: string | null;
    is_phone_verified: number;
  }>`SELECT id, phone_normalized, is_phone_verified FROM users ORDER BY id`.execute(db);
  return { lines, users: after.map((u) => [Number(u.id), u.phone_normalized, Number(u.is_phone_verified)]) };
}

function check({ lines, users }: Awaited<ReturnType<typeof fillAndReport>>) {
  assert.deepEqual(users, [
    [1, '+8613800138000', 1],
    [2, '+8613800138000', 0],
    [3, '+8613800138000', 0],
    [4, null, 0],
    [5, null, 1],
    [6, null, 0],
    [7, null, 0],
    [8, '+864155552671', 0],
    [9, '+14155552671', 1],
  ]);
  assert.equal(lines.length, 2, lines.join('\n'));
  assert.match(lines[0]!, /^2 phone numbers could not be read as a number of CN .*\(account ids 4, 5\)/);
  assert.match(lines[1]!, /^1 account had verified a number an older account had verified too \(account ids 2\): set back to unverified/);
}

describe('migration 0012 fills the normalised phone numbers', () => {
  test('on SQLite', async () => {
    const { db, dialect } = await openDatabase({ kind: 'sqlite', path: join(dir, 'fill.db') });
    try {
      check(await fillAndReport(db as Kysely<unknown>, dialect, 'CN'));
      // The unique index on verified numbers is in place.
      await assert.rejects(sql`UPDATE users SET is_phone_verified = 1 WHERE id = 3`.execute(db), /UNIQUE/);
    } finally {
      await db.destroy();
    }
  });

  test('under another PHONE_DEFAULT_REGION, a number without + is read as one of it', async () => {
    const { db, dialect } = await openDatabase({ kind: 'sqlite', path: join(dir, 'us.db') });
    try {
      const { users } = await fillAndReport(db as Kysely<unknown>, dialect, 'US');
      assert.deepEqual(users[7], [8, '+14155552671', 0], 'a number without + is one of the region');
      assert.deepEqual(users[0], [1, null, 1], 'a Chinese mobile number is no US number');
      assert.deepEqual(users[8], [9, '+14155552671', 1], 'with +, the region does not matter');
    } finally {
      await db.destroy();
    }
  });

  const backends = backendUrls();
  test('on PostgreSQL', { skip: backends ? false : NO_BACKENDS }, async () => {
    const database = await freshDatabase(backends!.databaseUrl);
    cleanups.push(database.drop);
    const { db, dialect } = await openDatabase({ kind: 'postgres', url: database.url }, { poolSize: 2 });
    try {
      check(await fillAndReport(db as Kysely<unknown>, dialect, 'CN'));
      await assert.rejects(sql`UPDATE users SET is_phone_verified = 1 WHERE id = 3`.execute(db), /users_verified_phone/);
    } finally {
      await db.destroy();
    }
  });
});
