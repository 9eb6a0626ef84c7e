// The console's sign-in providers, as a superuser uses them: add one through
// the form (the callback URL to register named, the secret never shown again),
// its button on /account's sign-in, refusals that keep the form but never the
// secrets, removal with the id typed; staff who are not superusers neither see
// nor reach any of it; every change audited with the superuser.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { exportPKCS8, generateKeyPair } from 'jose';
import type { User } from '../../../src/core/ports/user-store.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { ConsoleClient, makeAccount } from './console-client.ts';

let server: TestServer;
let superuser: User;
let staff: User;
/** A would-be provider that counts what it is asked: adding one contacts nothing. */
let upstreamHits = 0;
const upstream = createServer((_, res) => {
  upstreamHits++;
  res.writeHead(404).end();
});
let issuer = '';
before(async () => {
  // CONSOLE_MFA off: these tests are about the pages, signed in with a password (the second factor has its own tests).
  server = await startTestServer({ env: { CONSOLE_MFA: 'off', PUBLIC_URL: 'https://id.example.com' } });
  superuser = await makeAccount(server, 'superuser');
  staff = await makeAccount(server, 'staff');
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/realms/corp`;
});
after(async () => {
  upstream.close();
  await server.close();
});

const SECRET = 'the-client-secret-never-shown-0123';

const signedIn = async (who: User) => {
  const c = new ConsoleClient(server.url);
  await c.signIn(who.email!);
  return c;
};

/** /account's sign-in page, as someone not signed in sees it. */
const accountSignIn = async () => (await new ConsoleClient(server.url).get('/account')).text;

const corpForm = (extra: Record<string, string> = {}) => ({
  kind: 'oidc',
  id: 'corp',
  name: 'Corp SSO',
  issuer,
  client_id: 'gatehouse-web',
  client_secret: SECRET,
  audiences: 'ios-app\n\nandroid-app\n',
  domains: 'corp.example',
  signup: '1',
  trust_mfa: '1',
  ...extra,
});

describe('console: sign-in providers', () => {
  test('a superuser adds an oidc provider from the form: its page names the redirect URI, the list shows it, /account shows its button; audited', async () => {
    const c = await signedIn(superuser);
    const home = await c.get('/admin');
    assert.match(home.text, /<a href="\/admin\/providers\?lang=en">Sign-in providers<\/a>/, 'the navigation has the entry');
    const empty = await c.get('/admin/providers');
    assert.equal(empty.status, 200);
    assert.match(empty.text, /No sign-in provider yet/);
    assert.match(empty.text, /<input id="signup" name="signup" type="checkbox" value="1" checked>/, 'sign-up allowed by default');
    assert.match(empty.text, /<input id="client_secret" name="client_secret" type="password" maxlength="4096" autocomplete="off"/);
    assert.doesNotMatch(await accountSignIn(), /\/account\/idp\/corp/);

    const added = await c.post('/admin/providers?lang=en', corpForm());
    assert.equal(added.status, 303, added.text);
    assert.equal(added.location, '/admin/providers/corp?done=added&lang=en');
    assert.equal(upstreamHits, 0, 'adding does not contact the provider');
    const page = await c.get(added.location!);
    assert.equal(page.status, 200);
    assert.match(page.text, /Provider added\. Register this redirect URI at the provider: https:\/\/id\.example\.com\/idp\/corp\/callback/);
    assert.match(page.text, /<dt>Client secret<\/dt><dd>kept sealed; never shown<\/dd>/);
    assert.match(page.text, /ios-app, android-app/);
    assert.match(page.text, /sign-up allowed · corp\.example · its MFA trusted/);
    const list = await c.get('/admin/providers');
    assert.match(list.text, /<a href="\/admin\/providers\/corp\?lang=en">Corp SSO<\/a><br><code>corp<\/code><\/td><td>oidc<\/td>/);
    assert.match(list.text, /<code>https:\/\/id\.example\.com\/idp\/corp\/callback<\/code>/);
    for (const text of [added.text, page.text, list.text]) assert.ok(!text.includes(SECRET), 'the secret is never shown');

    const [stored] = await server.core.identities.list();
    assert.deepEqual(
      [stored?.issuer, stored?.clientId, stored?.audiences, stored?.domains, stored?.signup, stored?.trustMfa, stored?.hasClientSecret],
      [issuer, 'gatehouse-web', ['ios-app', 'android-app'], ['corp.example'], true, true, true],
    );
    assert.match(await accountSignIn(), /href="\/account\/idp\/corp\?/, 'the button is on /account at once');
    const audited = (await server.core.audit.list(20)).find((e) => e.type === 'provider.added');
    assert.equal(audited?.actorId, superuser.id, 'audited with the superuser');
    assert.equal(upstreamHits, 0);
  });

  test('a refused form comes back 400 with the reason and the values kept, never the secrets; bad input is a 4xx, not a 500', async () => {
    const c = await signedIn(superuser);
    await c.get('/admin/providers');
    const badId = await c.post('/admin/providers?lang=en', corpForm({ id: 'Not An Id', name: 'Kept name' }));
    assert.equal(badId.status, 400);
    assert.match(badId.text, /role="alert" id="form-error">Some of what was entered is not valid\. the id is 1 to 32 of a-z/);
    assert.match(
      badId.text,
      /<input id="id" name="id" required maxlength="32" autocomplete="off" value="Not An Id" aria-invalid="true" aria-describedby="id-hint form-error">/,
    );
    assert.match(badId.text, /value="Kept name"/);
    assert.match(badId.text, /<textarea id="audiences"[^>]*>ios-app\n\nandroid-app\n<\/textarea>/);
    assert.match(badId.text, /<input id="trust_mfa" name="trust_mfa" type="checkbox" value="1" checked>/);
    assert.ok(!badId.text.includes(SECRET), 'the secret is not echoed');

    const noClient = await c.post('/admin/providers?lang=en', corpForm({ id: 'other', client_id: '', signup: '' }));
    assert.equal(noClient.status, 400);
    assert.match(noClient.text, /a client id is needed/);
    assert.match(noClient.text, /value="other"/);
    assert.match(noClient.text, /<input id="client_id"[^>]* aria-invalid="true"/);
    assert.ok(!noClient.text.includes(SECRET), 'the secret is not echoed');

    const tooMany = await c.post('/admin/providers?lang=en', corpForm({ id: 'many', audiences: Array.from({ length: 21 }, (_, i) => `app-${i}`).join('\n') }));
    assert.equal(tooMany.status, 400);
    assert.match(tooMany.text, /at most 20 audiences/);
    assert.equal((await c.post('/admin/providers?lang=en', corpForm({ id: 'x'.repeat(40) }))).status, 400, 'longer than the schema allows');
    assert.equal((await c.post('/admin/providers?lang=en', corpForm({ id: 'saml', kind: 'saml' }))).status, 400);
    assert.equal((await c.get('/admin/providers/nothing-here')).status, 404);
    assert.deepEqual(
      (await server.core.identities.list()).map((p) => p.id),
      ['corp'],
      'nothing added by a refused form',
    );
  });

  test('Apple: a key that is not a P-256 .p8 is refused naming the key (and not echoed); a real one is kept sealed', async () => {
    const c = await signedIn(superuser);
    await c.get('/admin/providers');
    const apple = {
      kind: 'apple',
      id: 'apple',
      name: 'Apple',
      issuer: '',
      client_id: 'com.example.web',
      team_id: 'ABCDE12345',
      key_id: 'XYZ9876543',
      signup: '1',
    };
    const notAKey = '-----BEGIN PRIVATE KEY-----\nbm90LWEta2V5LWF0LWFsbA==\n-----END PRIVATE KEY-----';
    const bad = await c.post('/admin/providers?lang=en', { ...apple, private_key: notAKey });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /the private key is Apple&#39;s \.p8 file/);
    assert.match(bad.text, /<textarea id="private_key"[^>]* aria-invalid="true"[^>]*><\/textarea>/, 'marked, and empty');
    assert.match(bad.text, /value="ABCDE12345"/, 'the team id is kept');
    assert.ok(!bad.text.includes('bm90LWEta2V5'), 'the key is not echoed');

    const pem = await exportPKCS8((await generateKeyPair('ES256', { extractable: true })).privateKey);
    const good = await c.post('/admin/providers?lang=en', { ...apple, private_key: pem });
    assert.equal(good.status, 303, good.text);
    const page = await c.get(good.location!);
    assert.match(page.text, /https:\/\/id\.example\.com\/idp\/apple\/callback/);
    assert.match(page.text, /<dt>Issuer<\/dt><dd>https:\/\/appleid\.apple\.com<\/dd>/, 'the issuer defaults to Apple');
    assert.ok(!page.text.includes(pem.split('\n')[1]!), 'the key is never shown');
  });

  test('staff who are not superusers: no navigation entry, and 403 on every providers route', async () => {
    const c = await signedIn(staff);
    const home = await c.get('/admin');
    assert.equal(home.status, 200);
    assert.doesNotMatch(home.text, /\/admin\/providers|Sign-in providers/, 'no entry in the navigation');
    assert.match(home.text, />Webhooks<\/a>/, 'the navigation is there');
    const list = await c.get('/admin/providers');
    assert.equal(list.status, 403);
    assert.match(list.text, />Webhooks<\/a>/, 'the refusal keeps the navigation');
    assert.doesNotMatch(list.text, /Sign-in providers|Corp SSO/, 'the refusal shows neither the entry nor a provider');
    assert.equal((await c.get('/admin/providers/corp')).status, 403);
    assert.equal((await c.post('/admin/providers?lang=en', corpForm({ id: 'staffs' }))).status, 403);
    assert.equal((await c.post('/admin/providers?lang=en', corpForm({ id: 'Bad Id' }))).status, 403, 'refused before the form is read');
    assert.equal((await c.post('/admin/providers/corp/remove?lang=en', { confirm: 'corp' })).status, 403);
    assert.equal((await c.post('/admin/providers/corp/remove?lang=en', { confirm: 'wrong' })).status, 403);
    assert.deepEqual((await server.core.identities.list()).map((p) => p.id).sort(), ['apple', 'corp']);
  });

  test('a forged form (no CSRF value) is refused and changes nothing', async () => {
    const c = await signedIn(superuser);
    await c.get('/admin/providers');
    const forged = await c.post('/admin/providers?lang=en', corpForm({ id: 'forged' }), null);
    assert.equal(forged.status, 403);
    const forgedRemove = await c.post('/admin/providers/corp/remove?lang=en', { confirm: 'corp' }, null);
    assert.equal(forgedRemove.status, 403);
    assert.deepEqual((await server.core.identities.list()).map((p) => p.id).sort(), ['apple', 'corp']);
  });

  test('removal needs the id typed; then the provider, its button and its linked identities are gone; audited', async () => {
    const linked = await makeAccount(server, 'user');
    const identity = { providerId: 'corp', issuer, subject: 'corp-person-1', userId: linked.id, email: null, emailVerified: false };
    assert.ok(await server.stores.identities.link({ ...identity, createdAt: server.clock.now(), lastUsedAt: null }));
    const c = await signedIn(superuser);
    const page = await c.get('/admin/providers/corp');
    assert.match(page.text, /Every identity linked through it is removed with it/);
    const wrong = await c.post('/admin/providers/corp/remove?lang=en', { confirm: 'not-its-id' });
    assert.equal(wrong.status, 400);
    assert.ok(
      (await server.core.identities.list()).some((p) => p.id === 'corp'),
      'nothing removed without the typed id',
    );
    assert.match(await accountSignIn(), /href="\/account\/idp\/corp\?/);
    const removed = await c.post('/admin/providers/corp/remove?lang=en', { confirm: 'corp' });
    assert.equal(removed.status, 303, removed.text);
    assert.match((await c.get(removed.location!)).text, /The provider is removed, with the identities linked through it\./);
    assert.ok(!(await server.core.identities.list()).some((p) => p.id === 'corp'));
    assert.deepEqual(await server.stores.identities.identitiesOf(linked.id), [], 'the identities linked through it are removed with it');
    assert.doesNotMatch(await accountSignIn(), /\/account\/idp\/corp/, 'the button is gone at once (no 5 s wait)');
    assert.equal((await c.post('/admin/providers/corp/remove?lang=en', { confirm: 'corp' })).status, 404);
    const audited = (await server.core.audit.list(50)).filter((e) => e.type === 'provider.removed');
    assert.deepEqual(
      audited.map((e) => [e.detail, e.actorId]),
      [['corp', superuser.id]],
    );
    assert.ok(!server.logs.join('').includes(SECRET), 'the secret is never logged');
  });
});
