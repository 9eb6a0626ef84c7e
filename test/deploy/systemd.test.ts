// deploy/gatehouse.service: a unit systemd accepts, with the hardening the
// operations guide promises, starting the Node the production install brings.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ROOT } from '../helpers/process.ts';

const unit = readFileSync(join(ROOT, 'deploy/gatehouse.service'), 'utf8');
const settings = new Map([...unit.matchAll(/^(\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));

describe('deploy/gatehouse.service', () => {
  test('hardened: a user of its own, a state directory, a read-only system, no new privileges', () => {
    assert.equal(settings.get('User'), 'gatehouse');
    assert.equal(settings.get('StateDirectory'), 'gatehouse');
    assert.equal(settings.get('ProtectSystem'), 'strict');
    assert.equal(settings.get('NoNewPrivileges'), 'yes');
    assert.equal(settings.get('CapabilityBoundingSet'), '');
    assert.equal(settings.get('PrivateTmp'), 'yes');
    assert.equal(settings.get('ProtectHome'), 'yes');
    assert.match(unit, /^Environment=DATA_DIR=%S\/gatehouse$/m);
  });

  test("starts the project's own Node with the server's flags, stops it with SIGTERM, does not restart on a configuration error", () => {
    assert.equal(settings.get('ExecStart'), '/opt/gatehouse/node_modules/node/bin/node --max-semi-space-size=4 bin/gatehouse.js serve');
    assert.equal(settings.get('WorkingDirectory'), '/opt/gatehouse');
    assert.equal(settings.get('KillSignal'), 'SIGTERM');
    assert.equal(settings.get('RestartPreventExitStatus'), '2');
    const start = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.start as string;
    assert.ok(settings.get('ExecStart')!.endsWith(start.replace(/^node /, '')), `npm start is ${start}`);
  });

  const analyze = spawnSync('systemd-analyze', ['--version']).status === 0;
  describe('systemd-analyze verify', { skip: analyze ? false : 'systemd-analyze not installed' }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-unit-'));
    after(() => rmSync(dir, { recursive: true, force: true }));

    test('accepts the unit, every option known (paths pointed at this checkout)', () => {
      writeFileSync(join(dir, 'gatehouse.service'), unit.replaceAll('/opt/gatehouse', ROOT.replace(/\/$/, '')));
      const r = spawnSync('systemd-analyze', ['verify', join(dir, 'gatehouse.service')], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      // Unknown options are only warned about: any word from systemd is a mistake in the unit.
      assert.equal(r.stderr.trim(), '');
    });
  });
});
