// What an operator sees: one access-log line per request, audit lines for
// lockouts, and Prometheus metrics that only the right clients can read.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { PASSWORD, registerAndLogin } from '../helpers/users.ts';

const lines = (server: TestServer) => server.logs.map((l) => JSON.parse(l) as Record<string, unknown>);

describe('access log', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  test('one line per request: method, route, status, ms, request id, user id; never the token', async () => {
    const { token } = await registerAndLogin(server.http);
    const r = await server.http('GET', '/api/users/me', { token });
    const line = lines(server).find((l) => l.msg === 'request' && l.route === '/api/users/me');
    assert.ok(line, 'a line for GET /api/users/me');
    assert.equal(line.method, 'GET');
    assert.equal(line.status, 200);
    assert.equal(typeof line.ms, 'number');
    assert.equal(typeof line.reqId, 'string');
    assert.equal(typeof line.userId, 'number');
    assert.equal(r.status, 200);
    assert.ok(!server.logs.join('').includes(token.split('.')[2]!), 'no token in the log');
    // a 401 storm leaves a trace
    for (let i = 0; i < 3; i++) await server.http('GET', '/api/users/me', { token: 'a.b.c' });
    assert.equal(lines(server).filter((l) => l.msg === 'request' && l.status === 401).length, 3);
  });

  test('a lockout is a warning line naming the account', async () => {
    const { email } = await registerAndLogin(server.http);
    for (let i = 0; i < 5; i++) await server.http('POST', '/api/users/login', { body: { email, password: 'wrong-password' } });
    const locked = lines(server).find((l) => l.audit === 'account.locked');
    assert.ok(locked, 'audit line');
    assert.equal(locked.level, 40);
    assert.equal(typeof locked.userId, 'number');
  });

  test('LOG_REQUESTS=off writes no request lines (benchmarks)', async () => {
    const quiet = await startTestServer({ env: { LOG_REQUESTS: 'off' } });
    try {
      await quiet.http('GET', '/healthz');
      assert.equal(lines(quiet).filter((l) => l.msg === 'request').length, 0);
    } finally {
      await quiet.close();
    }
  });
});

describe('/metrics', () => {
  test('requests by route and status, auth events and the argon2 queue, for loopback clients', async () => {
    // The test client plays the proxy at 127.0.0.1 (TRUST_PROXY names it), so X-Forwarded-For can name a remote client.
    const server = await startTestServer({ env: { TRUST_PROXY: '127.0.0.1' } });
    try {
      const { email } = await registerAndLogin(server.http);
      await server.http('POST', '/api/users/login', { body: { email, password: 'wrong-password' } });
      await server.http('POST', '/api/users/login', { body: { email, password: PASSWORD } });
      const m = await server.http('GET', '/metrics');
      assert.equal(m.status, 200);
      assert.match(m.headers.get('content-type') ?? '', /text\/plain/);
      assert.match(m.text, /gatehouse_http_requests_total\{method="POST",route="\/api\/users\/login",status="400"\} 1/);
      assert.match(m.text, /gatehouse_http_request_duration_seconds_bucket\{le="0\.005",method="POST",route="\/api\/users\/login",status="200"\}/);
      // two logins answered 200: counted, every one in the +Inf bucket, and the buckets never shrink
      const loginLine = (suffix: string) =>
        new RegExp(`gatehouse_http_request_duration_seconds_${suffix}method="POST",route="/api/users/login",status="200"\\} ([\\d.e+-]+)`);
      assert.equal(loginLine('count\\{').exec(m.text)?.[1], '2');
      assert.equal(loginLine('bucket\\{le="\\+Inf",').exec(m.text)?.[1], '2');
      assert.ok(Number(loginLine('sum\\{').exec(m.text)?.[1]) > 0);
      const buckets = [...m.text.matchAll(/_duration_seconds_bucket\{le="[^"]+",method="POST",route="\/api\/users\/login",status="200"\} (\d+)/g)].map((x) =>
        Number(x[1]),
      );
      assert.equal(buckets.length, 12);
      assert.deepEqual(
        buckets,
        [...buckets].sort((a, b) => a - b),
      );
      assert.match(m.text, /gatehouse_auth_events_total\{type="login\.failed"\} 1/);
      assert.match(m.text, /gatehouse_auth_events_total\{type="user\.registered"\} 1/);
      assert.match(m.text, /gatehouse_argon2_queue_length 0/);
      // the client address as the trusted proxy gives it: a remote client is refused
      const remote = await server.http('GET', '/metrics', { headers: { 'x-forwarded-for': '203.0.113.9' } });
      assert.equal(remote.status, 403);
    } finally {
      await server.close();
    }
  });

  test('METRICS_TOKEN: a bearer token is required; METRICS=off: no endpoint', async () => {
    const guarded = await startTestServer({ env: { METRICS_TOKEN: 'scrape-me-please' } });
    const off = await startTestServer({ env: { METRICS: 'off' } });
    try {
      assert.equal((await guarded.http('GET', '/metrics')).status, 401);
      assert.equal((await guarded.http('GET', '/metrics', { token: 'wrong-token' })).status, 401);
      assert.equal((await guarded.http('GET', '/metrics', { token: 'scrape-me-please' })).status, 200);
      assert.equal((await off.http('GET', '/metrics')).status, 404);
    } finally {
      await guarded.close();
      await off.close();
    }
  });
});
