// Starts and stops the Redis and PostgreSQL servers the tests use, on free
// loopback ports with their data in a temporary folder. Used by .ci/run
// (`start DIR` prints `export ...` lines, `stop DIR`) and by the test runner's
// global setup when nothing is configured but the binaries are installed.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface ServiceUrls {
  redisUrl: string;
  databaseUrl: string;
}

export const REDIS_ENV = 'GATEHOUSE_TEST_REDIS_URL';
export const DATABASE_ENV = 'GATEHOUSE_TEST_DATABASE_URL';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function which(name: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** The PostgreSQL server binaries (Debian keeps them out of PATH). */
export function postgresBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) if (existsSync(join(root, v, 'bin', 'initdb'))) return join(root, v, 'bin');
  }
  const initdb = which('initdb');
  return initdb ? join(initdb, '..') : null;
}

export function servicesInstalled(): boolean {
  return which('redis-server') !== null && postgresBin() !== null;
}

/** PostgreSQL refuses to run as root: run its tools as the `postgres` user then. */
function asPostgres(command: string, args: string[]): void {
  const root = process.getuid?.() === 0;
  const [cmd, argv] = root ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  execFileSync(cmd, argv, { stdio: ['ignore', 'ignore', 'inherit'] });
}

export async function startServices(dir: string): Promise<ServiceUrls> {
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  const redisPort = await freePort();
  launchRedis(dir, redisPort);

  const bin = postgresBin();
  if (!bin) throw new Error('PostgreSQL server binaries not found (apt-get install postgresql)');
  const pgData = join(dir, 'pg');
  const socketDir = join(dir, 'pgsock');
  mkdirSync(pgData, { recursive: true });
  mkdirSync(socketDir, { recursive: true });
  if (process.getuid?.() === 0) {
    const { uid, gid } = JSON.parse(execFileSync('sh', ['-c', 'printf \'{"uid":%s,"gid":%s}\' "$(id -u postgres)" "$(id -g postgres)"']).toString()) as {
      uid: number;
      gid: number;
    };
    chownSync(pgData, uid, gid);
    chownSync(socketDir, uid, gid);
  }
  const pgPort = await freePort();
  asPostgres(join(bin, 'initdb'), ['-D', pgData, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  launchPostgres(bin, pgData, pgPort, socketDir);
  const urls = { redisUrl: `redis://127.0.0.1:${redisPort}`, databaseUrl: `postgres://postgres@127.0.0.1:${pgPort}/postgres` };
  writeFileSync(join(dir, 'services.json'), JSON.stringify({ ...urls, pgData, bin }));
  return urls;
}

/** Stops or starts again only the PostgreSQL server of a set started by {@link startServices}. */
export function postgresControl(dir: string, action: 'stop' | 'start'): void {
  const { pgData, bin } = JSON.parse(readFileSync(join(dir, 'services.json'), 'utf8')) as { pgData: string; bin: string };
  const port = /:(\d+)\//.exec((JSON.parse(readFileSync(join(dir, 'services.json'), 'utf8')) as ServiceUrls).databaseUrl)![1];
  if (action === 'stop') asPostgres(join(bin, 'pg_ctl'), ['-D', pgData, '-m', 'immediate', 'stop']);
  else launchPostgres(bin, pgData, Number(port), join(dir, 'pgsock'));
}

/** Stops or starts again only the Redis server of a set started by {@link startServices} (same port). */
export function redisControl(dir: string, action: 'stop' | 'start'): void {
  const port = /:(\d+)$/.exec((JSON.parse(readFileSync(join(dir, 'services.json'), 'utf8')) as ServiceUrls).redisUrl)![1]!;
  if (action === 'stop') {
    spawnSync('redis-cli', ['-p', port, 'shutdown', 'nosave']);
    return;
  }
  launchRedis(dir, Number(port));
}

export function stopServices(dir: string): void {
  const file = join(dir, 'services.json');
  if (!existsSync(file)) return;
  const { pgData, bin } = JSON.parse(readFileSync(file, 'utf8')) as { pgData: string; bin: string };
  try {
    asPostgres(join(bin, 'pg_ctl'), ['-D', pgData, '-m', 'immediate', 'stop']);
  } catch {
    // already stopped
  }
  const pidFile = join(dir, 'redis.pid');
  if (existsSync(pidFile)) {
    try {
      process.kill(Number(readFileSync(pidFile, 'utf8').trim()));
    } catch {
      // already stopped
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [command, dir] = process.argv.slice(2);
  if (!dir || (command !== 'start' && command !== 'stop')) {
    console.error('usage: services.ts start|stop DIR');
    process.exit(2);
  }
  if (command === 'start') {
    const urls = await startServices(dir);
    console.log(`export ${REDIS_ENV}=${urls.redisUrl}\nexport ${DATABASE_ENV}=${urls.databaseUrl}`);
  } else {
    stopServices(dir);
  }
}

/** A throwaway Redis on loopback: no persistence, files in `dir`, daemonized. */
function launchRedis(dir: string, port: number): void {
  execFileSync('redis-server', [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--daemonize',
    'yes',
    '--dir',
    dir,
    '--pidfile',
    join(dir, 'redis.pid'),
    '--logfile',
    join(dir, 'redis.log'),
  ]);
}

/** Starts the PostgreSQL cluster in `pgData` on loopback, unsynced (test data only), waiting until it accepts connections. */
function launchPostgres(bin: string, pgData: string, port: number, socketDir: string): void {
  asPostgres(join(bin, 'pg_ctl'), [
    '-D',
    pgData,
    '-l',
    join(pgData, 'server.log'),
    '-w',
    '-o',
    `-p ${port} -k ${socketDir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300`,
    'start',
  ]);
}
