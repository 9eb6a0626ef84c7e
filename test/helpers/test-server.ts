import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig, type Config } from '../../src/config.ts';
import { ManualClock } from '../../src/core/ports/clock.ts';
import type { Stores } from '../../src/core/ports/stores.ts';
import { buildServer, type Gatehouse } from '../../src/server.ts';
import type { UpstreamFetch } from '../../src/store/upstream/openid-upstream.ts';
import { backendUrls, freshDatabase, freshPrefix } from './backends.ts';
import { client, type Client } from './http.ts';

export interface TestServer extends Gatehouse {
  /** The main listener (PORT): `/api/v1/auth` in V1_AUTH_STYLE (plain unless set). */
  url: string;
  http: Client;
  /** The envelope listener (ENVELOPE_PORT): `/api/v1/auth` in envelope style; the main one when it is off. */
  envelopeUrl: string;
  envelopeHttp: Client;
  clock: ManualClock;
  dataDir: string;
  /** Every log line written while the server ran. */
  logs: string[];
  /** The settings it was started with (its storage included): a `gatehouse` command run with them works on the same data. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  env?: Record<string, string>;
  stores?: Stores;
  /** Start the manual clock here (ms); defaults to the real now so tokens look current. */
  startAt?: number;
  /** The main listener's port (default: any free one); a browser test needs it known before start, in PUBLIC_URL. */
  port?: number;
  /** How `oidc` identity providers are reached: a test's fetch answers as a provider these machines cannot reach (Microsoft). */
  upstreamFetch?: UpstreamFetch;
}

/**
 * With GATEHOUSE_TEST_BACKEND=postgres+redis (set by test/run.ts for its second
 * pass), every test server gets its own PostgreSQL database and Redis prefix.
 */
async function backendEnv(): Promise<{ env: Record<string, string>; drop(): Promise<void> }> {
  if (process.env.GATEHOUSE_TEST_BACKEND !== 'postgres+redis') return { env: {}, drop: async () => {} };
  const urls = backendUrls();
  if (!urls) throw new Error('GATEHOUSE_TEST_BACKEND=postgres+redis but no Redis/PostgreSQL is configured');
  const database = await freshDatabase(urls.databaseUrl);
  return {
    env: {
      DATABASE_URL: database.url,
      REDIS_URL: urls.redisUrl,
      REDIS_PREFIX: freshPrefix(),
      JWT_SECRET: 'test-secret-for-postgres-and-redis-0123456789',
      MFA_ENCRYPTION_KEY: 'test-encryption-key-for-postgres-and-redis-0123',
      DATABASE_POOL_SIZE: '5',
    },
    drop: database.drop,
  };
}

/**
 * Starts a real Gatehouse over a fresh SQLite file in a temporary folder, with a
 * clock the test moves, and the production defaults: rate limits on, and both
 * listeners (main and envelope) on free ports of 127.0.0.1. A test that needs
 * volume from one address raises the limits in `env`, and says why.
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
  const backend = await backendEnv();
  const env = { DATA_DIR: dataDir, LOG_LEVEL: 'info', DEMO_DATA: 'false', ...backend.env, ...options.env };
  const config: Config = loadConfig(env);
  const clock = new ManualClock(options.startAt ?? Date.now());
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const gatehouse = await buildServer({ config, clock, stores: options.stores, logStream, upstreamFetch: options.upstreamFetch });
  const urls: string[] = [];
  for (const [i, listener] of gatehouse.listeners.entries()) {
    await listener.app.listen({ host: '127.0.0.1', port: i === 0 ? (options.port ?? 0) : 0 });
    const address = listener.app.server.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    urls.push(`http://127.0.0.1:${address.port}`);
  }
  const [url, envelopeUrl = url] = urls as [string, string | undefined];
  return {
    ...gatehouse,
    url,
    http: client(url),
    envelopeUrl,
    envelopeHttp: client(envelopeUrl),
    clock,
    dataDir,
    logs,
    env,
    async close() {
      await gatehouse.close();
      await backend.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
