// SIGKILL in the middle of a registration load: every registration that was
// answered survives, and the SQLite file is intact.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, test } from 'node:test';
import { startServerProcess } from '../helpers/process.ts';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-crash-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('every answered registration can log in after a SIGKILL; PRAGMA integrity_check is ok', async () => {
  const env = { DATA_DIR: dir, LOG_LEVEL: 'error' };
  const server = await startServerProcess(env);
  const answered: string[] = [];
  let killed = false;
  let n = 0;
  const worker = async () => {
    while (!killed) {
      const email = `crash-${n++}@example.com`;
      try {
        const r = await server.http('POST', '/api/users/register', { body: { email, password: 'crash-password-1', first_name: 'C' } });
        if (r.status === 200) answered.push(email);
      } catch {
        // the connection died with the server: this one was never answered
      }
    }
  };
  const load = Promise.all(Array.from({ length: 8 }, worker));
  // Killed once 20 registrations were answered, with 8 more in flight: however slow the machine, never by the clock.
  while (answered.length < 20 && server.child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 20));
  killed = true;
  await server.stop('SIGKILL');
  await load;
  assert.ok(answered.length >= 20, `the server exited after ${answered.length} registrations:\n${server.output()}`);

  const restarted = await startServerProcess(env);
  try {
    for (const email of answered) {
      const r = await restarted.http('POST', '/api/users/login', { body: { email, password: 'crash-password-1' } });
      assert.equal(r.status, 200, `${email} was answered 200 but cannot log in`);
    }
  } finally {
    await restarted.stop();
  }
  const db = new DatabaseSync(join(dir, 'gatehouse.db'));
  assert.equal((db.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check, 'ok');
  const { count } = db.prepare('SELECT COUNT(*) AS count FROM users').get() as { count: number };
  assert.ok(count >= answered.length);
  db.close();
});
