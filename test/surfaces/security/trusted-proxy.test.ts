// Behind a proxy that appends to X-Forwarded-For (as nginx does), the client is the
// address the proxy saw, whatever the client wrote in the header: for the /metrics
// loopback guard, per-IP rate limits, audit events and session records. Both safe
// forms of TRUST_PROXY: a hop count and the proxy's address.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { client, type Client } from '../../helpers/http.ts';
import { PEER_HEADER, startForwardingProxy, type ForwardingProxy } from '../../helpers/forwarding-proxy.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { PASSWORD, uniqueEmail } from '../../helpers/users.ts';

for (const trustProxy of ['1', '127.0.0.1']) {
  describe(`TRUST_PROXY=${trustProxy}, one proxy in front`, () => {
    let server: TestServer;
    let proxy: ForwardingProxy;
    let http: Client;
    before(async () => {
      // Per-IP limit lowered to 3 so that escaping it would show within a few requests.
      server = await startTestServer({ env: { TRUST_PROXY: trustProxy, RATE_LIMIT_PER_IP: '3' } });
      proxy = await startForwardingProxy(server.url);
      http = client(proxy.url);
    });
    after(async () => {
      await proxy.close();
      await server.close();
    });

    test('/metrics: a remote client writing X-Forwarded-For: 127.0.0.1 is not loopback; a client on the host is', async () => {
      for (const forged of ['127.0.0.1', '127.0.0.1, 198.51.100.7', '::1']) {
        const r = await http('GET', '/metrics', { headers: { [PEER_HEADER]: '203.0.113.7', 'x-forwarded-for': forged } });
        assert.equal(r.status, 403, forged);
      }
      assert.equal((await http('GET', '/metrics', { headers: { [PEER_HEADER]: '203.0.113.7' } })).status, 403);
      assert.equal((await http('GET', '/metrics')).status, 200);
    });

    test('per-IP limits: rotating a forged X-Forwarded-For does not escape them; another client has its own budget', async () => {
      const statuses = [];
      for (let i = 0; i < 6; i++) {
        const r = await http('POST', '/api/users/login', {
          body: { email: uniqueEmail('nobody'), password: 'wrong-password' },
          headers: { [PEER_HEADER]: '203.0.113.20', 'x-forwarded-for': `198.51.100.${i + 1}` },
        });
        statuses.push(r.status);
      }
      assert.deepEqual(statuses, [400, 400, 400, 429, 429, 429]);
      const other = await http('POST', '/api/users/login', {
        body: { email: uniqueEmail('nobody'), password: 'wrong-password' },
        headers: { [PEER_HEADER]: '203.0.113.21' },
      });
      assert.equal(other.status, 400, 'a client behind the same proxy is not shut out');
    });

    test('audit events and sessions record the address the proxy saw, not the forged one', async () => {
      const email = uniqueEmail('proxied');
      const headers = { [PEER_HEADER]: '203.0.113.30', 'x-forwarded-for': '10.9.9.9' };
      assert.equal((await http('POST', '/api/users/register', { body: { email, password: PASSWORD, first_name: 'P' }, headers })).status, 200);
      const login = await http('POST', '/api/users/login', { body: { email, password: PASSWORD }, headers });
      assert.equal(login.status, 200, login.text);
      const user = await server.stores.users.findByEmail(email);
      assert.ok(user);
      const events = await server.stores.audit.list(10, user.id);
      const types = events.map((e) => e.type);
      assert.ok(types.includes('login.succeeded') && types.includes('user.registered'), types.join());
      for (const event of events) assert.equal(event.ip, '203.0.113.30', event.type);
      const sessions = await server.stores.sessions.listForUser(user.id);
      assert.equal(sessions.length, 1);
      assert.equal(sessions[0]!.ip, '203.0.113.30');
    });
  });
}
