// The caches on the authentication path fail closed: a change that cannot be
// announced to the other instances is not acknowledged (503), and a cached session
// is frozen, so the last-seen update of a request does not write into an object
// other requests share.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { backendUrls, freshDatabase, freshPrefix, NO_BACKENDS } from '../../helpers/backends.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { loginV1, registerV1 } from '../../helpers/users.ts';

describe('a cached session is shared by requests, never written into', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  test('a request a minute later records its last-seen time and the session still works', async () => {
    const { username } = await registerV1(server.http);
    const token = await loginV1(server.http, username);
    assert.equal((await server.http('GET', '/api/v1/auth/me', { token })).status, 200);
    server.clock.advance(61_000);
    assert.equal((await server.http('GET', '/api/v1/auth/me', { token })).status, 200);
    assert.equal((await server.http('GET', '/api/v1/auth/me', { token })).status, 200);
    const user = (await server.stores.users.findByUsername(username))!;
    const [session] = await server.stores.sessions.listForUser(user.id);
    assert.equal(session!.lastSeenAt, server.clock.now());
  });
});

const backends = backendUrls();

describe('two instances: a change that cannot be announced is not acknowledged', { skip: backends ? false : NO_BACKENDS }, () => {
  // Instance A talks to Redis as a user whose PUBLISH the test can revoke: the rest of
  // Redis keeps working for A, and B keeps its subscription, as in a partial outage.
  const redisUser = `gh_nopub_${process.pid}_${Date.now().toString(36)}`;
  let admin: Redis;
  let a: TestServer;
  let b: TestServer;
  let drop: () => Promise<void>;
  before(async () => {
    admin = new Redis(backends!.redisUrl);
    await admin.call('ACL', 'SETUSER', redisUser, 'on', '>pw-for-the-test', '~*', '&*', '+@all');
    const database = await freshDatabase(backends!.databaseUrl);
    drop = database.drop;
    const shared = {
      DATABASE_URL: database.url,
      REDIS_PREFIX: freshPrefix(),
      JWT_SECRET: 'shared-secret-shared-secret-shared-secret-42',
      MFA_ENCRYPTION_KEY: 'shared-encryption-key-shared-encryption-key-4',
    };
    const aUrl = new URL(backends!.redisUrl);
    aUrl.username = redisUser;
    aUrl.password = 'pw-for-the-test';
    a = await startTestServer({ env: { ...shared, REDIS_URL: aUrl.toString() } });
    b = await startTestServer({ env: { ...shared, REDIS_URL: backends!.redisUrl } });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await drop?.();
    await admin?.call('ACL', 'DELUSER', redisUser);
    admin?.disconnect();
  });

  test('a logout whose announcement fails answers 503 and ends nothing; once it can be announced, B refuses at once', async () => {
    const { username } = await registerV1(b.http);
    const token = await loginV1(b.http, username);
    // B has the session in memory now
    assert.equal((await b.http('GET', '/api/v1/auth/me', { token })).status, 200);
    assert.equal((await a.http('GET', '/api/v1/auth/me', { token })).status, 200);

    await admin.call('ACL', 'SETUSER', redisUser, '-publish');
    const refused = await a.http('POST', '/api/v1/auth/logout', { token });
    assert.equal(refused.status, 503, refused.text);
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
    // not half done: both instances agree the session is still there
    assert.equal((await b.http('GET', '/api/v1/auth/me', { token })).status, 200);
    assert.equal((await a.http('GET', '/api/v1/auth/me', { token })).status, 200);

    await admin.call('ACL', 'SETUSER', redisUser, '+publish');
    assert.equal((await a.http('POST', '/api/v1/auth/logout', { token })).status, 200);
    assert.equal((await b.http('GET', '/api/v1/auth/me', { token })).status, 401);
  });

  test('a password change whose announcement fails answers 503; the other sessions still agree everywhere', async () => {
    const { username } = await registerV1(b.http);
    const first = await loginV1(b.http, username);
    const second = await loginV1(b.http, username);
    assert.equal((await b.http('GET', '/api/v1/auth/me', { token: second })).status, 200);
    await admin.call('ACL', 'SETUSER', redisUser, '-publish');
    try {
      const change = await a.http('POST', '/api/v1/auth/change-password', { token: first, body: { old_password: 'password123', new_password: 'password456' } });
      assert.equal(change.status, 503, change.text);
    } finally {
      await admin.call('ACL', 'SETUSER', redisUser, '+publish');
    }
    const onA = (await a.http('GET', '/api/v1/auth/me', { token: second })).status;
    const onB = (await b.http('GET', '/api/v1/auth/me', { token: second })).status;
    assert.equal(onB, onA, 'B serves what A would');
  });
});
