// Organisations as a new user would script them against /api/v1/orgs (issue
// 35's "done when"): Ann creates Acme and invites Bob as admin; Bob gets the
// mail, signs up, verifies and accepts; Bob invites Carol as member; Carol
// cannot invite (403); the last owner cannot leave (409); and each rule of
// core/organizations/ on its own: who may do what, the owner's rules, the
// verified invited address, single use, the hourly invitation budget, user
// deletion, audit events with their actor, webhook events in the outbox.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { loginV1, registerV1, uniqueName, waitForVerification } from '../../helpers/users.ts';

let server: TestServer;

before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server?.close();
});

/** The newest invitation mail to `email`: its accept link's token. */
async function invitationToken(email: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const mail = (await server.stores.outbox.list(50)).find((m) => m.to === email.toLowerCase() && m.text.includes('/account/invitations?token='));
    const token = mail && /\/account\/invitations\?token=([A-Za-z0-9_%-]+)/.exec(mail.text)?.[1];
    if (token) return decodeURIComponent(token);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no invitation mail for ${email}`);
}

interface Person {
  email: string;
  token: string;
  id: number;
}

/** Signs up through /api/v1/auth, verifies the address from its mail (unless told not to), logs in. */
async function person(prefix: string, verify = true): Promise<Person> {
  const name = uniqueName(prefix);
  const { username, email } = await registerV1(server.http, { username: name, email: `${name}@example.com` });
  if (verify) {
    const { token } = await waitForVerification(server.stores.outbox, email);
    const verified = await server.http('POST', '/api/v1/auth/verify-email', { body: { token } });
    assert.equal(verified.status, 200, verified.text);
  }
  const user = await server.core.accounts.findByEmail(email);
  return { email, token: await loginV1(server.http, username), id: user!.id };
}

const uuidOf = async (p: Person) => (await server.core.accounts.findById(p.id))!.uuid;

describe('organisations, as a new user scripts them', () => {
  let ann: Person;
  let bob: Person;
  let carol: Person;
  let acme: string;
  let hook: string;

  before(async () => {
    // A receiver subscribed to every event: the organisation events are in the outbox with their change.
    hook = (await server.core.webhooks.add({ url: 'https://hooks.example.com/orgs', eventTypes: [] })).endpoint.id;
    ann = await person('ann');
  });

  test('Ann creates Acme and becomes its owner; a second Acme slug is refused (409 SLUG_TAKEN)', async () => {
    const made = await server.http('POST', '/api/v1/orgs', { token: ann.token, body: { name: 'Acme', slug: 'acme' } });
    assert.equal(made.status, 201, made.text);
    assert.equal(made.body.name, 'Acme');
    assert.equal(made.body.slug, 'acme');
    acme = made.body.id;
    const again = await server.envelopeHttp('POST', '/api/v1/orgs', { token: ann.token, body: { name: 'Acme 2', slug: 'acme' } });
    assert.equal(again.status, 409);
    assert.equal(again.body.code, 'SLUG_TAKEN');
    const mine = await server.http('GET', '/api/v1/orgs', { token: ann.token });
    assert.deepEqual(mine.body, {
      items: [{ id: acme, name: 'Acme', slug: 'acme', roles: ['owner'], joined_at: mine.body.items[0].joined_at }],
      limit: 50,
      offset: 0,
      next_offset: null,
    });
  });

  test('Ann invites Bob as admin; Bob gets the mail, signs up, verifies and accepts; the link is spent', async () => {
    const name = uniqueName('bob');
    const bobEmail = `${name}@example.com`;
    const invited = await server.http('POST', `/api/v1/orgs/${acme}/invitations`, { token: ann.token, body: { email: bobEmail, roles: ['admin'] } });
    assert.equal(invited.status, 201, invited.text);
    assert.equal(invited.body.email, bobEmail);
    assert.deepEqual(invited.body.roles, ['admin']);
    assert.ok(!('token' in invited.body), 'the token is only mailed');
    const token = await invitationToken(bobEmail);
    // Bob signs up with the invited address; before it is verified, the invitation waits.
    const { username } = await registerV1(server.http, { username: name, email: bobEmail });
    const early = await server.envelopeHttp('POST', '/api/v1/orgs/invitations/accept', { token: await loginV1(server.http, username), body: { token } });
    assert.equal(early.status, 403, early.text);
    assert.equal(early.body.code, 'EMAIL_NOT_VERIFIED');
    const { token: verifyToken } = await waitForVerification(server.stores.outbox, bobEmail);
    assert.equal((await server.http('POST', '/api/v1/auth/verify-email', { body: { token: verifyToken } })).status, 200);
    bob = { email: bobEmail, token: await loginV1(server.http, username), id: (await server.core.accounts.findByEmail(bobEmail))!.id };
    const accepted = await server.http('POST', '/api/v1/orgs/invitations/accept', { token: bob.token, body: { token } });
    assert.equal(accepted.status, 200, accepted.text);
    assert.equal(accepted.body.organization.id, acme);
    assert.deepEqual(accepted.body.roles, ['admin']);
    const twice = await server.envelopeHttp('POST', '/api/v1/orgs/invitations/accept', { token: bob.token, body: { token } });
    assert.equal(twice.status, 400);
    assert.equal(twice.body.code, 'INVITATION_INVALID');
  });

  test('a forwarded link lets no one else in: another verified account is refused (403 INVITATION_EMAIL_MISMATCH), the invitation stays', async () => {
    const invitee = `${uniqueName('dora')}@example.com`;
    assert.equal(
      (await server.http('POST', `/api/v1/orgs/${acme}/invitations`, { token: ann.token, body: { email: invitee, roles: ['member'] } })).status,
      201,
    );
    const token = await invitationToken(invitee);
    const mallory = await person('mallory');
    const refused = await server.envelopeHttp('POST', '/api/v1/orgs/invitations/accept', { token: mallory.token, body: { token } });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, 'INVITATION_EMAIL_MISMATCH');
    assert.equal((await server.http('GET', `/api/v1/orgs/${acme}`, { token: mallory.token })).status, 404, 'still not a member');
    const pending = await server.http('GET', `/api/v1/orgs/${acme}/invitations`, { token: ann.token });
    assert.ok(pending.body.items.some((i: { email: string }) => i.email === invitee));
  });

  test('Bob (admin) invites Carol as member; Carol accepts; Carol cannot invite (403 ORG_FORBIDDEN) nor change roles', async () => {
    const name = uniqueName('carol');
    const carolEmail = `${name}@example.com`;
    const invited = await server.http('POST', `/api/v1/orgs/${acme}/invitations`, { token: bob.token, body: { email: carolEmail, roles: ['member'] } });
    assert.equal(invited.status, 201, invited.text);
    const token = await invitationToken(carolEmail);
    const { username } = await registerV1(server.http, { username: name, email: carolEmail });
    const { token: verifyToken } = await waitForVerification(server.stores.outbox, carolEmail);
    await server.http('POST', '/api/v1/auth/verify-email', { body: { token: verifyToken } });
    carol = { email: carolEmail, token: await loginV1(server.http, username), id: (await server.core.accounts.findByEmail(carolEmail))!.id };
    assert.equal((await server.http('POST', '/api/v1/orgs/invitations/accept', { token: carol.token, body: { token } })).status, 200);

    const refused = await server.envelopeHttp('POST', `/api/v1/orgs/${acme}/invitations`, {
      token: carol.token,
      body: { email: 'eve@example.com', roles: ['member'] },
    });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, 'ORG_FORBIDDEN');
    assert.equal(
      (await server.http('POST', `/api/v1/orgs/${acme}/invitations`, { token: carol.token, body: { email: 'eve@example.com', roles: ['member'] } })).status,
      403,
    );
    assert.equal((await server.http('GET', `/api/v1/orgs/${acme}/invitations`, { token: carol.token })).status, 403);
    const promote = await server.http('PATCH', `/api/v1/orgs/${acme}/members/${await uuidOf(carol)}`, { token: carol.token, body: { roles: ['admin'] } });
    assert.equal(promote.status, 403);
    assert.equal((await server.http('PATCH', `/api/v1/orgs/${acme}`, { token: carol.token, body: { name: 'Mine' } })).status, 403);
    // Carol reads: the organisation and its members.
    const members = await server.http('GET', `/api/v1/orgs/${acme}/members`, { token: carol.token });
    assert.equal(members.status, 200);
    assert.deepEqual(
      members.body.items.map((m: { user: { email: string }; roles: string[] }) => [m.user.email, m.roles]),
      [
        [ann.email, ['owner']],
        [bob.email, ['admin']],
        [carol.email, ['member']],
      ],
    );
    const page = await server.http('GET', `/api/v1/orgs/${acme}/members?limit=2&offset=0`, { token: carol.token });
    assert.equal(page.body.next_offset, 2);
    assert.equal(page.body.items.length, 2);
  });

  test('a non-member is told the organisation does not exist (404), on every route', async () => {
    const dave = await person('dave');
    for (const [method, path] of [
      ['GET', `/api/v1/orgs/${acme}`],
      ['GET', `/api/v1/orgs/${acme}/members`],
      ['GET', `/api/v1/orgs/${acme}/me`],
      ['DELETE', `/api/v1/orgs/${acme}`],
    ] as const)
      assert.equal((await server.http(method, path, { token: dave.token })).status, 404, `${method} ${path}`);
    const envelope = await server.envelopeHttp('GET', `/api/v1/orgs/${acme}`, { token: dave.token });
    assert.equal(envelope.body.code, 'NOT_FOUND');
  });

  test('only owners give, take or touch the owner role: Bob (admin) can neither make Carol owner nor remove Ann, nor invite an owner', async () => {
    const carolUuid = await uuidOf(carol);
    const annUuid = await uuidOf(ann);
    const makeOwner = await server.envelopeHttp('PATCH', `/api/v1/orgs/${acme}/members/${carolUuid}`, { token: bob.token, body: { roles: ['owner'] } });
    assert.equal(makeOwner.status, 403);
    assert.equal(makeOwner.body.code, 'ORG_FORBIDDEN');
    assert.equal((await server.http('DELETE', `/api/v1/orgs/${acme}/members/${annUuid}`, { token: bob.token })).status, 403);
    assert.equal((await server.http('PATCH', `/api/v1/orgs/${acme}/members/${annUuid}`, { token: bob.token, body: { roles: ['member'] } })).status, 403);
    assert.equal(
      (await server.http('POST', `/api/v1/orgs/${acme}/invitations`, { token: bob.token, body: { email: 'o@example.com', roles: ['owner'] } })).status,
      403,
    );
    // An admin manages other members: Bob makes Carol an admin and back.
    assert.equal((await server.http('PATCH', `/api/v1/orgs/${acme}/members/${carolUuid}`, { token: bob.token, body: { roles: ['admin'] } })).status, 200);
    assert.equal((await server.http('PATCH', `/api/v1/orgs/${acme}/members/${carolUuid}`, { token: bob.token, body: { roles: ['member'] } })).status, 200);
    // Admins rename, only owners delete.
    assert.equal((await server.http('PATCH', `/api/v1/orgs/${acme}`, { token: bob.token, body: { name: 'Acme Inc' } })).status, 200);
    assert.equal((await server.http('DELETE', `/api/v1/orgs/${acme}`, { token: bob.token })).status, 403);
    // An owner does it.
    const byAnn = await server.http('PATCH', `/api/v1/orgs/${acme}/members/${carolUuid}`, { token: ann.token, body: { roles: ['owner'] } });
    assert.equal(byAnn.status, 200, byAnn.text);
    assert.equal((await server.http('PATCH', `/api/v1/orgs/${acme}/members/${carolUuid}`, { token: ann.token, body: { roles: ['member'] } })).status, 200);
  });

  test('the last owner cannot leave, be demoted, or be deleted (409 LAST_OWNER); with a second owner she can', async () => {
    const annUuid = await uuidOf(ann);
    const leave = await server.envelopeHttp('DELETE', `/api/v1/orgs/${acme}/members/${annUuid}`, { token: ann.token });
    assert.equal(leave.status, 409);
    assert.equal(leave.body.code, 'LAST_OWNER');
    assert.equal((await server.http('PATCH', `/api/v1/orgs/${acme}/members/${annUuid}`, { token: ann.token, body: { roles: ['admin'] } })).status, 409);
    const annUser = (await server.core.accounts.findById(ann.id))!;
    await assert.rejects(server.core.accounts.delete(annUser), (e: { code: string }) => e.code === 'LAST_OWNER');
    assert.ok(await server.core.accounts.findById(ann.id), 'the account stays');
    // A member may leave: Carol does.
    const carolLeaves = await server.http('DELETE', `/api/v1/orgs/${acme}/members/${await uuidOf(carol)}`, { token: carol.token });
    assert.equal(carolLeaves.status, 204, carolLeaves.text);
    assert.equal((await server.http('GET', `/api/v1/orgs/${acme}`, { token: carol.token })).status, 404);
  });

  test("a custom role's permissions (defined by a superuser) show in /me; roles an app never defined are refused", async () => {
    await server.core.orgs.roles.define('billing', ['invoices:read', 'invoices:pay'], 'pays the bills', null);
    const bobUuid = await uuidOf(bob);
    const unknown = await server.http('PATCH', `/api/v1/orgs/${acme}/members/${bobUuid}`, { token: ann.token, body: { roles: ['admin', 'god'] } });
    assert.equal(unknown.status, 400, unknown.text);
    const set = await server.http('PATCH', `/api/v1/orgs/${acme}/members/${bobUuid}`, { token: ann.token, body: { roles: ['admin', 'billing'] } });
    assert.equal(set.status, 200, set.text);
    const me = await server.http('GET', `/api/v1/orgs/${acme}/me`, { token: bob.token });
    assert.deepEqual(me.body.roles, ['admin', 'billing']);
    assert.deepEqual(me.body.permissions, ['invoices:pay', 'invoices:read']);
    const catalog = await server.http('GET', '/api/v1/orgs/roles', { token: carol.token });
    assert.deepEqual(
      catalog.body.map((r: { name: string }) => r.name),
      ['owner', 'admin', 'member', 'billing'],
    );
  });

  test('every change is audited with its actor and organisation, and told to webhooks in the outbox', async () => {
    const updated = await server.core.audit.query({ limit: 50, type: 'org.member_updated' });
    const byAnn = updated.find((e) => e.actorId === ann.id && e.userId === bob.id);
    assert.ok(byAnn, 'Ann changed Bob');
    assert.match(byAnn.detail!, new RegExp(`org=${acme}`));
    const accepted = await server.core.audit.query({ limit: 50, type: 'org.invitation_accepted' });
    assert.ok(accepted.some((e) => e.userId === bob.id && e.actorId === bob.id && e.detail!.includes(`org=${acme}`)));
    const types = (await server.core.webhooks.deliveries(hook, 200)).map((d) => d.eventType);
    for (const type of [
      'organization.created',
      'organization.updated',
      'organization.member.added',
      'organization.member.updated',
      'organization.member.removed',
      'organization.invitation.created',
    ])
      assert.ok(types.includes(type), type);
  });

  test('deleting an account takes its memberships; deleting the organisation (owner) takes the rest', async () => {
    assert.equal(await server.core.accounts.delete((await server.core.accounts.findById(bob.id))!), true);
    const members = await server.http('GET', `/api/v1/orgs/${acme}/members`, { token: ann.token });
    assert.deepEqual(
      members.body.items.map((m: { user: { email: string } }) => m.user.email),
      [ann.email],
    );
    const gone = await server.envelopeHttp('DELETE', `/api/v1/orgs/${acme}`, { token: ann.token });
    assert.equal(gone.status, 200);
    assert.equal(gone.body.status, 'success');
    assert.equal((await server.http('GET', '/api/v1/orgs', { token: ann.token })).body.items.length, 0);
  });
});

describe('the hourly invitation budget per organisation', () => {
  test('25 invitations at once: exactly 20 are mailed, the rest 429 with Retry-After', async () => {
    const owner = await person('owner');
    const made = await server.http('POST', '/api/v1/orgs', { token: owner.token, body: { name: 'Busy', slug: `busy-${process.pid}` } });
    const answers = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        server.http('POST', `/api/v1/orgs/${made.body.id}/invitations`, { token: owner.token, body: { email: `guest${i}@example.com`, roles: ['member'] } }),
      ),
    );
    assert.equal(answers.filter((a) => a.status === 201).length, 20);
    const refused = answers.filter((a) => a.status === 429);
    assert.equal(refused.length, 5);
    assert.ok(Number(refused[0]!.headers.get('retry-after')) > 0);
  });
});
