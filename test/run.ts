// `npm test` after the type check: every test file on SQLite, then the HTTP
// suites of every surface again on PostgreSQL + Redis, then the timing
// measurements alone (other test files running beside them would be noise). Redis and PostgreSQL
// come from GATEHOUSE_TEST_REDIS_URL / GATEHOUSE_TEST_DATABASE_URL (.ci/run
// exports them); otherwise they are started here when installed, and stopped
// at the end. Without them (and without CI) the PostgreSQL + Redis runs are
// skipped with a notice; under CI their absence fails the run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATABASE_ENV, REDIS_ENV, servicesInstalled, startServices, stopServices } from './support/services.ts';

const env: NodeJS.ProcessEnv = { ...process.env };
let dir: string | undefined;
if (!(env[REDIS_ENV] && env[DATABASE_ENV]) && servicesInstalled()) {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-services-'));
  const urls = await startServices(dir);
  env[REDIS_ENV] = urls.redisUrl;
  env[DATABASE_ENV] = urls.databaseUrl;
}
const cleanup = () => {
  if (!dir) return;
  stopServices(dir);
  rmSync(dir, { recursive: true, force: true });
  dir = undefined;
};
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

const run = (files: string, extra: NodeJS.ProcessEnv = {}, concurrency = 2) =>
  spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, files], { stdio: 'inherit', env: { ...env, ...extra } }).status ?? 1;

let status = run('test/**/*.test.ts');
if (env[REDIS_ENV] && env[DATABASE_ENV]) {
  console.log('\n# The HTTP suites of every surface again, on PostgreSQL + Redis\n');
  status = run('test/surfaces/**/*.test.ts', { GATEHOUSE_TEST_BACKEND: 'postgres+redis' }) || status;
} else if (env.CI) {
  console.error('CI is set but Redis/PostgreSQL are not available');
  status = 1;
} else {
  console.log('\n# skipped: the surface suites on PostgreSQL + Redis (install redis-server and postgresql to run them)\n');
}
console.log('\n# Timing: response times must not reveal which accounts exist (run alone)\n');
status = run('test/timing/*.timing.ts', {}, 1) || status;
cleanup();
process.exit(status);
