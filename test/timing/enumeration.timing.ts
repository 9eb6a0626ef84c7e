// Response time must not tell which accounts exist. The server runs in its own
// process, as in production: work it does after answering must not be counted
// against the client. test/run.ts runs this file alone, after the others.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startServerProcess, type ServerProcess } from '../helpers/process.ts';
import { registerV1, uniqueName } from '../helpers/users.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-timing-'));
let server: ServerProcess;
before(async () => {
  server = await startServerProcess({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
});
after(async () => {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const ROUNDS = 50;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * Alternates the two kinds of request so drift on the machine hits both alike,
 * after a warm-up that lets the JIT settle on both code paths.
 */
async function compare(a: () => Promise<unknown>, b: () => Promise<unknown>, warmUp = 20): Promise<[number, number]> {
  for (let i = 0; i < warmUp; i++) {
    await a();
    await b();
  }
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    ta.push(await timed(a));
    tb.push(await timed(b));
  }
  return [median(ta), median(tb)];
}

const within20 = (a: number, b: number) => Math.abs(a - b) <= 0.2 * Math.max(a, b);

test('login: an unknown account and a wrong password take the same time (median of 50, within 20%)', async (t) => {
  // one wrong try per account, so the lockout never kicks in and shortcuts the hash
  const accounts: string[] = [];
  const WARM_UP = 5;
  for (let i = 0; i < ROUNDS + WARM_UP; i++) accounts.push((await registerV1(server.http)).username);
  let n = 0;
  const [unknown, wrong] = await compare(
    () => server.http('POST', '/api/v1/auth/login/json', { body: { username: uniqueName('ghost'), password: 'password999' } }),
    () => server.http('POST', '/api/v1/auth/login/json', { body: { username: accounts[n++]!, password: 'password999' } }),
    WARM_UP,
  );
  t.diagnostic(`median: unknown account ${unknown.toFixed(2)} ms, wrong password ${wrong.toFixed(2)} ms`);
  assert.ok(within20(unknown, wrong), `unknown ${unknown.toFixed(2)} ms vs wrong password ${wrong.toFixed(2)} ms`);
});

test('forgot-password: a known and an unknown email take the same time (median of 50, within 20%)', async (t) => {
  const { email } = await registerV1(server.http);
  const [known, unknown] = await compare(
    () => server.http('POST', '/api/v1/auth/forgot-password', { body: { email } }),
    () => server.http('POST', '/api/v1/auth/forgot-password', { body: { email: `${uniqueName('ghost')}@example.com` } }),
  );
  t.diagnostic(`median: known email ${known.toFixed(2)} ms, unknown email ${unknown.toFixed(2)} ms`);
  assert.ok(within20(known, unknown), `known ${known.toFixed(2)} ms vs unknown ${unknown.toFixed(2)} ms`);
});
