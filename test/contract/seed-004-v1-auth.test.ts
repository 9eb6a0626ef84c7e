// Replays seed 004's curl walk-through against the default `gatehouse serve`.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startServerProcess } from '../helpers/process.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-seed004-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

test('seed 004: register → JSON login → me → refresh → logout', async () => {
  const server = await startServerProcess({ DATA_DIR: dataDir });
  try {
    const { http } = server;
    // 1. curl -X POST .../api/v1/auth/register -H "Content-Type: application/json" -d '{...}'
    const reg = await http('POST', '/api/v1/auth/register', {
      body: { username: 'testuser', email: 'test@example.com', password: 'password123', confirm_password: 'password123', full_name: '测试用户' },
    });
    assert.equal(reg.status, 201);
    assert.equal(reg.body.username, 'testuser');

    // 2. login/json
    const login = await http('POST', '/api/v1/auth/login/json', { body: { username: 'testuser', password: 'password123' } });
    assert.equal(login.status, 200);
    assert.equal(login.body.expires_in, 3600);
    assert.equal(login.body.user.email, 'test@example.com');

    // 3. me with the token (curl sends no Content-Type on a GET)
    const me = await http('GET', '/api/v1/auth/me', { headers: { Authorization: `Bearer ${login.body.access_token}` } });
    assert.equal(me.status, 200);
    assert.equal(me.body.full_name, '测试用户');
    assert.equal(me.body.login_count, 1);

    // 4. refresh with the token and no body
    const refreshed = await http('POST', '/api/v1/auth/refresh', { headers: { Authorization: `Bearer ${login.body.access_token}` } });
    assert.equal(refreshed.status, 200);
    assert.deepEqual(Object.keys(refreshed.body).sort(), ['access_token', 'expires_in', 'token_type', 'user']);

    // 5. logout with the new token
    const out = await http('POST', '/api/v1/auth/logout', { headers: { Authorization: `Bearer ${refreshed.body.access_token}` } });
    assert.deepEqual([out.status, out.body], [200, { message: '登出成功' }]);
    assert.equal((await http('GET', '/api/v1/auth/me', { token: refreshed.body.access_token })).status, 401);
  } finally {
    await server.stop();
  }
});
