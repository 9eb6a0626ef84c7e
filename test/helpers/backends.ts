import pg from 'pg';
import { DATABASE_ENV, REDIS_ENV } from '../support/services.ts';

export interface BackendUrls {
  redisUrl: string;
  databaseUrl: string;
}

/**
 * The Redis and PostgreSQL servers for this run (see test/support). Without
 * them, tests that need them are skipped, except under CI, where their absence
 * is a failure.
 */
export function backendUrls(): BackendUrls | null {
  const redisUrl = process.env[REDIS_ENV];
  const databaseUrl = process.env[DATABASE_ENV];
  if (redisUrl && databaseUrl) return { redisUrl, databaseUrl };
  if (process.env.CI) throw new Error(`CI is set but ${REDIS_ENV}/${DATABASE_ENV} are not: Redis and PostgreSQL must be running`);
  return null;
}

/** Why a test is skipped when the servers are not there. */
export const NO_BACKENDS = 'Redis/PostgreSQL not available (install redis-server and postgresql, or run .ci/run)';

let n = 0;

/** A new, empty PostgreSQL database on the test server; `drop` removes it. */
export async function freshDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `gh_${process.pid}_${Date.now().toString(36)}_${++n}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** A Redis key prefix no other test uses. */
export function freshPrefix(): string {
  return `ghtest:${process.pid}:${Date.now().toString(36)}:${++n}:`;
}
