// The console's organisations, read only (issue 35): staff search them by name
// or slug, open one and see its members with their roles, each linking to the
// account, and an account's page lists its memberships; a plain user is kept
// out by the staff guard.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { ConsoleClient, makeAccount } from './console-client.ts';

let server: TestServer;
before(async () => {
  // CONSOLE_MFA off: these tests are about the pages, signed in with a password (the second factor has its own tests).
  server = await startTestServer({ env: { CONSOLE_MFA: 'off' } });
});
after(() => server.close());

test('staff search organisations and read one with its members; a plain user is refused', async () => {
  const staff = await makeAccount(server, 'staff');
  const ann = await makeAccount(server, 'user');
  const bob = await makeAccount(server, 'user');
  const acme = await server.core.orgs.organizations.create({ name: 'Acme Widgets', slug: 'acme-widgets' }, ann);
  await server.core.orgs.organizations.create({ name: 'Beta', slug: 'beta' }, ann);
  await server.core.orgs.members.add(acme.id, bob, ['admin'], null);

  const c = new ConsoleClient(server.url);
  await c.signIn(staff.email!);
  const all = await c.get('/admin/organizations?lang=en');
  assert.equal(all.status, 200);
  assert.match(all.text, /Acme Widgets/);
  assert.match(all.text, /Beta/);
  const found = await c.get('/admin/organizations?lang=en&q=widg');
  assert.match(found.text, /Acme Widgets/);
  assert.doesNotMatch(found.text, />Beta</);
  assert.match((await c.get('/admin/organizations?lang=en&q=nothing-like-it')).text, /No organisation matches\./);

  const one = await c.get(`/admin/organizations/${acme.id}?lang=en`);
  assert.equal(one.status, 200);
  assert.match(one.text, new RegExp(`href="/admin/accounts/${ann.uuid}\\?lang=en">${ann.email}</a></td>\\s*<td>owner</td>`));
  assert.match(one.text, new RegExp(`href="/admin/accounts/${bob.uuid}\\?lang=en">${bob.email}</a></td>\\s*<td>admin</td>`));
  assert.equal((await c.get('/admin/organizations/00000000-0000-4000-8000-000000000000?lang=en')).status, 404);
  // An account's page lists its memberships, each linking to the organisation.
  const account = await c.get(`/admin/accounts/${bob.uuid}?lang=en`);
  assert.match(account.text, new RegExp(`href="/admin/organizations/${acme.id}\\?lang=en">Acme Widgets</a></td>\\s*<td>admin</td>`));
  assert.match((await c.get(`/admin/accounts/${staff.uuid}?lang=en`)).text, /Not a member of any organisation\./);

  const user = new ConsoleClient(server.url);
  await user.signIn(bob.email!).catch(() => {});
  assert.notEqual((await user.get('/admin/organizations?lang=en')).status, 200);
});
