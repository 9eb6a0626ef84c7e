// Replays seed 003's own Python example against `gatehouse serve` started with
// V1_AUTH_STYLE=envelope, as that client would run it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startServerProcess } from '../helpers/process.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-seed003-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

test('seed 003: register → login → result["status"] == "success" → profile → settings → token refresh and retry', async () => {
  const server = await startServerProcess({ DATA_DIR: dataDir, V1_AUTH_STYLE: 'envelope' });
  try {
    const { http } = server;
    // register_data = {"username": "testuser", "password": "password123", "full_name": "测试用户"}
    const reg = await http('POST', '/api/v1/auth/register', { body: { username: 'testuser', password: 'password123', full_name: '测试用户' } });
    assert.equal(reg.status, 201);
    assert.equal(reg.body.status, 'success');

    const result = (await http('POST', '/api/v1/auth/login', { body: { username: 'testuser', password: 'password123' } })).body;
    assert.equal(result.status, 'success');
    const token = result.data.access_token;

    const profile = await http('GET', '/api/v1/users/profile', { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(profile.status, 200);
    assert.equal(profile.body.status, 'success');
    assert.equal(profile.body.data.username, 'testuser');
    assert.equal(profile.body.data.full_name, '测试用户');

    const settings = await http('PUT', '/api/v1/users/settings', { token, body: { language: 'zh-CN', theme: 'dark' } });
    assert.equal(settings.status, 200); // "配置更新成功"

    // get_user_profile_with_retry: on 401, refresh with the refresh token, retry with the new access token
    const stale = await http('GET', '/api/v1/users/profile', { headers: { Authorization: 'Bearer expired.or.bad' } });
    assert.equal(stale.status, 401);
    assert.equal(stale.body.code, 'INVALID_TOKEN');
    const refreshed = await http('POST', '/api/v1/auth/refresh', { body: { refresh_token: result.data.refresh_token } });
    assert.equal(refreshed.status, 200);
    const retry = await http('GET', '/api/v1/users/profile', { headers: { Authorization: `Bearer ${refreshed.body.data.access_token}` } });
    assert.equal(retry.status, 200);
    assert.equal(retry.body.status, 'success');
  } finally {
    await server.stop();
  }
});
