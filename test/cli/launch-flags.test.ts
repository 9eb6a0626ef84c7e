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
  const match = /node\s+((?:--\S+\s+)*)src\/cli\/gatehouse\.ts/.exec(line);
  assert.ok(match, `no node command in: ${line}`);
  return match[1]!.trim();
};

test('npm start, npm run gatehouse, the gatehouse command and the local cluster start Node with the same flags', () => {
  const scripts = JSON.parse(read('package.json')).scripts as Record<string, string>;
  const shebang = read('src/cli/gatehouse.ts').split('\n')[0]!;
  const cluster = read('scripts/local-cluster.sh')
    .split('\n')
    .find((l) => l.includes('src/cli/gatehouse.ts serve'))!;
  const expected = flagsIn(scripts.start!);
  assert.match(expected, /--max-semi-space-size=\d+/);
  assert.equal(flagsIn(scripts.gatehouse!), expected);
  assert.equal(flagsIn(cluster.replace('$node', 'node')), expected);
  assert.equal(shebang, `#!/usr/bin/env -S node ${expected}`);
});

test('the gatehouse command runs as an executable through its shebang', () => {
  const run = spawnSync(join(ROOT, 'src/cli/gatehouse.ts'), ['--help'], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}` },
  });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^Usage: gatehouse <command>/);
  assert.match(run.stdout, /serve +start the HTTP server/);
});
