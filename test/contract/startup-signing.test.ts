// What signs the tokens, said at start, and the move docs/operations.md
// ("Signing keys") shows for an installation that signed HS256: JWT_ALGORITHM=ES256
// with the old secret in JWT_PREVIOUS_SECRETS. Its tokens from before the move
// stay accepted, the new ones verify with the published keys alone. On
// PostgreSQL + Redis (a cluster's set-up) when configured, on SQLite otherwise.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { backendUrls, freshDatabase, freshPrefix } from '../helpers/backends.ts';
import { startServerProcess } from '../helpers/process.ts';
import { registerV1 } from '../helpers/users.ts';

const OLD_SECRET = 'the-cluster-hs256-secret-of-at-least-32-bytes';
const backends = backendUrls();

describe(`moving an HS256 installation to ES256 (${backends ? 'PostgreSQL + Redis' : 'SQLite'})`, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-signing-'));
  let shared: Record<string, string>;
  let drop = async () => {};
  before(async () => {
    shared = { DATA_DIR: dataDir, LOG_LEVEL: 'info', MFA_ENCRYPTION_KEY: 'startup-signing-encryption-key-0123456789' };
    if (backends) {
      const database = await freshDatabase(backends.databaseUrl);
      drop = database.drop;
      Object.assign(shared, { DATABASE_URL: database.url, REDIS_URL: backends.redisUrl, REDIS_PREFIX: freshPrefix() });
    }
  });
  after(async () => {
    await drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('HS256 warns at start that its JWKS is empty; after the move ES256 says it publishes its key, and the old tokens still work', async () => {
    // Before: the old cluster settings, JWT_SECRET alone.
    const before = await startServerProcess({ ...shared, JWT_SECRET: OLD_SECRET });
    let oldToken: string;
    try {
      const line = await before.logged(/signing tokens with HS256/);
      assert.match(line, /"level":40,.*"msg":"signing tokens with HS256 \(JWT_SECRET\): \/\.well-known\/jwks\.json is empty, so app backends cannot verify/);
      assert.deepEqual((await before.http('GET', '/.well-known/jwks.json')).body, { keys: [] });
      const { username } = await registerV1(before.http);
      oldToken = (await before.http('POST', '/api/v1/auth/login/json', { body: { username, password: 'password123' } })).body.access_token;
      assert.equal(JSON.parse(Buffer.from(oldToken.split('.')[0]!, 'base64url').toString()).alg, 'HS256');
    } finally {
      await before.stop();
    }

    // After: as docs/operations.md shows it.
    const after = await startServerProcess({ ...shared, JWT_ALGORITHM: 'ES256', JWT_PREVIOUS_SECRETS: OLD_SECRET });
    try {
      const out = await after.logged(/signing tokens with ES256/);
      assert.match(out, /signing tokens with ES256 \(key [\w-]+, kept in the database\); \/\.well-known\/jwks\.json publishes 1 key/);
      assert.doesNotMatch(out, /HS256/);
      assert.ok(!out.includes(OLD_SECRET));
      const jwks = (await after.http('GET', '/.well-known/jwks.json')).body as { keys: { alg: string }[] };
      assert.deepEqual(
        jwks.keys.map((k) => k.alg),
        ['ES256'],
      );
      // A token handed out before the move is still accepted until its own exp.
      assert.equal((await after.http('GET', '/api/v1/auth/me', { token: oldToken })).status, 200);
      const { username } = await registerV1(after.http);
      const fresh = (await after.http('POST', '/api/v1/auth/login/json', { body: { username, password: 'password123' } })).body.access_token as string;
      assert.equal(JSON.parse(Buffer.from(fresh.split('.')[0]!, 'base64url').toString()).alg, 'ES256');
      assert.equal((await after.http('GET', '/api/v1/auth/me', { token: fresh })).status, 200);
    } finally {
      await after.stop();
    }

    // Without the old secret, the old token is refused: JWT_PREVIOUS_SECRETS is what kept it.
    const without = await startServerProcess({ ...shared, JWT_ALGORITHM: 'ES256' });
    try {
      assert.equal((await without.http('GET', '/api/v1/auth/me', { token: oldToken })).status, 401);
    } finally {
      await without.stop();
    }

    // Back to HS256: the JWKS still lists the ES256 key until its tokens expire, but none of it verifies what is signed now.
    const back = await startServerProcess({ ...shared, JWT_SECRET: OLD_SECRET, JWT_ALGORITHM: 'HS256' });
    try {
      assert.match(await back.logged(/signing tokens with HS256/), /\/\.well-known\/jwks\.json has only 1 older key, so app backends cannot verify/);
    } finally {
      await back.stop();
    }
  });
});
