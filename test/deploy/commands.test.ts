// The gatehouse command as a newcomer and an operator start it, on a machine
// whose own Node is older: no engine warnings before every run, and the same
// command from any folder by its path.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

// The machine's own Node, first in that PATH: older than the project's (20 on Debian 12).
const machineNode = spawnSync('node', ['-p', 'process.versions.node'], { env: { PATH }, encoding: 'utf8' });
const oldNode = machineNode.status === 0 && Number(machineNode.stdout.split('.')[0]) < 24;

test("`node bin/gatehouse.js serve` on the machine's older Node: one line naming npx gatehouse and the project's Node, exit 2", {
  skip: oldNode ? false : "the machine's node is not older than 24 (or absent)",
}, () => {
  for (const cwd of [ROOT, elsewhere]) {
    const r = spawnSync('node', [join(ROOT, 'bin/gatehouse.js'), 'serve'], { cwd, env: { PATH }, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 2, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `one line, not a stack trace:\n${r.stderr}`);
    assert.match(lines[0]!, new RegExp(`^gatehouse: Node ${machineNode.stdout.trim().replaceAll('.', '\\.')} is too old .*Node 24`));
    assert.match(lines[0]!, /`npx gatehouse serve`/);
    // The project's Node, by a path that works from where the command was typed.
    const own = lines[0]!.match(/the project's Node: (\S+) (\S+) serve$/);
    assert.ok(own, lines[0]);
    const ran = spawnSync(own[1]!, [own[2]!, '--help'], { cwd, env: { PATH }, encoding: 'utf8', timeout: 120_000 });
    assert.equal(ran.status, 0, ran.stderr);
    assert.match(ran.stdout, /^Usage: gatehouse <command>/);
  }
});

test("--help and the README say the same about .env: the project folder's, the environment winning", () => {
  const help = spawnSync(join(ROOT, 'bin/gatehouse'), ['--help'], { cwd: elsewhere, env: { PATH }, encoding: 'utf8', timeout: 120_000 }).stdout;
  const flat = (text: string) => text.replaceAll('`', '').replace(/\s+/g, ' ');
  const said = flat(help).match(/Settings come from [^.]*\.env[^.]*\./)?.[0];
  assert.ok(said, help);
  // The README's sentence up to the same point (its own continues about relative paths).
  assert.ok(flat(readFileSync(join(ROOT, 'README.md'), 'utf8')).includes(said.replace(/ \(see README\)\.$/, '')), `README.md does not say: ${said}`);
});
