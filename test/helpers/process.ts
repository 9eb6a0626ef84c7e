import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { client, type Client } from './http.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = fileURLToPath(new URL('../../src/cli/gatehouse.ts', import.meta.url));

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `gatehouse ...args` as a separate process, the way an operator would. */
export function runCli(args: string[], env: Record<string, string>): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** {@link runCli} without blocking this process: for a command that talks to something this test serves (a webhook receiver). */
export function runCliAsync(args: string[], env: Record<string, string>): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

export interface ServerProcess {
  /** The main listener (PORT). */
  url: string;
  http: Client;
  /** The envelope listener (ENVELOPE_PORT), unless it was switched off. */
  envelopeUrl: string | undefined;
  envelopeHttp: Client;
  child: ChildProcess;
  output: () => string;
  /** Waits until the output matches: the log is buffered, a line reaches stdout within a quarter of a second. */
  logged(pattern: RegExp): Promise<string>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `gatehouse serve` in its own process with the production defaults
 * (rate limits on, both listeners) on free ports, and waits until every
 * listener listens. `entry` runs another build of the command (the bundle)
 * instead of the sources.
 */
export async function startServerProcess(env: Record<string, string>, options: { cwd?: string; entry?: string } = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, [options.entry ?? CLI, 'serve'], {
    cwd: options.cwd ?? ROOT,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ENVELOPE_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const expected = env.ENVELOPE_PORT === 'off' ? 1 : 2;
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const urls = await new Promise<string[]>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start:\n${out}`));
      // Generous: a start on a busy 2-core machine (migrations, argon2, the demo images) can take many seconds.
    }, 60_000);
    const check = () => {
      const found = [...out.matchAll(/Gatehouse listening on (http:\/\/127\.0\.0\.1:\d+)/g)].map((m) => m[1]!);
      if (found.length >= expected) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  const [url, envelopeUrl] = urls as [string, string | undefined];
  return {
    url,
    http: client(url),
    envelopeUrl,
    envelopeHttp: client(envelopeUrl ?? url),
    child,
    output: () => out,
    async logged(pattern) {
      while (!pattern.test(out)) {
        if (child.exitCode !== null) throw new Error(`the server exited before logging ${pattern}:\n${out}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return out;
    },
    stop(signal = 'SIGTERM') {
      return new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill(signal);
      });
    },
  };
}
