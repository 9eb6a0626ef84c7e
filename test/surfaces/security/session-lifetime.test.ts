// A session ends at its lifetime (7 days without remember-me) whatever the token
// presented says: an access token made to outlive its session is refused over HTTP
// once the session's end has passed on the server's clock. On the configured backend
// (SQLite, or Redis in the PostgreSQL + Redis pass) and on PostgreSQL without Redis
// (sessions as SQL rows).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { backendUrls, freshDatabase } from '../../helpers/backends.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { loginV1, registerV1 } from '../../helpers/users.ts';

const DAY = 24 * 3600_000;
const urls = backendUrls();

const setups: Array<{ name: string; skip: string | false; env: () => Promise<{ env: Record<string, string>; drop(): Promise<void> }> }> = [
  { name: 'configured backend', skip: false, env: async () => ({ env: {}, drop: async () => {} }) },
  {
    name: 'PostgreSQL without Redis',
    skip: urls ? false : 'PostgreSQL not available',
    env: async () => {
      const database = await freshDatabase(urls!.databaseUrl);
      return {
        env: {
          DATABASE_URL: database.url,
          REDIS_URL: '',
          JWT_SECRET: 'test-secret-for-postgres-without-redis-0123456789',
          MFA_ENCRYPTION_KEY: 'test-encryption-key-for-postgres-without-redis-01',
        },
        drop: database.drop,
      };
    },
  },
];

for (const setup of setups) {
  describe(`session lifetime, ${setup.name}`, { skip: setup.skip }, () => {
    let server: TestServer;
    let drop: () => Promise<void>;
    before(async () => {
      const backend = await setup.env();
      drop = backend.drop;
      // Access tokens of 14 days on /api/v1/auth (plain), longer than the 7-day session:
      // only the session's own end can refuse them.
      server = await startTestServer({ env: { ...backend.env, V1_AUTH_TOKEN_TTL_MINUTES: String(14 * 24 * 60) } });
    });
    after(async () => {
      await server?.close();
      await drop?.();
    });

    test('a token still valid is refused once its session is past its 7 days', async () => {
      const { username } = await registerV1(server.http);
      const token = await loginV1(server.http, username);
      assert.equal((await server.http('GET', '/api/v1/auth/me', { token })).status, 200);
      server.clock.advance(7 * DAY - 60_000);
      assert.equal((await server.http('GET', '/api/v1/auth/me', { token })).status, 200, 'a minute before its end');
      server.clock.advance(120_000);
      const refused = await server.http('GET', '/api/v1/auth/me', { token });
      assert.equal(refused.status, 401, refused.text);
      assert.equal(refused.headers.get('www-authenticate'), 'Bearer');
      // on the other surfaces too
      assert.equal((await server.http('GET', '/api/users/me', { token })).status, 401);
      assert.equal((await server.envelopeHttp('GET', '/api/v1/users/profile', { token })).status, 401);
    });
  });
}
