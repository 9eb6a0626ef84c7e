// JSON endpoints take JSON only: a form (or text/plain) body, which any web page can
// make a visitor's browser send cross-origin without a preflight, is 415 in the
// surface's shape and does nothing. Only the form login of /api/v1/auth (plain style)
// takes a form. The operations come from /openapi.json, on both listeners.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Client } from '../../helpers/http.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { registerV1, waitForResetToken } from '../../helpers/users.ts';

type Operation = { requestBody?: { content: Record<string, unknown> } };

async function formBodiesEverywhere(http: Client, envelope: boolean): Promise<number> {
  const doc = (await http('GET', '/openapi.json')).body as { paths: Record<string, Record<string, Operation>> };
  let sent = 0;
  for (const [template, operations] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(operations)) {
      const content = op.requestBody?.content;
      if (!content || 'application/x-www-form-urlencoded' in content) continue;
      const path = template.replace(/\{[^}]+\}/g, '1');
      for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=b']) {
        const r = await http(method.toUpperCase(), path, { raw: 'email=someone%40example.com&username=someone', headers: { 'content-type': type } });
        sent++;
        assert.equal(r.status, 415, `${method.toUpperCase()} ${path} (${type}) → ${r.status} ${r.text}`);
        // /api/v1/orgs follows /api/v1/auth: plain on the main listener, the envelope on the envelope listener.
        const enveloped = path.startsWith('/api/v1/users') || (envelope && (path.startsWith('/api/v1/auth') || path.startsWith('/api/v1/orgs')));
        const shaped = enveloped ? r.body?.status === 'error' && r.body?.code === 'HTTP_415' : r.body?.detail !== undefined;
        assert.ok(shaped, `${path}: ${r.text}`);
      }
    }
  }
  return sent;
}

describe('JSON-only endpoints refuse other media types', () => {
  let server: TestServer;
  before(async () => {
    // Every operation is sent three times: the per-IP limits are raised so that the
    // answers are the media-type check's, not a 429 (limits are tested elsewhere).
    server = await startTestServer({ env: { RATE_LIMIT_PER_IP: '10000' } });
  });
  after(() => server.close());

  test('every JSON operation answers 415 in its surface shape, on both listeners', async () => {
    const sent = (await formBodiesEverywhere(server.http, false)) + (await formBodiesEverywhere(server.envelopeHttp, true));
    assert.ok(sent > 60, `only ${sent} requests`);
  });

  test('a form to forgot-password sends no mail; the plain form login still works', async () => {
    const { username, email } = await registerV1(server.http);
    for (const type of ['application/x-www-form-urlencoded', 'text/plain'])
      assert.equal(
        (await server.http('POST', '/api/v1/auth/forgot-password', { raw: `email=${encodeURIComponent(email)}`, headers: { 'content-type': type } })).status,
        415,
      );
    // Then one in JSON: once its mail is there, it is the only one (mail goes out after the answer, in order).
    assert.equal((await server.http('POST', '/api/v1/auth/forgot-password', { body: { email } })).status, 200);
    await waitForResetToken(server.stores.outbox, email);
    const mails = (await server.stores.outbox.list(1000)).filter((m) => m.to === email.toLowerCase() && !m.text.includes('verify-email?token='));
    assert.equal(mails.length, 1);
    const login = await server.http('POST', '/api/v1/auth/login', { form: { username, password: 'password123' } });
    assert.equal(login.status, 200, login.text);
  });
});
