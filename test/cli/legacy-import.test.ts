// Moving in from the original FastAPI system: its SQLite file, with argon2i
// hashes as passlib/argon2-cffi wrote them, imported and logged in unchanged.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, test } from 'node:test';
import { hash } from '@node-rs/argon2';
import { openStores } from '../../src/store/open-stores.ts';
import { runCli, startServerProcess } from '../helpers/process.ts';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-legacy-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const legacyPath = join(dir, 'legacy.db');
const env = { DATA_DIR: join(dir, 'data') };

// Two parameter sets a Python deployment may have used.
const HEAVY = { algorithm: 1 as never, memoryCost: 65536, timeCost: 3, parallelism: 4 };
const LIGHT = { algorithm: 1 as never, memoryCost: 512, timeCost: 2, parallelism: 2 };

const people = [
  { id: 1, email: 'Zhang.San@Example.com', password: 'zhangsan-pass-1', params: HEAVY, disabled: 0, info: ['San', 'Zhang', '13800138000'] },
  { id: 2, email: 'li.si@example.com', password: 'lisi-pass-2', params: LIGHT, disabled: 0, info: ['Si', 'Li', null] },
  { id: 7, email: 'wang.wu@example.com', password: 'wangwu-pass-7', params: LIGHT, disabled: 1, info: null },
  { id: 9, email: 'not-an-email', password: 'whatever-9', params: LIGHT, disabled: 0, info: null },
] as const;

before(async () => {
  const db = new DatabaseSync(legacyPath);
  // seed 001's schema, as SQLAlchemy created it
  db.exec(`
    CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR UNIQUE, hashed_password VARCHAR, disabled BOOLEAN DEFAULT 0);
    CREATE TABLE user_info (id INTEGER PRIMARY KEY, user_id INTEGER UNIQUE REFERENCES users(id), first_name VARCHAR, last_name VARCHAR, phone_number VARCHAR);
  `);
  for (const p of people) {
    db.prepare('INSERT INTO users (id, email, hashed_password, disabled) VALUES (?, ?, ?, ?)').run(p.id, p.email, await hash(p.password, p.params), p.disabled);
    if (p.info) db.prepare('INSERT INTO user_info (user_id, first_name, last_name, phone_number) VALUES (?, ?, ?, ?)').run(p.id, ...p.info);
  }
  db.prepare('INSERT INTO users (id, email, hashed_password, disabled) VALUES (?, ?, ?, ?)').run(10, 'md5@example.com', '5f4dcc3b5aa765d61d8327deb882cf99', 0);
  db.close();
});

describe('gatehouse import legacy-sqlite', () => {
  test('--dry-run reports and changes nothing', async () => {
    const r = runCli(['import', 'legacy-sqlite', legacyPath, '--dry-run'], env);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'would import 3, skip 2 (invalid email: 1, unsupported password hash: 1)');
    const stores = await openStores({ kind: 'sqlite', path: join(dir, 'data', 'gatehouse.db') });
    assert.deepEqual(await stores.users.list({ limit: 10, offset: 0 }), []);
    await stores.close();
  });

  test('imports users with names, phone and status, keeping ids and hashes; a second run changes nothing', async () => {
    const r = runCli(['import', 'legacy-sqlite', legacyPath], env);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'imported 3, skipped 2 (invalid email: 1, unsupported password hash: 1)');
    assert.match(r.stderr, /skipped users\.id 9: invalid email/);

    const stores = await openStores({ kind: 'sqlite', path: join(dir, 'data', 'gatehouse.db') });
    const zhang = await stores.users.findById(1);
    assert.equal(zhang?.email, 'zhang.san@example.com');
    assert.deepEqual([zhang?.firstName, zhang?.lastName, zhang?.phone, zhang?.fullName, zhang?.status], ['San', 'Zhang', '13800138000', 'San Zhang', 'active']);
    assert.match(zhang!.passwordHash, /^\$argon2i\$v=19\$m=65536,t=3,p=4\$/);
    assert.equal((await stores.users.findById(7))?.status, 'disabled');
    assert.equal((await stores.users.findById(7))?.firstName, null);
    await stores.close();

    const again = runCli(['import', 'legacy-sqlite', legacyPath], env);
    assert.equal(again.stdout.trim(), 'imported 0, skipped 5 (already exists: 3, invalid email: 1, unsupported password hash: 1)');
  });

  test('every imported user logs in with the old password; the first login upgrades the hash', async () => {
    const server = await startServerProcess(env);
    try {
      for (const p of people.slice(0, 2)) {
        const r = await server.http('POST', '/api/users/login', { body: { email: p.email, password: p.password } });
        assert.equal(r.status, 200, p.email);
        const me = await server.http('GET', '/api/users/me', { token: r.body.access_token });
        assert.equal(me.body.email, p.email.toLowerCase());
        // also on the other surfaces
        assert.equal((await server.http('POST', '/api/v1/auth/login/json', { body: { username: p.email, password: p.password } })).status, 200);
      }
      assert.equal((await server.http('POST', '/api/users/login', { body: { email: 'li.si@example.com', password: 'wrong-password' } })).status, 400);
      const disabled = await server.http('POST', '/api/users/login', { body: { email: 'wang.wu@example.com', password: 'wangwu-pass-7' } });
      assert.deepEqual([disabled.status, disabled.body], [403, { detail: 'User is disabled' }]);
    } finally {
      await server.stop();
    }
    const stores = await openStores({ kind: 'sqlite', path: join(dir, 'data', 'gatehouse.db') });
    for (const id of [1, 2]) assert.match((await stores.users.findById(id))!.passwordHash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    // never logged in: still the original hash
    assert.match((await stores.users.findById(7))!.passwordHash, /^\$argon2i\$/);
    await stores.close();
  });

  test('a taken id is not kept: the user gets a new one', async () => {
    const other = { DATA_DIR: join(dir, 'taken') };
    assert.equal(runCli(['users', 'create', '--email', 'first@example.com', '--password', 'someone-else-1'], other).status, 0);
    const r = runCli(['import', 'legacy-sqlite', legacyPath], other);
    assert.equal(r.stdout.trim(), 'imported 3, skipped 2 (invalid email: 1, unsupported password hash: 1)');
    const stores = await openStores({ kind: 'sqlite', path: join(dir, 'taken', 'gatehouse.db') });
    assert.equal((await stores.users.findById(1))?.email, 'first@example.com');
    assert.notEqual((await stores.users.findByEmail('zhang.san@example.com'))?.id, 1);
    assert.equal((await stores.users.findByEmail('li.si@example.com'))?.id, 2);
    await stores.close();
  });

  test('bad input: one line, exit 2', () => {
    for (const args of [
      ['import'],
      ['import', 'legacy-sqlite'],
      ['import', 'legacy-sqlite', join(dir, 'missing.db')],
      ['import', 'legacy-sqlite', join(dir, 'data', 'jwt-secret')],
      ['import', 'nonsense', 'x'],
    ]) {
      const r = runCli(args, env);
      assert.equal(r.status, 2, args.join(' '));
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
  });
});
