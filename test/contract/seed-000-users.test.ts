// Replays seed 000's documented flow against the real `gatehouse serve`
// process, exactly as a client written against that document would.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startServerProcess } from '../helpers/process.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-seed000-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

test('seed 000: register → login → me → refresh → me → reset_password → login → logout → logout again', async () => {
  const server = await startServerProcess({ DATA_DIR: dataDir });
  try {
    const { http } = server;
    const reg = await http('POST', '/api/users/register', {
      body: { email: 'user@example.com', password: 'string123', first_name: '三', last_name: '张', phone_number: '13800138000' },
    });
    assert.deepEqual([reg.status, reg.body], [200, { message: 'User registered successfully.' }]);

    const login = await http('POST', '/api/users/login', { body: { email: 'user@example.com', password: 'string123' } });
    assert.equal(login.status, 200);
    assert.equal(login.body.token_type, 'bearer');
    assert.equal(login.body.expires_in, 180);

    const me = await http('GET', '/api/users/me', { token: login.body.access_token });
    assert.deepEqual([me.status, me.body], [200, { email: 'user@example.com', first_name: '三', last_name: '张', phone_number: '13800138000' }]);

    // "the access token may have expired: call refresh, then retry with the new one"
    const refreshed = await http('POST', '/api/users/refresh_token', { token: login.body.access_token });
    assert.equal(refreshed.status, 200);
    const again = await http('GET', '/api/users/me', { token: refreshed.body.access_token });
    assert.equal(again.status, 200);

    const reset = await http('POST', '/api/users/reset_password', {
      body: { email: 'user@example.com', old_password: 'string123', new_password: 'string456' },
    });
    assert.deepEqual([reset.status, reset.body], [200, { message: 'Password has been reset successfully.' }]);
    // the reset ended every session
    assert.deepEqual((await http('GET', '/api/users/me', { token: refreshed.body.access_token })).body, { detail: 'Token is invalid' });

    const login2 = await http('POST', '/api/users/login', { body: { email: 'user@example.com', password: 'string456' } });
    assert.equal(login2.status, 200);
    const out = await http('POST', '/api/users/logout', { token: login2.body.access_token });
    assert.deepEqual([out.status, out.body], [200, { message: 'You have been logged out.' }]);
    const twice = await http('POST', '/api/users/logout', { token: login2.body.access_token });
    assert.deepEqual([twice.status, twice.body], [404, { detail: 'Token record not found' }]);
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

test('a restart keeps the generated keys (encryption key mode 0600) and the sessions: tokens stay valid', async () => {
  const first = await startServerProcess({ DATA_DIR: dataDir });
  await first.http('POST', '/api/users/register', { body: { email: 'keep@example.com', password: 'string123', first_name: 'K' } });
  const login = await first.http('POST', '/api/users/login', { body: { email: 'keep@example.com', password: 'string123' } });
  assert.equal(await first.stop(), 0);
  // A new installation signs ES256 with a key kept in the database, sealed with the generated encryption key.
  assert.equal(statSync(join(dataDir, 'encryption-key')).mode & 0o777, 0o600);

  const second = await startServerProcess({ DATA_DIR: dataDir });
  try {
    const me = await second.http('GET', '/api/users/me', { token: login.body.access_token });
    assert.equal(me.status, 200);
    assert.equal(me.body.email, 'keep@example.com');
  } finally {
    await second.stop();
  }
});
