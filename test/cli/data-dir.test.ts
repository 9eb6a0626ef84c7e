// Nothing lost by a wrong folder: wherever Gatehouse is started from, a
// relative DATA_DIR means the same folder of the project, and a start that
// creates it says so with its absolute path.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { PROJECT_DIR } from '../../src/project-dir.ts';
import { CLI, ROOT, startServerProcess } from '../helpers/process.ts';
import { spawnSync } from 'node:child_process';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-data-dir-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('a relative DATA_DIR', () => {
  test('is taken from the project folder, whatever the working directory', () => {
    assert.equal(join(PROJECT_DIR, '/'), ROOT);
    const elsewhere = process.cwd();
    try {
      process.chdir(dir);
      const config = loadConfig({ DATA_DIR: 'some/data' });
      assert.equal(config.dataDir, join(ROOT, 'some/data'));
      assert.equal(config.imageDir, join(ROOT, 'some/data/images'));
      assert.deepEqual(config.database, { kind: 'sqlite', path: join(ROOT, 'some/data/gatehouse.db') });
      assert.equal(loadConfig({}).dataDir, join(ROOT, 'data'));
      assert.deepEqual(loadConfig({ DATABASE_URL: 'sqlite:./x.db' }).database, { kind: 'sqlite', path: join(ROOT, 'x.db') });
    } finally {
      process.chdir(elsewhere);
    }
  });

  test('started from another folder: the first start creates it in the project and says so in one line; doctor shows it', async () => {
    // Deep enough that the same relative path from here names another folder.
    const cwd = join(dir, 'a', 'b', 'c', 'd');
    mkdirSync(cwd, { recursive: true });
    // A relative path from the project folder to a folder of this test (never the checkout's own data).
    const dataDir = relative(ROOT, join(dir, 'data'));
    const server = await startServerProcess({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' }, { cwd });
    try {
      assert.ok(existsSync(join(dir, 'data', 'gatehouse.db')));
      assert.notEqual(join(cwd, dataDir), join(dir, 'data'));
      assert.ok(!existsSync(join(cwd, dataDir)));
      const notices = server
        .output()
        .split('\n')
        .filter((line) => line.includes('created the data folder'));
      assert.deepEqual(notices, [`gatehouse: created the data folder ${join(dir, 'data')} (DATA_DIR): a new, empty installation`]);
    } finally {
      await server.stop();
    }
    const again = await startServerProcess({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' }, { cwd });
    await again.stop();
    assert.doesNotMatch(again.output(), /created the data folder/, 'said on the first start only');
    const doctor = spawnSync(process.execPath, [CLI, 'doctor'], { cwd, env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir }, encoding: 'utf8' });
    assert.match(doctor.stdout, new RegExp(`ok +data folder: ${join(dir, 'data').replaceAll('/', '\\/')} \\(mode`));
  });
});
