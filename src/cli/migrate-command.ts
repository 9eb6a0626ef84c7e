import type { Config } from '../config.ts';
import { migrateAtStart, openDatabase } from '../store/open-stores.ts';
import { UsageError } from './usage-error.ts';

/** `gatehouse migrate`: apply pending migrations and list them. */
export async function migrateCommand(args: string[], config: Config): Promise<number> {
  if (args.length > 0) throw new UsageError(`migrate takes no arguments (got "${args.join(' ')}")`);
  if (config.database.kind === 'memory') throw new UsageError('DATABASE_URL is memory: there is nothing to migrate');
  const { db, dialect } = await openDatabase(config.database);
  try {
    // Waits for the database like the server does (a deploy step may run it while PostgreSQL starts).
    const result = await migrateAtStart(db, dialect, config.database, config.startupWaitSeconds * 1000, config.phoneDefaultRegion);
    const applied = result.results ?? [];
    if (applied.length === 0) console.log('database is up to date');
    for (const r of applied) console.log(`${r.status === 'Success' ? 'applied' : r.status}: ${r.migrationName}`);
    return 0;
  } finally {
    await db.destroy();
  }
}
