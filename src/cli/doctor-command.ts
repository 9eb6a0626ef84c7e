import { readEnvironment, type Config } from '../config.ts';
import { installationChecks, runChecks } from '../health/installation-checks.ts';
import { describeSettings } from '../settings.ts';
import { openStores, type StoreOptions } from '../store/open-stores.ts';
import { signingAlgorithm, storeOptions } from '../boot.ts';

/** `gatehouse doctor`: checks the installation and says what is wrong in plain words. Exit 1 when anything is. */
export async function doctorCommand(_args: string[], config: Config): Promise<number> {
  // Every setting, from the same table the README's is written from.
  for (const line of describeSettings(readEnvironment())) console.log(`setting  ${line}`);
  const checks = installationChecks(config, {
    database: () => checkDatabase(config, { ...storeOptions(config), redisUrl: null }),
    redis: () => checkDatabase({ ...config, database: { kind: 'memory' } }, storeOptions(config)),
    signingAlgorithm: signingAlgorithm(config),
  });
  const results = await runChecks(checks);
  for (const r of results) console.log(`${r.ok ? 'ok      ' : 'PROBLEM '} ${r.name}: ${r.text}`);
  const problems = results.filter((r) => !r.ok).length;
  console.log(problems === 0 ? 'all checks passed' : `${problems} problem${problems === 1 ? '' : 's'} found`);
  return problems === 0 ? 0 : 1;
}

async function checkDatabase(config: Config, options: StoreOptions): Promise<string> {
  const stores = await openStores(config.database, options);
  try {
    await stores.ping();
  } finally {
    await stores.close();
  }
  if (options.redisUrl) return `reachable at ${options.redisUrl.replace(/\/\/[^@]*@/, '//***@')}`;
  return config.database.kind === 'sqlite'
    ? `SQLite at ${config.database.path}, schema up to date`
    : config.database.kind === 'postgres'
      ? 'PostgreSQL reachable, schema up to date'
      : 'in memory (nothing is kept)';
}
