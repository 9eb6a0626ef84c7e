import type { Kysely } from 'kysely';
import type { Config } from '../config.ts';
import { migrateToLatest } from '../store/migrations/migrate.ts';
import { openDatabase } from '../store/open-stores.ts';
import { UsageError } from './usage-error.ts';

/** `gatehouse migrate`: apply pending migrations and list them. */
export async function migrateCommand(args: string[], config: Config): Promise<number> {
  if (args.length > 0) throw new UsageError(`migrate takes no arguments (got "${args.join(' ')}")`);
  if (config.database.kind === 'memory') throw new UsageError('DATABASE_URL is memory: there is nothing to migrate');
  const { db, dialect } = await openDatabase(config.database);
  try {
    const result = await migrateToLatest(db as Kysely<unknown>, dialect);
    const applied = result.results ?? [];
    if (applied.length === 0) console.log('database is up to date');
    for (const r of applied) console.log(`${r.status === 'Success' ? 'applied' : r.status}: ${r.migrationName}`);
    return 0;
  } finally {
    await db.destroy();
  }
}
