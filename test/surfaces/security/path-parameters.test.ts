// A NUL character in any path parameter of any documented route is a 4xx in the
// surface's shape, never a 500: PostgreSQL refuses NUL in text (error 22021), so the
// check has to happen before storage. The routes come from /openapi.json, so a route
// added later is attacked too. Run on the configured backend and, when PostgreSQL is
// available, on PostgreSQL without Redis (sessions then live in PostgreSQL).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { backendUrls, freshDatabase } from '../../helpers/backends.ts';
import type { Client } from '../../helpers/http.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { loginV1 } from '../../helpers/users.ts';

const NUL_VALUES = ['%00', 'a%00b', '1%00', '00000000-0000-4000-8000-000000000000%00'];

async function attackEveryParameter(server: TestServer, http: Client): Promise<number> {
  const doc = (await http('GET', '/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
  const token = await loginV1(server.http, 'boss');
  let sent = 0;
  for (const [template, operations] of Object.entries(doc.paths)) {
    if (!template.includes('{')) continue;
    for (const method of Object.keys(operations)) {
      for (const value of NUL_VALUES) {
        const path = template.replace(/\{[^}]+\}/g, value);
        const r = await http(method.toUpperCase(), path, { token, ...(['post', 'put', 'patch'].includes(method) ? { body: {} } : {}) });
        sent++;
        assert.ok(r.status >= 400 && r.status < 500, `${method.toUpperCase()} ${path} → ${r.status} ${r.text}`);
        assert.notEqual(r.headers.get('content-type')?.includes('json'), false, `${path}: an answer in the surface's JSON shape`);
      }
    }
  }
  return sent;
}

describe('NUL characters in path parameters', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    await server.core.accounts.register({ username: 'boss', email: 'boss@example.com', password: 'password123', isSuperuser: true });
  });
  after(() => server.close());

  test('every documented route with a parameter answers 4xx, on both listeners', async () => {
    const sent = (await attackEveryParameter(server, server.http)) + (await attackEveryParameter(server, server.envelopeHttp));
    assert.ok(sent >= 4 * NUL_VALUES.length, `only ${sent} requests: the document lists fewer routes with parameters than expected`);
  });
});

describe('NUL characters in path parameters, PostgreSQL without Redis', () => {
  const urls = backendUrls();
  let server: TestServer;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  before(async () => {
    if (!urls) return;
    database = await freshDatabase(urls.databaseUrl);
    server = await startTestServer({
      env: {
        DATABASE_URL: database.url,
        REDIS_URL: '',
        JWT_SECRET: 'test-secret-for-postgres-without-redis-0123456789',
        MFA_ENCRYPTION_KEY: 'test-encryption-key-for-postgres-without-redis-01',
      },
    });
    await server.core.accounts.register({ username: 'boss', email: 'boss@example.com', password: 'password123', isSuperuser: true });
  });
  after(async () => {
    await server?.close();
    await database?.drop();
  });

  test('every documented route with a parameter answers 4xx', { skip: urls ? false : 'PostgreSQL not available' }, async () => {
    assert.ok((await attackEveryParameter(server, server.http)) > 0);
  });
});
