// The invitation mail's link and /account (issue 35): the link names the
// address and the organisation and asks that address to sign in; signed in
// with it, the dashboard lists the invitation with Join and Decline, and my
// organisations with my roles. Another account opening the link is told it
// is for someone else and cannot answer it. Plain forms, no JavaScript.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FormBrowser } from '../../helpers/form-browser.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { loginV1, registerV1, uniqueName, waitForVerification } from '../../helpers/users.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server?.close());

/** An account signed up and verified through /api/v1/auth: its email, password and API token. */
async function verifiedAccount(prefix: string) {
  const name = uniqueName(prefix);
  const { username, email, password } = await registerV1(server.http, { username: name, email: `${name}@example.com` });
  const { token } = await waitForVerification(server.stores.outbox, email);
  assert.equal((await server.http('POST', '/api/v1/auth/verify-email', { body: { token } })).status, 200);
  return { email, password, token: await loginV1(server.http, username) };
}

async function invitationLink(email: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const mail = (await server.stores.outbox.list(50)).find((m) => m.to === email && m.text.includes('/account/invitations?token='));
    const link = mail && /(\/account\/invitations\?token=[A-Za-z0-9_%-]+)/.exec(mail.text)?.[1];
    if (link) return link;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no invitation mail for ${email}`);
}

const text = (page: string) => page.replaceAll('&#39;', "'").replaceAll('&quot;', '"');

test('the link asks the invited address to sign in; the dashboard lists the invitation; Join makes a member; Decline drops it', async () => {
  const ann = await verifiedAccount('ann');
  const bob = await verifiedAccount('bob');
  const acme = (await server.http('POST', '/api/v1/orgs', { token: ann.token, body: { name: 'Acme', slug: 'acme' } })).body.id;
  const beta = (await server.http('POST', '/api/v1/orgs', { token: ann.token, body: { name: 'Beta', slug: 'beta' } })).body.id;
  assert.equal((await server.http('POST', `/api/v1/orgs/${acme}/invitations`, { token: ann.token, body: { email: bob.email, roles: ['admin'] } })).status, 201);
  const link = await invitationLink(bob.email);

  const browser = new FormBrowser(server.url);
  await browser.request('GET', `${link}&lang=en`);
  assert.equal(browser.status, 200);
  assert.ok(text(browser.page).includes(`Sign in as ${bob.email} to answer the invitation to Acme.`), browser.page);
  assert.match(browser.page, new RegExp(`name="login"[^>]*value="${bob.email}"`), 'the address is filled in');
  await browser.post('/account/sign-in?lang=en', { login: bob.email, password: bob.password });
  await browser.request('GET', `${link}&lang=en`);
  assert.equal(browser.status, 200);
  assert.ok(text(browser.page).includes('You are invited to Acme (admin).'), browser.page);
  const id = /name="id" value="(inv_[^"]+)"/.exec(browser.page)![1]!;
  await browser.post('/account/invitations/accept?lang=en', { id });
  assert.equal(browser.status, 200);
  assert.ok(text(browser.page).includes('You joined the organisation.'));
  assert.ok(text(browser.page).includes('Acme (roles: admin)'));
  const me = await server.http('GET', `/api/v1/orgs/${acme}/me`, { token: bob.token });
  assert.deepEqual(me.body.roles, ['admin']);
  // The link is spent.
  await browser.request('GET', `${link}&lang=en`);
  assert.equal(browser.status, 400);
  assert.ok(text(browser.page).includes('This invitation is used, revoked or expired.'));

  // Declined: gone from the dashboard and from the organisation's invitations.
  await server.http('POST', `/api/v1/orgs/${beta}/invitations`, { token: ann.token, body: { email: bob.email, roles: ['member'] } });
  await browser.request('GET', '/account?lang=en');
  const betaId = /name="id" value="(inv_[^"]+)"/.exec(browser.page)![1]!;
  await browser.post('/account/invitations/decline?lang=en', { id: betaId });
  assert.ok(text(browser.page).includes('The invitation was declined.'));
  assert.doesNotMatch(browser.page, /You are invited to Beta/);
  assert.deepEqual((await server.http('GET', `/api/v1/orgs/${beta}/invitations`, { token: ann.token })).body.items, []);
});

test("another account opening the link is told it is someone else's, and cannot answer it", async () => {
  const ann = await verifiedAccount('ann');
  const carolEmail = `${uniqueName('carol')}@example.com`;
  const org = (await server.http('POST', '/api/v1/orgs', { token: ann.token, body: { name: 'Gamma', slug: 'gamma' } })).body.id;
  const invited = await server.http('POST', `/api/v1/orgs/${org}/invitations`, { token: ann.token, body: { email: carolEmail, roles: ['member'] } });
  const link = await invitationLink(carolEmail);
  const mallory = await verifiedAccount('mallory');
  const browser = new FormBrowser(server.url);
  await browser.request('GET', '/account?lang=en');
  await browser.post('/account/sign-in?lang=en', { login: mallory.email, password: mallory.password });
  await browser.request('GET', `${link}&lang=en`);
  assert.ok(text(browser.page).includes(`This invitation is for ${carolEmail}`));
  assert.doesNotMatch(browser.page, /You are invited to Gamma/);
  await browser.post('/account/invitations/accept?lang=en', { id: invited.body.id });
  assert.equal(browser.status, 400);
  assert.equal((await server.http('GET', `/api/v1/orgs/${org}`, { token: mallory.token })).status, 404);
});
