// The gatehouse command as a newcomer and an operator start it, on a machine
// whose own Node is older: no engine warnings before every run, and the same
// command from any folder by its path.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, test } from 'node:test';
import { ROOT } from '../helpers/process.ts';

// The machine's PATH without any node_modules/.bin, as in a terminal.
const PATH = (process.env.PATH ?? '')
  .split(delimiter)
  .filter((entry) => !entry.includes('node_modules'))
  .join(delimiter);
const npx = spawnSync('npx', ['--version'], { env: { PATH } }).status === 0;
const elsewhere = mkdtempSync(join(tmpdir(), 'gatehouse-elsewhere-'));
after(() => rmSync(elsewhere, { recursive: true, force: true }));

test('npx gatehouse in the checkout: the usage, and no EBADENGINE warning before it', { skip: npx ? false : 'npx not installed' }, () => {
  const r = spawnSync('npx', ['gatehouse', '--help'], { cwd: ROOT, env: { PATH, HOME: process.env.HOME ?? elsewhere }, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Usage: gatehouse <command>/);
  assert.doesNotMatch(r.stderr, /EBADENGINE|npm warn/);
});

test("bin/gatehouse from another folder runs the project's Node 24", () => {
  const r = spawnSync(join(ROOT, 'bin/gatehouse'), ['--help'], { cwd: elsewhere, env: { PATH }, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Usage: gatehouse <command>/);
});
