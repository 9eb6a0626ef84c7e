import { sql, type Kysely } from 'kysely';
import { migrateToLatest } from '../migrations/migrate.ts';
import { openDatabase, type DatabaseTarget } from '../open-stores.ts';
import type { Database } from '../sql/schema.ts';

export interface CopyReport {
  users: number;
  products: number;
  mails: number;
}

/** Tables copied, in foreign-key order. Sessions, failure counters and reset tokens are left behind: users log in again. */
const TABLES = ['users', 'products', 'outbox'] as const;
const BATCH = 500;

/**
 * Copies one installation's accounts, catalog and outbox into another database
 * (e.g. SQLite to PostgreSQL), which must have no users yet. Each table is
 * copied in one transaction on the target; ids are kept.
 */
export async function copyDatabase(
  from: Exclude<DatabaseTarget, { kind: 'memory' }>,
  to: Exclude<DatabaseTarget, { kind: 'memory' }>,
  onProgress?: (table: string, done: number) => void,
): Promise<CopyReport> {
  const source = await openDatabase(from);
  const target = await openDatabase(to);
  try {
    await migrateToLatest(source.db as Kysely<unknown>, source.dialect);
    await migrateToLatest(target.db as Kysely<unknown>, target.dialect);
    const existing = await target.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    if (Number(existing.n) > 0) throw new Error(`the target already has ${existing.n} users: copy into an empty database`);
    const counts: Record<string, number> = {};
    for (const table of TABLES) counts[table] = await copyTable(source.db, target.db, table, onProgress);
    if (target.dialect === 'postgres') {
      // Explicit ids do not advance PostgreSQL's sequences.
      for (const table of ['users', 'outbox']) {
        await sql`SELECT setval(pg_get_serial_sequence(${table}, 'id'), GREATEST((SELECT MAX(id) FROM ${sql.table(table)}), 1))`.execute(target.db);
      }
    }
    return { users: counts.users!, products: counts.products!, mails: counts.outbox! };
  } finally {
    await source.db.destroy();
    await target.db.destroy();
  }
}

async function copyTable(
  from: Kysely<Database>,
  to: Kysely<Database>,
  table: (typeof TABLES)[number],
  onProgress?: (table: string, done: number) => void,
): Promise<number> {
  let copied = 0;
  await to.transaction().execute(async (trx) => {
    for (let lastId = -1; ; ) {
      const rows = await from.selectFrom(table).selectAll().where('id', '>', lastId).orderBy('id').limit(BATCH).execute();
      if (rows.length === 0) break;
      await trx
        .insertInto(table)
        .values(rows as never)
        .execute();
      copied += rows.length;
      lastId = Number((rows.at(-1) as { id: number }).id);
      onProgress?.(table, copied);
    }
  });
  return copied;
}
