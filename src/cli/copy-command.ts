import { parseArgs } from 'node:util';
import { ConfigError, parseDatabaseUrl, type Config } from '../config.ts';
import { copyDatabase } from '../store/moving-in/copy-database.ts';
import { UsageError } from './usage-error.ts';

/** `gatehouse copy --from sqlite:PATH --to postgres://...`: move an installation to another database. */
export async function copyCommand(args: string[], config: Config): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args, options: { from: { type: 'string' }, to: { type: 'string' } }, strict: true }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (!values.from || !values.to) throw new UsageError('copy needs --from and --to (sqlite:PATH or postgres://...)');
  const target = (raw: string, name: string) => {
    try {
      const t = parseDatabaseUrl(raw, config.dataDir);
      if (t.kind === 'memory') throw new UsageError(`--${name} cannot be memory:`);
      return t;
    } catch (error) {
      if (error instanceof ConfigError) throw new UsageError(`--${name}: ${error.message.replace(/^DATABASE_URL:?\s*/, '')}`);
      throw error;
    }
  };
  let report;
  try {
    report = await copyDatabase(target(values.from, 'from'), target(values.to, 'to'));
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`copy failed: ${(error as Error).message}`);
  }
  console.log(`copied ${report.users} users, ${report.products} products, ${report.mails} mails (sessions are not copied: users log in again)`);
  return 0;
}
