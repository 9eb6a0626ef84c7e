// The OpenID provider's `organizations` scope (issue 35): an app signing Bob
// in with `openid organizations` sees Acme with his roles in the id_token and
// at userinfo, read when the token is made (a membership ended is gone from
// the next one); without the scope, no claim. openid-client is the app; the
// pages are walked as plain forms.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import * as client from 'openid-client';
import { authorizationRequest, callbackServer, CookieJar, formWalk, freePort, refusedWith, relyingParty } from '../../helpers/oidc.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { PASSWORD, registerAndLogin } from '../../helpers/users.ts';

let server: TestServer;
let rp: Awaited<ReturnType<typeof callbackServer>>;
let config: client.Configuration;

before(async () => {
  const port = await freePort();
  server = await startTestServer({ port, env: { PUBLIC_URL: `http://127.0.0.1:${port}` } });
  rp = await callbackServer();
  const registered = await server.core.apps.register({ name: 'Invoices', redirectUris: [rp.url] });
  config = await relyingParty(`http://127.0.0.1:${port}/oidc`, registered.app.clientId, registered.secret!);
});
after(async () => {
  await rp?.close();
  await server?.close();
});

async function signIn(email: string, scope: string, extra: Record<string, string> = {}) {
  const request = await authorizationRequest(config, rp.url, { scope, ...extra });
  const { callback } = await formWalk(new CookieJar(), request.url, { login: email, password: PASSWORD }, rp.url);
  return client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce });
}

test('scope organizations: the id_token and userinfo carry [{id, slug, roles}]; without the scope nothing; a removed membership is gone', async () => {
  const ann = await registerAndLogin(server.http);
  const bob = await registerAndLogin(server.http);
  const annUser = (await server.core.accounts.findByEmail(ann.email))!;
  const bobUser = (await server.core.accounts.findByEmail(bob.email))!;
  const acme = await server.core.orgs.organizations.create({ name: 'Acme', slug: 'acme' }, annUser);
  await server.core.orgs.roles.define('billing', ['invoices:read'], '', null);
  await server.core.orgs.members.add(acme.id, bobUser, ['admin', 'billing'], annUser);

  const tokens = await signIn(bob.email, 'openid organizations');
  assert.deepEqual(tokens.claims()!.organizations, [{ id: acme.id, slug: 'acme', roles: ['admin', 'billing'] }]);
  const info = await client.fetchUserInfo(config, tokens.access_token, bobUser.uuid);
  assert.deepEqual(info.organizations, [{ id: acme.id, slug: 'acme', roles: ['admin', 'billing'] }]);
  assert.ok(config.serverMetadata().scopes_supported?.includes('organizations'));

  const plain = await signIn(bob.email, 'openid email');
  assert.equal(plain.claims()!.organizations, undefined);

  await server.core.orgs.members.remove(acme.id, bobUser.uuid, annUser);
  assert.deepEqual((await client.fetchUserInfo(config, tokens.access_token, bobUser.uuid)).organizations, []);
});

test('organization=<uuid>: the access token is an RFC 9068 JWT with org_id, org_roles and permissions; refreshed while a member, invalid_grant once removed; a non-member is refused', async () => {
  const ann = await registerAndLogin(server.http);
  const bob = await registerAndLogin(server.http);
  const carol = await registerAndLogin(server.http);
  const annUser = (await server.core.accounts.findByEmail(ann.email))!;
  const bobUser = (await server.core.accounts.findByEmail(bob.email))!;
  const acme = await server.core.orgs.organizations.create({ name: 'Acme', slug: 'acme-tokens' }, annUser);
  await server.core.orgs.roles.define('invoicing', ['invoices:read', 'invoices:write'], '', null);
  await server.core.orgs.members.add(acme.id, bobUser, ['admin', 'invoicing'], annUser);

  const tokens = await signIn(bob.email, 'openid organizations offline_access', { organization: acme.id });
  assert.deepEqual(tokens.claims()!.organizations, [{ id: acme.id, slug: 'acme-tokens', roles: ['admin', 'invoicing'] }]);
  assert.equal(decodeProtectedHeader(tokens.access_token).typ, 'at+jwt');
  const access = decodeJwt(tokens.access_token);
  assert.equal(access.sub, bobUser.uuid);
  assert.equal(access.aud, `${server.env.PUBLIC_URL}/api`);
  assert.equal(access.org_id, acme.id);
  assert.deepEqual(access.org_roles, ['admin', 'invoicing']);
  assert.deepEqual(access.permissions, ['invoices:read', 'invoices:write']);
  // Legacy surfaces refuse it: it is not one of their tokens.
  assert.equal((await server.http('GET', '/api/users/me', { token: tokens.access_token })).status, 401);

  // A refresh while a member: a new token for the same organisation, with the roles as they are now.
  await server.core.orgs.members.setRoles(acme.id, bobUser.uuid, ['member'], annUser);
  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
  assert.equal(decodeJwt(refreshed.access_token).org_id, acme.id);
  assert.deepEqual(decodeJwt(refreshed.access_token).org_roles, ['member']);
  assert.deepEqual(decodeJwt(refreshed.access_token).permissions, []);

  // Removed from Acme: his next token for Acme is refused.
  await server.core.orgs.members.remove(acme.id, bobUser.uuid, annUser);
  await refusedWith(client.refreshTokenGrant(config, refreshed.refresh_token ?? tokens.refresh_token!), 'invalid_grant');

  // Carol is no member: asking for Acme ends at the code exchange with invalid_grant.
  await refusedWith(signIn(carol.email, 'openid organizations', { organization: acme.id }), 'invalid_grant');
  // Not a uuid: the authorization request itself is refused.
  await refusedWith(signIn(carol.email, 'openid', { organization: 'acme' }), 'invalid_request');
});
