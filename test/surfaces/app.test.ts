import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { memoryStores } from '../../src/store/memory/memory-stores.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { PASSWORD, registerAndLogin, uniqueEmail } from '../helpers/users.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

describe('the whole server', () => {
  test('GET /healthz and /readyz', async () => {
    assert.deepEqual((await server.http('GET', '/healthz')).body, { status: 'ok' });
    const ready = await server.http('GET', '/readyz');
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body, { status: 'ready' });
  });

  test('unknown route: 404 {"detail": "Not Found"}; wrong method: 405 with Allow', async () => {
    const missing = await server.http('GET', '/api/nothing-here');
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body, { detail: 'Not Found' });
    const wrong = await server.http('GET', '/api/users/login');
    assert.equal(wrong.status, 405);
    assert.deepEqual(wrong.body, { detail: 'Method Not Allowed' });
    assert.equal(wrong.headers.get('allow'), 'POST');
  });

  test('methods no route uses (QUERY, PROPFIND) answer 405 with Allow in the surface shape, before any body is read', async () => {
    const { rawRequest } = await import('../helpers/raw-http.ts');
    const query = await rawRequest(server.url, 'QUERY', '/api/users/me', {});
    assert.equal(query.status, 405);
    assert.equal(query.headers.allow, 'GET, HEAD');
    assert.deepEqual(JSON.parse(query.body.toString()), { detail: 'Method Not Allowed' });
    const envelope = await rawRequest(server.url, 'PROPFIND', '/api/v1/users/profile', {});
    assert.equal(envelope.status, 405);
    assert.deepEqual(JSON.parse(envelope.body.toString()), { status: 'error', message: '请求方法不允许', code: 'METHOD_NOT_ALLOWED' });
    const unknown = await rawRequest(server.url, 'QUERY', '/api/nothing', {});
    assert.deepEqual([unknown.status, JSON.parse(unknown.body.toString())], [404, { detail: 'Not Found' }]);
  });

  test('JSON nested thousands deep is a 4xx in each surface shape, never a 500', async () => {
    const deep = `${'['.repeat(7000)}${']'.repeat(7000)}`;
    const users = await server.http('POST', '/api/users/login', { raw: deep });
    assert.deepEqual([users.status, users.body.detail[0].type], [422, 'json_invalid']);
    const v1 = await server.http('POST', '/api/v1/auth/login/json', { raw: deep });
    assert.equal(v1.status, 400);
    const envelope = await server.envelopeHttp('POST', '/api/v1/auth/login', { raw: `{"a":${deep}}` });
    assert.deepEqual([envelope.status, envelope.body.code], [400, 'VALIDATION_ERROR']);
    // 64 levels are still read (and judged by the schema)
    const ok = await server.http('POST', '/api/users/login', { raw: `{"email":${'['.repeat(63)}${']'.repeat(63)}}` });
    assert.equal(ok.status, 422);
    assert.notEqual(ok.body.detail[0].type, 'json_invalid');
  });

  test('a body over 64 KiB: 413, and nothing is stored', async () => {
    const email = uniqueEmail('big');
    const r = await server.http('POST', '/api/users/register', { body: { email, password: PASSWORD, first_name: 'x'.repeat(70_000) } });
    assert.equal(r.status, 413);
    assert.deepEqual(r.body, { detail: 'Request body too large' });
    assert.equal(await server.core.accounts.findByEmail(email), null);
  });

  test('a body that is not JSON is a 415 in the surface shape', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/plain;charset=UTF-8']) {
      const r = await server.http('POST', '/api/users/login', { raw: 'email=a', headers: { 'content-type': type } });
      assert.deepEqual([r.status, r.body], [415, { detail: 'Unsupported Media Type' }], type);
    }
    const xml = await server.http('POST', '/api/users/login', { raw: '<a/>', headers: { 'content-type': 'application/xml' } });
    assert.equal(xml.status, 415);
    assert.deepEqual(xml.body, { detail: 'Unsupported Media Type' });
  });

  test('/openapi.json documents every users endpoint; /docs serves Swagger UI', async () => {
    const doc = (await server.http('GET', '/openapi.json')).body;
    assert.equal(doc.openapi, '3.1.0');
    for (const path of [
      '/api/users/register',
      '/api/users/login',
      '/api/users/me',
      '/api/users/logout',
      '/api/users/refresh_token',
      '/api/users/reset_password',
    ]) {
      assert.ok(doc.paths[path], path);
    }
    assert.deepEqual(doc.paths['/api/users/login'].post.tags, ['users (email login, refresh by access token)']);
    const expected: Record<string, string[]> = {
      'auth (username login, refresh token)': ['/api/auth/register', '/api/auth/login', '/api/auth/refresh', '/api/user/me'],
      'v1-auth (Chinese messages, plain bodies)': [
        '/api/v1/auth/register',
        '/api/v1/auth/login',
        '/api/v1/auth/login/json',
        '/api/v1/auth/logout',
        '/api/v1/auth/me',
        '/api/v1/auth/refresh',
        '/api/v1/auth/change-password',
        '/api/v1/auth/forgot-password',
        '/api/v1/auth/reset-password',
      ],
      'v1-users (profile and settings, envelope)': ['/api/v1/users/profile', '/api/v1/users/settings'],
    };
    for (const [tag, paths] of Object.entries(expected)) {
      for (const path of paths) {
        const operations = Object.values(doc.paths[path] ?? {}) as Array<{ tags?: string[] }>;
        assert.ok(operations.length > 0 && operations.every((op) => op.tags?.includes(tag)), `${path} under ${tag}`);
      }
    }
    // examples come from the seeds
    const v1Register = doc.paths['/api/v1/auth/register'].post.requestBody.content['application/json'];
    assert.equal(v1Register.example.username, 'testuser');
    assert.ok(doc.paths['/api/v1/auth/login'].post.requestBody.content['application/x-www-form-urlencoded']);
    assert.ok(doc.paths['/api/users/register'].post.requestBody.content['application/json'].schema.properties.email);
    const ui = await server.http('GET', '/docs/');
    assert.equal(ui.status, 200);
    assert.match(ui.text, /swagger/i);
  });

  test('each listener documents its own style of /api/v1/auth', async () => {
    const main = (await server.http('GET', '/openapi.json')).body;
    const envelope = (await server.envelopeHttp('GET', '/openapi.json')).body;
    assert.deepEqual(main.paths['/api/v1/auth/me'].get.tags, ['v1-auth (Chinese messages, plain bodies)']);
    assert.deepEqual(envelope.paths['/api/v1/auth/me'].get.tags, ['v1-auth (envelope: {status, message, data})']);
    assert.ok(envelope.paths['/api/v1/auth/me'].get.responses['200'].content['application/json'].schema.properties.status);
    assert.ok(envelope.paths['/api/users/me'], 'every other surface on both');
  });

  test('passwords are hashed off the event loop: /healthz answers while 20 logins are in flight', async () => {
    // Two accounts, 10 each: the per-account limit (10 a minute) takes its slot before a password is checked.
    const accounts = [await registerAndLogin(server.http), await registerAndLogin(server.http)];
    let loginsDone = 0;
    const logins = Array.from({ length: 20 }, (_, i) =>
      server.http('POST', '/api/users/login', { body: { email: accounts[i % 2]!.email, password: PASSWORD } }).then((r) => {
        loginsDone++;
        return r;
      }),
    );
    // give the logins a moment to reach the hashing stage
    await new Promise((resolve) => setTimeout(resolve, 5));
    const health = await server.http('GET', '/healthz');
    const doneWhenHealthAnswered = loginsDone;
    const results = await Promise.all(logins);
    assert.equal(health.status, 200);
    assert.ok(results.every((r) => r.status === 200));
    // 20 argon2 hashes take ~100 ms of CPU on 2 cores; a blocked loop would answer /healthz last
    assert.ok(doneWhenHealthAnswered < 20, `health answered after ${doneWhenHealthAnswered} of 20 logins`);
  });

  test('no response or log line contains a password, a password hash or a full token', async () => {
    const secretPassword = 'very-secret-Pa55word';
    const email = uniqueEmail('leak');
    const answers: string[] = [];
    const track = async (p: ReturnType<typeof server.http>) => {
      const r = await p;
      answers.push(r.text, JSON.stringify([...r.headers]));
      return r;
    };
    await track(server.http('POST', '/api/users/register', { body: { email, password: secretPassword, first_name: 'L' } }));
    await track(server.http('POST', '/api/users/register', { body: { email, password: secretPassword, first_name: 'L' } }));
    await track(server.http('POST', '/api/users/register', { body: { email: 'bad', password: secretPassword, first_name: 7 } }));
    await track(server.http('POST', '/api/users/login', { body: { email, password: `Wrong-${secretPassword}` } }));
    const login = await server.http('POST', '/api/users/login', { body: { email, password: secretPassword } });
    const token = login.body.access_token as string;
    await track(server.http('GET', '/api/users/me', { token }));
    await track(server.http('POST', '/api/users/refresh_token', { token }));
    await track(server.http('POST', '/api/users/reset_password', { body: { email, old_password: `Wrong-${secretPassword}`, new_password: secretPassword } }));
    await track(server.http('POST', '/api/users/logout', { token }));
    await track(server.http('POST', '/api/users/logout', { token }));
    const hash = (await server.core.accounts.findByEmail(email))!.passwordHash;
    const haystack = answers.join('\n') + server.logs.join('\n');
    for (const needle of [secretPassword, hash, hash.split('$').at(-1)!, token, token.split('.')[2]!]) {
      assert.ok(!haystack.includes(needle), `leaked: ${needle.slice(0, 12)}...`);
    }
  });
});

describe('an unexpected fault', () => {
  test('answers 500 in the surface shape with the request id, and logs the cause under that id', async () => {
    const stores = memoryStores();
    stores.products.popular = async () => {
      throw new Error('disk on fire');
    };
    const broken = await startTestServer({ stores });
    try {
      const r = await broken.http('GET', '/api/products/popular');
      assert.deepEqual([r.status, r.body], [500, { detail: 'Internal Server Error' }]);
      const id = r.headers.get('x-request-id');
      assert.ok(id, 'x-request-id');
      const line = broken.logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'unexpected failure');
      assert.equal(line?.reqId, id);
      assert.match(JSON.stringify(line.err), /disk on fire/);
      assert.ok(!r.text.includes('disk on fire'), 'no cause in the answer');
    } finally {
      await broken.close();
    }
  });
});
