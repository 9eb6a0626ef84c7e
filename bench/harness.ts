// What every bench script shares: the pinned load generator (a warm worker
// process on the core the servers do not use), a plain autocannon command line
// to check it against, and the statistics of interleaved rounds.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AutocannonSummary, CpuWindow, type Figures, figuresOf, type LoadSpec } from './load.ts';
import { SETTLE_FLAGS } from './settle.ts';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Servers on core 0 and the load generator on core 1, where taskset and two cores are there. */
export const pinned = spawnSync('taskset', ['--version']).status === 0 && availableParallelism() >= 2;

/** The command that runs `node ...argv` on the given core (or unpinned). taskset execs node in place, so the child's pid is node's. */
export function onCore(core: '0' | '1', argv: string[]): { command: string; args: string[] } {
  return pinned ? { command: 'taskset', args: ['-c', core, process.execPath, ...argv] } : { command: process.execPath, args: argv };
}

/**
 * The load generator: one `bench/load.ts` worker on core 1 for the whole run,
 * sent each scenario over IPC, so autocannon's own code is warm from the first
 * round on (a process per run would measure its start-up in every 2 s round).
 */
export class LoadGenerator {
  readonly #child: ChildProcess;
  readonly #waiting = new Map<number, { resolve: (f: Figures) => void; reject: (e: Error) => void }>();
  #id = 0;

  constructor() {
    const { command, args } = onCore('1', [join(ROOT, 'bench/load.ts')]);
    this.#child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.#child.on('message', (message: { id: number; figures?: Figures; error?: string }) => {
      const waiting = this.#waiting.get(message.id);
      this.#waiting.delete(message.id);
      if (message.figures) waiting?.resolve(message.figures);
      else waiting?.reject(new Error(`load generator: ${message.error}`));
    });
    this.#child.on('exit', (code) => {
      for (const waiting of this.#waiting.values()) waiting.reject(new Error(`load generator exited (${code})`));
      this.#waiting.clear();
    });
  }

  run(spec: LoadSpec): Promise<Figures> {
    const id = ++this.#id;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#child.send({ id, spec });
    });
  }

  close(): void {
    this.#child.disconnect();
  }
}

/**
 * A plain `autocannon -c C -d D -j URL` command line on the load core, with no
 * option the bench's generator lacks: the reference the generator is checked
 * against. Its CPU (user + system, from the shell's `times`) is over the whole
 * process's life, start-up included, as a % of one core over its wall time.
 */
export async function plainAutocannon(url: string, connections: number, duration: number, serverPid?: number): Promise<Figures> {
  const cli = join(ROOT, 'node_modules/autocannon/autocannon.js');
  const script = '"$@"; times >&2';
  const { command, args } = pinned ? { command: 'taskset', args: ['-c', '1', 'sh', '-c', script, 'sh'] } : { command: 'sh', args: ['-c', script, 'sh'] };
  const window = new CpuWindow(serverPid);
  const child = spawn(command, [...args, process.execPath, cli, '-c', String(connections), '-d', String(duration), '-j', url], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  await new Promise((resolve) => child.on('exit', resolve));
  // `times` prints the shell's own user and system times, then its children's: "0m1.234s 0m0.456s".
  const children = err.trim().split('\n').at(-1)!;
  const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  // Over the command's whole life, its start-up too: the server's share is a little under what it was while loaded.
  return figuresOf(JSON.parse(out) as AutocannonSummary, window, seconds.reduce((a, b) => a + b, 0) * 1000);
}

/** A median and its interquartile range, over `n` values. */
export interface Spread {
  median: number;
  q1: number;
  q3: number;
  n: number;
}

/** The q-quantile of sorted values, interpolated between neighbours (as numpy's default). */
function quantile(sorted: number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low);
}

export function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: quantile(sorted, 0.5), q1: quantile(sorted, 0.25), q3: quantile(sorted, 0.75), n: sorted.length };
}

/**
 * The ratio of two scenarios measured in interleaved rounds: the median of their
 * ratios round by round, and the spread of those ratios. A slow moment of the VM
 * slows both runs of its round alike, where the ratio of two medians may compare
 * a fast round of one with a slow round of the other.
 */
export function pairedRatio(runs: Figures[], baselines: Figures[]): Spread {
  return spread(runs.map((f, i) => f.rps / baselines[i]!.rps));
}

/** `0.93× (IQR 0.88–0.97)`, or `0.93×` from a single pair. */
export const formatRatio = (s: Spread) => `${s.median.toFixed(2)}×${s.n > 1 ? ` (IQR ${s.q1.toFixed(2)}–${s.q3.toFixed(2)})` : ''}`;

export const SECRET = 'bench-secret-bench-secret-bench-secret-0123456789';
export const ENCRYPTION_KEY = 'bench-encryption-key-bench-encryption-key-0123';

/** Settings for a bench server: rate limits off (the load comes from one address) and no access log (its cost has its own row); every other setting is the default. */
export function envFor(dataDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    DATA_DIR: dataDir,
    JWT_SECRET: SECRET,
    MFA_ENCRYPTION_KEY: ENCRYPTION_KEY,
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: '0',
    ENVELOPE_PORT: '0',
    RATE_LIMIT: 'off',
    LOG_REQUESTS: 'off',
    ...extra,
  };
}

/** The same, with LOG_REQUESTS and LOG_LEVEL at their defaults: the server as `npm start` ships it. */
export function shippedEnvFor(dataDir: string): Record<string, string> {
  const { LOG_REQUESTS: _requests, LOG_LEVEL: _level, ...env } = envFor(dataDir);
  return env;
}

/** The Node flags and entry point `npm start` gives the server: the bench measures the server as it is run (the build included). */
export const START = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.start as string).split(/\s+/).slice(1);

export interface Server {
  url: string;
  child: ChildProcess;
  pid: number;
  startMs: number;
}

/**
 * Starts `npm start`'s command (or `command`, Node's arguments) on the server core, opened to the inspector on demand
 * ({@link SETTLE_FLAGS}); with `logFile`, its standard output (the log) goes to that file, as a service's would. Ready
 * when every listener has said so (both, with ENVELOPE_PORT); also says how long that took from spawn.
 */
export async function startServer(env: Record<string, string>, options: { logFile?: string; command?: string[] } = {}): Promise<Server> {
  const { logFile } = options;
  const { command, args: argv } = onCore('0', [...SETTLE_FLAGS, ...(options.command ?? START)]);
  const listeners = env.ENVELOPE_PORT === 'off' ? 1 : 2;
  const spawned = performance.now();
  const fd = logFile ? openSync(logFile, 'w') : undefined;
  const child = spawn(command, argv, { cwd: ROOT, env, stdio: ['ignore', fd ?? 'pipe', 'pipe'] });
  if (fd !== undefined) closeSync(fd);
  let out = '';
  child.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    const found = (text: string) => {
      const lines = [...text.matchAll(/Gatehouse listening on (http:\/\/[\d.]+:\d+)/g)];
      if (lines.length >= listeners) resolve(lines[0]![1]!);
      return lines.length >= listeners;
    };
    if (logFile) {
      const poll = setInterval(() => found(readFileSync(logFile, 'utf8')) && clearInterval(poll), 2);
      child.on('exit', () => clearInterval(poll));
    } else {
      // Read to the end (a pipe that keeps up), but keep only what is needed to find the lines.
      child.stdout!.on('data', (d) => {
        if (out.length < 100_000) out += d;
        found(out);
      });
    }
    child.on('exit', (code) => reject(new Error(`server exited (${code}):\n${out}`)));
  });
  return { url, child, pid: child.pid!, startMs: performance.now() - spawned };
}

/** A baseline server (bench/baselines.ts), pinned like Gatehouse. */
export function startBaseline(kind: 'ping' | 'me' | 'login', dbPath?: string, nodeFlags: string[] = []): Promise<Server> {
  return startScript([...nodeFlags, 'bench/baselines.ts', kind, ...(dbPath ? [dbPath, SECRET] : [])]);
}

/** A bench script that serves (Node's arguments), pinned like Gatehouse; ready when it prints "listening on URL". */
export async function startScript(argv: string[]): Promise<Server> {
  const { command, args } = onCore('0', argv);
  const spawned = performance.now();
  const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr!.pipe(process.stderr);
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`${argv.join(' ')} exited (${code}): ${out}`)));
  });
  return { url, child, pid: child.pid!, startMs: performance.now() - spawned };
}

export async function stopServer(server: Server): Promise<void> {
  if (server.child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    server.child.once('exit', () => resolve());
    server.child.kill('SIGTERM');
  });
}
