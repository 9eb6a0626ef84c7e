// The access log as Gatehouse ships (buffered, written asynchronously) loses no
// line: the real process, with the default settings, writing its log to a file
// or to a pipe, answers N requests and is stopped with SIGTERM or SIGINT; the
// log then holds N access lines, one per request id.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLI, ROOT, startServerProcess } from '../helpers/process.ts';

const accessLines = (log: string) =>
  log
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { msg?: string; reqId?: string })
    .filter((line) => line.msg === 'request');

/** `count` requests, ten at a time: health checks and refused profile reads, so the lines differ. */
async function requests(url: string, count: number): Promise<void> {
  for (let sent = 0; sent < count; sent += 10)
    await Promise.all(
      Array.from({ length: Math.min(10, count - sent) }, async (_, i) => {
        const response = await fetch(`${url}${(sent + i) % 2 ? '/healthz' : '/api/users/me'}`);
        await response.arrayBuffer();
      }),
    );
}

describe('no access-log line is lost', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`log to a pipe, stopped with ${signal}`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'gatehouse-access-log-'));
      try {
        // One listener (ENVELOPE_PORT=off): every line counted comes from the requests this test sends to it.
        const server = await startServerProcess({ DATA_DIR: dir, ENVELOPE_PORT: 'off' });
        await requests(server.url, 500);
        assert.equal(await server.stop(signal), 0);
        const lines = accessLines(server.output());
        assert.equal(lines.length, 500);
        assert.equal(new Set(lines.map((l) => l.reqId)).size, 500);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  test('log to a file: a quiet server writes its lines without being stopped, and SIGTERM writes the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-access-log-'));
    const file = join(dir, 'gatehouse.log');
    const fd = openSync(file, 'a');
    const child = spawn(process.execPath, [CLI, 'serve'], {
      cwd: ROOT,
      // One listener (ENVELOPE_PORT=off): the lines in the file are this test's requests and nothing else.
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ENVELOPE_PORT: 'off', DATA_DIR: dir },
      stdio: ['ignore', fd, 'inherit'],
    });
    closeSync(fd);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      let url: string | undefined;
      while (!url) {
        url = /Gatehouse listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(readFileSync(file, 'utf8'))?.[1];
        if (!url) await sleep(50);
      }
      await requests(url, 20);
      // Far less than the buffer: only the timer writes these while the server is idle.
      while (accessLines(readFileSync(file, 'utf8')).length < 20) await sleep(50);
      await requests(url, 300);
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
      const lines = accessLines(readFileSync(file, 'utf8'));
      assert.equal(lines.length, 320);
      assert.equal(new Set(lines.map((l) => l.reqId)).size, 320);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
