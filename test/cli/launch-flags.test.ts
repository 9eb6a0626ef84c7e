// Gatehouse's memory figure depends on a V8 flag (a small young generation,
// docs/performance.md), so every way of starting it must pass the same flags.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
/** The `--flags` between `node` and the script in a command line. */
const flagsIn = (line: string) => {
  const match = /node\s+((?:--\S+\s+)*)bin\/gatehouse\.js/.exec(line);
  assert.ok(match, `no node command in: ${line}`);
  return match[1]!.trim();
};

test('npm start, npm run gatehouse, the gatehouse command and the local cluster start Node with the same flags', () => {
  const scripts = JSON.parse(read('package.json')).scripts as Record<string, string>;
  const shebangs = ['bin/gatehouse.js', 'src/cli/gatehouse.ts'].map((path) => read(path).split('\n')[0]!);
  const cluster = read('scripts/local-cluster.sh')
    .split('\n')
    .find((l) => l.includes('bin/gatehouse.js serve'))!;
  const expected = flagsIn(scripts.start!);
  assert.match(expected, /--max-semi-space-size=\d+/);
  assert.equal(flagsIn(scripts.gatehouse!), expected);
  assert.equal(flagsIn(cluster.replace('$node', 'node')), expected);
  for (const shebang of shebangs) assert.equal(shebang, `#!/usr/bin/env -S node ${expected}`);
  assert.equal(JSON.parse(read('package.json')).bin.gatehouse, 'bin/gatehouse.js');
});

test('the gatehouse command runs as an executable through its shebang', () => {
  const run = spawnSync(join(ROOT, 'bin/gatehouse.js'), ['--help'], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}` },
  });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^Usage: gatehouse <command>/);
  assert.match(run.stdout, /serve +start the HTTP server/);
});

test("the build runs: imports rewritten, the pages' assets beside it, the launcher takes it", () => {
  const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}` };
  const build = spawnSync(process.execPath, ['scripts/build.js'], { cwd: ROOT, encoding: 'utf8', env });
  assert.equal(build.status, 0, build.stderr);
  const run = spawnSync(process.execPath, ['dist/cli/gatehouse.js', '--help'], { cwd: ROOT, encoding: 'utf8', env });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^Usage: gatehouse <command>/);
  assert.ok(readFileSync(join(ROOT, 'dist/surfaces/pages/assets/pages.css')).length > 0);
  // the launcher takes dist/ when it is no older than the sources: with type stripping off, only the JavaScript can run
  const launched = spawnSync(process.execPath, ['--no-experimental-strip-types', 'bin/gatehouse.js', '--help'], { cwd: ROOT, encoding: 'utf8', env });
  assert.equal(launched.status, 0, launched.stderr);
});
