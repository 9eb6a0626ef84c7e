// Users coming from other systems: CSV or JSON lines with bcrypt or argon2 hashes.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { hash } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import { openStores } from '../../src/store/open-stores.ts';
import { runCli, startServerProcess } from '../helpers/process.ts';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-export-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('import users FILE: bcrypt ($2b$) and argon2id hashes from CSV and JSON lines log in and are upgraded', async () => {
  const env = { DATA_DIR: join(dir, 'data') };
  const bcryptHash = bcrypt.hashSync('bcrypt-pass-1', 10).replace(/^\$2a\$/, '$2b$');
  const argonHash = await hash('argon-pass-2', { algorithm: 2 as never, memoryCost: 4096, timeCost: 3, parallelism: 1 });
  writeFileSync(
    join(dir, 'users.csv'),
    `email,password_hash,first_name,last_name,phone,username,disabled\nbc@example.com,${bcryptHash},Bea,Crypt,555,bea,false\nar@example.com,"${argonHash}",Ar,Gon,,argo,\nbad@example.com,plaintext,,,,,\n`,
  );
  writeFileSync(
    join(dir, 'users.jsonl'),
    `${JSON.stringify({ email: 'jl@example.com', password_hash: bcrypt.hashSync('json-pass-3', 10), username: 'jl', disabled: true })}\n{broken\n`,
  );

  const csv = runCli(['import', 'users', join(dir, 'users.csv')], env);
  assert.equal(csv.status, 0, csv.stderr);
  assert.equal(csv.stdout.trim(), 'imported 2, skipped 1 (unsupported password hash: 1)');
  assert.match(csv.stderr, /skipped line 4: unsupported password hash/);
  const jsonl = runCli(['import', 'users', join(dir, 'users.jsonl')], env);
  assert.equal(jsonl.stdout.trim(), 'imported 1, skipped 1 (invalid email: 1)');

  const server = await startServerProcess(env);
  try {
    assert.equal((await server.http('POST', '/api/users/login', { body: { email: 'bc@example.com', password: 'bcrypt-pass-1' } })).status, 200);
    assert.equal((await server.http('POST', '/api/users/login', { body: { email: 'bc@example.com', password: 'bcrypt-pass-X' } })).status, 400);
    assert.equal((await server.http('POST', '/api/auth/login', { body: { username: 'argo', password: 'argon-pass-2' } })).status, 200);
    assert.equal((await server.http('POST', '/api/users/login', { body: { email: 'jl@example.com', password: 'json-pass-3' } })).status, 403);
  } finally {
    await server.stop();
  }
  const stores = await openStores({ kind: 'sqlite', path: join(dir, 'data', 'gatehouse.db') });
  for (const email of ['bc@example.com', 'ar@example.com'])
    assert.match((await stores.users.findByEmail(email))!.passwordHash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  assert.match((await stores.users.findByEmail('jl@example.com'))!.passwordHash, /^\$2[ab]\$/);
  assert.equal((await stores.users.findByEmail('bc@example.com'))?.username, 'bea');
  await stores.close();
});
