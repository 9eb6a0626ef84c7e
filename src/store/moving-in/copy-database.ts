import { sql, type Kysely, type Transaction } from 'kysely';
import type { SecretBox } from '../../core/secret-box.ts';
import { migrateToLatest } from '../migrations/migrate.ts';
import { openDatabase, type DatabaseTarget } from '../open-stores.ts';
import { COPIED, type CopiedTable, type Row } from './copy-plan.ts';

/** The key that opens (source) or seals (target) the secrets kept sealed, and where it came from, for messages. */
export interface CopyKey {
  /** Null when no key was found: the copy stops at the first sealed row. */
  box: SecretBox | null;
  origin: string;
}

/** Rows copied per table, in copy order. */
export type CopyReport = Record<string, number>;

/** A row the copy cannot carry: the copy stops there and the target is left as it was. */
export class CopyStopped extends Error {
  /** unseal: its secret does not open with the source key; key: a key is missing; insert: the target refused the row. */
  readonly kind: 'unseal' | 'key' | 'insert';

  constructor(table: CopiedTable, row: Row, kind: CopyStopped['kind'], reason: string, options?: ErrorOptions) {
    super(`${table.name} row ${table.label(row)}: ${reason}`, options);
    this.name = 'CopyStopped';
    this.kind = kind;
  }
}

// The copy names tables from its plan, not from a query: the loose view lets one loop read and write them all.
type AnyDatabase = Kysely<Record<string, Row>>;

/**
 * Copies one installation's accounts and everything that defines them (second
 * factors, apps, signing keys, audit trail, pending verifications), the
 * catalog and the outbox into another database (e.g. SQLite to PostgreSQL),
 * which must be empty. Ids are kept. Sealed secrets are opened with the
 * source's key and sealed again under the target's. The source is read in one
 * snapshot and the target written in one transaction: a row that cannot be
 * opened or inserted stops the copy with nothing written.
 */
export async function copyDatabase(
  from: Exclude<DatabaseTarget, { kind: 'memory' }>,
  to: Exclude<DatabaseTarget, { kind: 'memory' }>,
  keys: { from: CopyKey; to: CopyKey },
  /** Rows read and inserted at a time (tests make it small to cross batch boundaries). */
  batch = 500,
  /** PHONE_DEFAULT_REGION, for a source or target whose migration fills the matching copy of phone numbers. */
  phoneRegion?: string,
): Promise<CopyReport> {
  const context = phoneRegion ? { phoneRegion } : {};
  const source = await openDatabase(from);
  try {
    const target = await openDatabase(to);
    try {
      await migrateToLatest(source.db as Kysely<unknown>, source.dialect, context);
      await migrateToLatest(target.db as Kysely<unknown>, target.dialect, context);
      // PostgreSQL: one snapshot of the source however long the copy takes (SQLite's read transaction is one already).
      return await (source.db as unknown as AnyDatabase)
        .transaction()
        .setIsolationLevel('repeatable read')
        .setAccessMode('read only')
        .execute(async (reading) =>
          (target.db as unknown as AnyDatabase).transaction().execute(async (writing) => {
            await mustBeEmpty(writing);
            const counts: CopyReport = {};
            for (const table of COPIED) counts[table.name] = await copyTable(reading, writing, table, keys, batch);
            if (target.dialect === 'postgres') {
              // Explicit ids do not move PostgreSQL's sequences: the next row must not take a copied id.
              for (const table of COPIED.filter((t) => t.serial)) {
                await sql`SELECT setval(pg_get_serial_sequence(${table.name}, 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM ${sql.table(table.name)}`.execute(
                  writing,
                );
              }
            }
            return counts;
          }),
        );
    } finally {
      await target.db.destroy();
    }
  } finally {
    await source.db.destroy();
  }
}

/** A copy adds to nothing: ids and keys are kept, so an earlier row would collide or, worse, mix two installations. */
async function mustBeEmpty(target: Transaction<Record<string, Row>>): Promise<void> {
  for (const table of COPIED) {
    const { n } = await target
      .selectFrom(table.name)
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    if (Number(n) > 0) {
      throw new Error(
        `the target is not empty (${table.name}: ${n} ${Number(n) === 1 ? 'row' : 'rows'}): copy into an empty database (one that only ran gatehouse migrate)`,
      );
    }
  }
}

async function copyTable(
  from: Transaction<Record<string, Row>>,
  to: Transaction<Record<string, Row>>,
  table: CopiedTable,
  keys: { from: CopyKey; to: CopyKey },
  batch: number,
) {
  let copied = 0;
  let last: Row | undefined;
  for (;;) {
    let query = from.selectFrom(table.name).selectAll();
    if (last) {
      const after = last;
      // Keyset paging: the next batch starts after the last key read (a row value for a composite key).
      query =
        table.key.length === 1
          ? query.where(table.key[0]!, '>', after[table.key[0]!])
          : query.where((eb) => eb(eb.refTuple(table.key[0]!, table.key[1]!), '>', eb.tuple(after[table.key[0]!], after[table.key[1]!])));
    }
    for (const column of table.key) query = query.orderBy(column);
    const rows = await query.limit(batch).execute();
    if (rows.length === 0) return copied;
    const values = rows.map((row) => (table.sealed ? reseal(table, row, keys) : row));
    await insertBatch(to, table, values);
    copied += rows.length;
    last = rows.at(-1);
  }
}

/** The row with its sealed column opened with the source's key and sealed again with the target's, for the same context. */
function reseal(table: CopiedTable, row: Row, keys: { from: CopyKey; to: CopyKey }): Row {
  const { column, context } = table.sealed!;
  // Nothing sealed (a public client's absent secret): nothing to open.
  if (row[column] == null) return row;
  const stop = (kind: CopyStopped['kind'], reason: string, cause?: unknown) => new CopyStopped(table, row, kind, reason, { cause });
  if (!keys.from.box) throw stop('key', `its secret is sealed and there is no source key to open it (${keys.from.origin})`);
  if (!keys.to.box) throw stop('key', `there is no target key to seal its secret with (${keys.to.origin})`);
  let plaintext: string;
  try {
    plaintext = keys.from.box.open(String(row[column]), context(row));
  } catch (error) {
    throw stop(
      'unseal',
      `its sealed secret does not open with the source key (${keys.from.origin}): not the key the source installation sealed it with`,
      error,
    );
  }
  return { ...row, [column]: keys.to.box.seal(plaintext, context(row)) };
}

/**
 * Inserts a batch; when the database refuses it, the batch is undone (a
 * savepoint) and tried row by row, so the message names the row refused.
 */
async function insertBatch(to: Transaction<Record<string, Row>>, table: CopiedTable, rows: Row[]): Promise<void> {
  await sql`SAVEPOINT copy_batch`.execute(to);
  try {
    await to.insertInto(table.name).values(rows).execute();
    await sql`RELEASE SAVEPOINT copy_batch`.execute(to);
    return;
  } catch {
    await sql`ROLLBACK TO SAVEPOINT copy_batch`.execute(to);
  }
  for (const row of rows) {
    try {
      await to.insertInto(table.name).values(row).execute();
    } catch (error) {
      throw new CopyStopped(table, row, 'insert', `the target refused it: ${oneLine((error as Error).message)}`, { cause: error });
    }
  }
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();
