// Custom organisation roles are defined by superusers only (issue 35):
// /api/admin/roles defines, lists and removes them, audited with the
// superuser; an organisation's owner (not a superuser) is refused, by the
// route and by the core rule behind it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { enrolTotp, twoStepToken } from '../../helpers/factors.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { loginV1, registerV1 } from '../../helpers/users.ts';

let server: TestServer;
let adminToken: string;
let rootId: number;
before(async () => {
  server = await startTestServer();
  const root = await server.core.accounts.register({
    username: 'root_roles',
    email: 'root-roles@example.com',
    password: 'admin-password-1',
    isSuperuser: true,
  });
  rootId = root.id;
  const { codeAt } = await enrolTotp(server.core, root, 'admin-password-1');
  adminToken = await twoStepToken(server.http, server.clock, 'root_roles', 'admin-password-1', codeAt);
});
after(() => server.close());

test('a superuser defines, lists and removes a custom role; an organisation owner cannot define one', async () => {
  const put = await server.http('PUT', '/api/admin/roles/billing', {
    token: adminToken,
    body: { permissions: ['invoices:read', 'invoices:pay'], description: 'pays' },
  });
  assert.equal(put.status, 200, put.text);
  assert.deepEqual(put.body, { name: 'billing', description: 'pays', built_in: false, permissions: ['invoices:pay', 'invoices:read'] });
  const listed = await server.http('GET', '/api/admin/roles', { token: adminToken });
  assert.deepEqual(
    listed.body.items.map((r: { name: string }) => r.name),
    ['owner', 'admin', 'member', 'billing'],
  );
  const audited = await server.core.audit.query({ limit: 10, type: 'role.defined' });
  assert.equal(audited[0]?.actorId, rootId);
  assert.equal((await server.http('PUT', '/api/admin/roles/owner', { token: adminToken, body: { permissions: ['x'] } })).status, 422);

  // An organisation's owner is no superuser: refused by the route, and by the core.
  const { username, email } = await registerV1(server.http);
  const token = await loginV1(server.http, username);
  assert.equal((await server.http('POST', '/api/v1/orgs', { token, body: { name: 'Own', slug: 'own' } })).status, 201);
  assert.equal((await server.http('PUT', '/api/admin/roles/god', { token, body: { permissions: ['everything'] } })).status, 403);
  const owner = (await server.core.accounts.findByEmail(email))!;
  await assert.rejects(server.core.orgs.roles.define('god', ['everything'], '', owner), (e: { code: string }) => e.code === 'FORBIDDEN');
  await assert.rejects(server.core.orgs.roles.remove('billing', owner), (e: { code: string }) => e.code === 'FORBIDDEN');

  assert.equal((await server.http('DELETE', '/api/admin/roles/billing', { token: adminToken })).status, 204);
  assert.equal((await server.http('DELETE', '/api/admin/roles/billing', { token: adminToken })).status, 404);
});
