// Gatehouse's memory figure depends on a V8 flag (a small young generation,
// docs/performance.md), so every way of starting it must pass the same flags.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
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
  // The installed command is the shell launcher: the project's own Node 24 with the same flags, whatever Node the machine has.
  assert.equal(JSON.parse(read('package.json')).bin.gatehouse, 'bin/gatehouse');
  assert.ok(
    read('bin/gatehouse').includes(`node_modules/node/bin/node" ${expected} "$here/gatehouse.js"`),
    'bin/gatehouse runs bin/gatehouse.js with the same flags',
  );
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

test("the build runs: imports rewritten, the bundle beside it, the launcher takes the bundle, else tsc's JavaScript", () => {
  const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}` };
  // A project of its own inside this one (node_modules is found by walking up): a build, empty sources, the launcher.
  const project = mkdtempSync(join(ROOT, '.build-test-'));
  try {
    const build = spawnSync(process.execPath, ['scripts/build.js', `${basename(project)}/dist`], { cwd: ROOT, encoding: 'utf8', env });
    assert.equal(build.status, 0, build.stderr);
    for (const entry of ['dist/cli/gatehouse.js', 'dist/bundle/gatehouse.js']) {
      const run = spawnSync(process.execPath, [join(project, entry), '--help'], { cwd: ROOT, encoding: 'utf8', env });
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stdout, /^Usage: gatehouse <command>/);
    }
    // The launcher takes a build no older than the sources: with type stripping off, only JavaScript can run.
    mkdirSync(join(project, 'src'));
    mkdirSync(join(project, 'bin'));
    copyFileSync(join(ROOT, 'bin/gatehouse.js'), join(project, 'bin/gatehouse.js'));
    const launch = () => {
      const launched = spawnSync(process.execPath, ['--no-experimental-strip-types', join(project, 'bin/gatehouse.js'), '--help'], {
        cwd: ROOT,
        encoding: 'utf8',
        env,
      });
      assert.equal(launched.status, 0, launched.stderr);
      assert.match(launched.stdout, /^Usage: gatehouse <command>/);
    };
    // The bundle needs nothing else from dist/: with tsc's JavaScript moved away, the launcher runs the bundle...
    renameSync(join(project, 'dist/cli'), join(project, 'cli-away'));
    launch();
    // ...and without the bundle, tsc's JavaScript.
    renameSync(join(project, 'cli-away'), join(project, 'dist/cli'));
    rmSync(join(project, 'dist/bundle'), { recursive: true });
    launch();
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
});
