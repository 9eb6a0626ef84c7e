import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { backendUrls, freshDatabase, NO_BACKENDS } from '../helpers/backends.ts';
import { runCli, startServerProcess } from '../helpers/process.ts';

const backends = backendUrls();

describe('moving to PostgreSQL', { skip: backends ? false : NO_BACKENDS }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-copy-'));
  const drops: Array<() => Promise<void>> = [];
  after(async () => {
    for (const d of drops) await d();
    rmSync(dir, { recursive: true, force: true });
  });

  test('migrate works on PostgreSQL, twice', async () => {
    const db = await freshDatabase(backends!.databaseUrl);
    drops.push(db.drop);
    const first = runCli(['migrate'], { DATA_DIR: dir, DATABASE_URL: db.url });
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /applied: 0003-products/);
    assert.match(runCli(['migrate'], { DATA_DIR: dir, DATABASE_URL: db.url }).stdout, /up to date/);
  });

  test('copy --from sqlite --to postgres: users keep their passwords and ids; products and mail come along; new ids follow', async () => {
    const sqliteEnv = { DATA_DIR: join(dir, 'old') };
    for (const email of ['a@example.com', 'b@example.com'])
      assert.equal(runCli(['users', 'create', '--email', email, '--password', 'copy-me-please-1'], sqliteEnv).status, 0);
    writeFileSync(join(dir, 'p.csv'), 'id,model,quantity,image,price,name\n7,M7,1,catalog/7.png,1.5,Seven\n');
    assert.equal(runCli(['products', 'import', join(dir, 'p.csv')], sqliteEnv).status, 0);

    const db = await freshDatabase(backends!.databaseUrl);
    drops.push(db.drop);
    const from = `sqlite:${join(dir, 'old', 'gatehouse.db')}`;
    const r = runCli(['copy', '--from', from, '--to', db.url], sqliteEnv);
    assert.equal(r.status, 0, r.stderr);
    // each created user was mailed a verification link (kept in the outbox without SMTP): the mail comes along
    assert.match(r.stdout, /^copied 2 users, 1 products, 2 mails/);

    const again = runCli(['copy', '--from', from, '--to', db.url], sqliteEnv);
    assert.equal(again.status, 2);
    assert.match(again.stderr, /^gatehouse: copy failed: the target already has 2 users/);

    const server = await startServerProcess({
      DATA_DIR: join(dir, 'new'),
      DATABASE_URL: db.url,
      JWT_SECRET: 'copy-test-secret-copy-test-secret-0123',
      MFA_ENCRYPTION_KEY: 'copy-test-encryption-key-copy-test-0123',
      DEMO_DATA: 'false',
    });
    try {
      const login = await server.http('POST', '/api/users/login', { body: { email: 'b@example.com', password: 'copy-me-please-1' } });
      assert.equal(login.status, 200);
      assert.equal((await server.http('GET', '/api/products/product/7')).body.name, 'Seven');
      // the sequence moved past the copied ids: a new account gets a fresh id
      const reg = await server.http('POST', '/api/v1/auth/register', {
        body: { username: 'newbie', email: 'c@example.com', password: 'password123', confirm_password: 'password123' },
      });
      assert.equal(reg.status, 201);
      assert.equal(reg.body.id, 3);
    } finally {
      await server.stop();
    }
  });

  test('copy: bad arguments are one line, exit 2', () => {
    for (const args of [
      ['copy'],
      ['copy', '--from', 'sqlite:/x.db'],
      ['copy', '--from', 'mysql://x', '--to', 'sqlite:/y.db'],
      ['copy', '--from', 'memory:', '--to', 'sqlite:/y.db'],
    ]) {
      const r = runCli(args, { DATA_DIR: dir });
      assert.equal(r.status, 2, args.join(' '));
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
  });
});
