// /api/admin/providers as a superuser's script uses it: add (the callback URL in the answer, the client secret
// never), list, remove; normal users refused; bad input 422; every change audited with the superuser.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { superuserToken } from '../../helpers/factors.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { registerAndLogin } from '../../helpers/users.ts';

let server: TestServer;
let token: string;
before(async () => {
  server = await startTestServer({ env: { PUBLIC_URL: 'https://id.example.com' } });
  token = await superuserToken(server, { email: 'root-idp@example.com', username: 'root_idp' });
});
after(() => server.close());

const corp = {
  id: 'corp',
  kind: 'oidc',
  name: 'Corp SSO',
  issuer: 'https://sso.corp.example',
  client_id: 'gatehouse',
  client_secret: 'the-client-secret-0123',
  audiences: ['ios-app'],
  domains: ['corp.example'],
  trust_mfa: true,
};

test('add answers the provider with its redirect_uri and no secret; list; remove; audited with the superuser', async () => {
  const added = await server.http('POST', '/api/admin/providers', { token, body: corp });
  assert.equal(added.status, 201, added.text);
  assert.equal(added.body.redirect_uri, 'https://id.example.com/idp/corp/callback');
  assert.deepEqual([added.body.has_client_secret, added.body.signup, added.body.trust_mfa, added.body.audiences], [true, true, true, ['ios-app']]);
  assert.doesNotMatch(added.text, /the-client-secret/);
  const listed = await server.http('GET', '/api/admin/providers', { token });
  assert.equal(listed.status, 200);
  assert.deepEqual(
    listed.body.items.map((p: { id: string }) => p.id),
    ['corp'],
  );
  assert.doesNotMatch(listed.text, /the-client-secret/);
  const again = await server.http('POST', '/api/admin/providers', { token, body: corp });
  assert.equal(again.status, 422, again.text);
  const badKind = await server.http('POST', '/api/admin/providers', { token, body: { ...corp, id: 'x', kind: 'saml' } });
  assert.equal(badKind.status, 422, badKind.text);
  const removed = await server.http('DELETE', '/api/admin/providers/corp', { token });
  assert.equal(removed.status, 204, removed.text);
  assert.equal((await server.http('DELETE', '/api/admin/providers/corp', { token })).status, 404);
  const root = await server.core.accounts.findByEmail('root-idp@example.com');
  const audited = await server.core.audit.list(50);
  for (const type of ['provider.added', 'provider.removed'])
    assert.equal(audited.find((e) => e.type === type)?.actorId, root!.id, `${type}, audited with the superuser who did it`);
});

test('a normal user is refused', async () => {
  const { token: userToken } = await registerAndLogin(server.http);
  assert.equal((await server.http('GET', '/api/admin/providers', { token: userToken })).status, 403);
  assert.equal((await server.http('POST', '/api/admin/providers', { token: userToken, body: { ...corp, id: 'nope' } })).status, 403);
});
