// The console and upstream identity providers (issue 34): the sign-in's provider buttons behind
// CONSOLE_PROVIDERS (off by default: no button, no route, and a session from a provider's sign-in holds no
// staff power), and an account's linked identities on its page, which a superuser may unlink. GitHub is played
// by a local server (test/helpers/fake-github.ts), the browser by a cookie jar without JavaScript.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generateSync } from 'otplib';
import type { User } from '../../../src/core/ports/user-store.ts';
import { enrolTotp } from '../../helpers/factors.ts';
import { type FakeGitHub, startFakeGitHub } from '../../helpers/fake-github.ts';
import { freePort } from '../../helpers/oidc.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { PASSWORD, uniqueEmail } from '../../helpers/users.ts';
import { type Answer, ConsoleClient, makeAccount } from './console-client.ts';

let github: FakeGitHub;
before(async () => {
  github = await startFakeGitHub({ id: 1, login: 'nobody', emails: [] });
});
after(() => github.close());

/** A server whose PUBLIC_URL is its own address (the provider sends the browser back there), with a GitHub provider. */
async function serverWith(env: Record<string, string>): Promise<TestServer> {
  const port = await freePort();
  const server = await startTestServer({ port, env: { PUBLIC_URL: `http://127.0.0.1:${port}`, ...env } });
  await server.core.identities.add({
    id: 'github',
    kind: 'github',
    name: 'GitHub',
    issuer: github.issuer,
    clientId: github.clientId,
    clientSecret: github.clientSecret,
  });
  return server;
}

let people = 100;
/** The person signed in at GitHub from now on, with one verified primary email. */
function atGitHub(email: string, verified = true): void {
  people += 1;
  github.person = { id: people, login: `person${people}`, emails: [{ email, primary: true, verified }] };
}

const htmlDecoded = (href: string) => href.replaceAll('&amp;', '&');

/** Presses a page's "Continue with GitHub" link and follows the provider's redirects back to Gatehouse: the page it lands on. */
async function pressGitHub(c: ConsoleClient, page: string): Promise<Answer> {
  const shown = await c.get(page);
  const link = /href="([^"]*\/idp\/github\?[^"]*)"/.exec(shown.text)?.[1];
  assert.ok(link, `${page} shows a GitHub button`);
  const toProvider = await c.get(htmlDecoded(link));
  assert.equal(toProvider.status, 303, toProvider.text);
  const back = await fetch(toProvider.location!, { redirect: 'manual' });
  const callback = new URL(back.headers.get('location')!);
  let answer = await c.get(callback.pathname + callback.search);
  while (answer.status === 303 && answer.location?.startsWith('/idp/')) answer = await c.get(answer.location);
  if (answer.status === 303 && answer.location?.startsWith('/admin/idp-return')) answer = await c.get(answer.location);
  return answer;
}

describe('CONSOLE_PROVIDERS off (the default)', () => {
  let server: TestServer;
  let member: User;
  before(async () => {
    // CONSOLE_MFA off here only: the rule under test is the provider's, not the second factor's.
    server = await serverWith({ CONSOLE_MFA: 'off' });
    member = await makeAccount(server, 'staff');
  });
  after(() => server.close());

  test('the console sign-in has no provider button and its provider routes are 404', async () => {
    const c = new ConsoleClient(server.url);
    assert.match((await c.get('/account?lang=en')).text, /Continue with GitHub/, "/account's sign-in has the button");
    const page = await c.get('/admin/sign-in?lang=en');
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.text, /Continue with GitHub/);
    assert.equal((await c.get(`/admin/idp/github?lang=en&csrf=${encodeURIComponent(c.csrf)}`)).status, 404);
    assert.equal((await c.get('/admin/idp-return?lang=en&ticket=x')).status, 404);
  });

  test("a staff member signed in with GitHub on /account holds no staff power: the console asks for its own sign-in, /account's session stays", async () => {
    atGitHub(member.email!);
    const c = new ConsoleClient(server.url);
    // First time: the email is a Gatehouse account's, so the account is proved (its password) before GitHub is linked.
    const asked = await pressGitHub(c, '/account?lang=en');
    assert.equal(asked.status, 200);
    assert.match(asked.text, /already exists/);
    const proved = await c.post('/account/sign-in?lang=en', { login: member.email!, password: PASSWORD });
    assert.equal(proved.status, 303, proved.text);
    assert.equal((await server.core.identities.identitiesOf(member.id)).length, 1, 'linked after the password');
    await c.post('/account/sign-out?lang=en');

    const signedIn = await pressGitHub(c, '/account?lang=en');
    assert.equal(signedIn.status, 303, signedIn.text);
    const account = await c.get('/account?lang=en');
    assert.match(account.text, /Sign out/, 'signed in on /account with GitHub');
    const console = await c.get('/admin?lang=en');
    assert.equal(console.status, 303);
    assert.match(console.location ?? '', /^\/admin\/sign-in\?/);
    assert.match((await c.get('/account?lang=en')).text, /Sign out/, "the session is /account's too: it stays");
    // The console's own sign-in (the password) replaces it, and the console opens.
    await c.get('/admin/sign-in?lang=en');
    const own = await c.post('/admin/sign-in?lang=en', { login: member.email!, password: PASSWORD });
    assert.equal(own.status, 303, own.text);
    assert.equal((await c.get('/admin?lang=en')).status, 200);
  });
});

describe('CONSOLE_PROVIDERS off, MFA_REQUIRED=staff', () => {
  test("a provider's sign-in that sets up the account's first factor is still a provider's sign-in: no staff power", async () => {
    const server = await serverWith({ MFA_REQUIRED: 'staff' });
    try {
      const email = uniqueEmail('gh');
      atGitHub(email);
      const first = new ConsoleClient(server.url);
      assert.equal((await pressGitHub(first, '/account?lang=en')).status, 303);
      const user = (await server.core.accounts.findByEmail(email))!;
      await server.core.staff.setRole(null, user, 'staff', true);

      // Whoever holds the GitHub account: as staff without a factor, the sign-in may only set one up — and does.
      const c = new ConsoleClient(server.url);
      assert.equal((await pressGitHub(c, '/account?lang=en')).status, 303);
      await c.get('/account?lang=en');
      const setup = await c.post('/account/totp?lang=en', {});
      assert.equal(setup.status, 200, setup.text.slice(0, 500));
      const secret = /<code class="secret">([^<]+)<\/code>/.exec(setup.text)![1]!.replaceAll(' ', '');
      c.csrf = /name="csrf" value="([^"]*)"/.exec(setup.text)![1]!;
      const done = await c.post('/account/totp/confirm?lang=en', { code: generateSync({ secret, epoch: Math.floor(server.clock.now() / 1000) }) });
      assert.equal(done.status, 200, done.text.slice(0, 500));
      const console = await c.get('/admin?lang=en');
      assert.equal(console.status, 303, 'the renewed session still began with GitHub');
      assert.match(console.location ?? '', /^\/admin\/sign-in\?/);
    } finally {
      await server.close();
    }
  });
});

describe('CONSOLE_PROVIDERS on', () => {
  let server: TestServer;
  before(async () => {
    // CONSOLE_MFA off here only: these tests are about the buttons and linking; the next block keeps it on.
    server = await serverWith({ CONSOLE_PROVIDERS: 'on', CONSOLE_MFA: 'off' });
  });
  after(() => server.close());

  test("a staff member's GitHub is linked only after the account's password on the console's sign-in; then GitHub alone opens the console", async () => {
    const member = await makeAccount(server, 'staff');
    atGitHub(member.email!);
    const c = new ConsoleClient(server.url);
    const asked = await pressGitHub(c, '/admin/sign-in?lang=en');
    assert.equal(asked.status, 200);
    assert.match(asked.text, /already exists\. Sign in to it below with its password/);
    assert.equal((await server.core.identities.identitiesOf(member.id)).length, 0, 'nothing linked yet');
    assert.equal((await c.get('/admin?lang=en')).status, 303, 'not signed in by the provider alone');

    await c.get('/admin/sign-in?lang=en');
    const proved = await c.post('/admin/sign-in?lang=en', { login: member.email!, password: PASSWORD });
    assert.equal(proved.status, 303, proved.text);
    const [identity] = await server.core.identities.identitiesOf(member.id);
    assert.equal(identity?.providerId, 'github', 'linked by the console sign-in that proved the account');

    await c.post('/admin/sign-out?lang=en');
    const again = await pressGitHub(c, '/admin/sign-in?lang=en');
    assert.equal(again.status, 303, again.text);
    assert.match(again.location ?? '', /^\/admin\?/);
    const accounts = await c.get('/admin?lang=en');
    assert.equal(accounts.status, 200);
    assert.match(accounts.text, /Accounts/);
  });

  test('someone who is not staff signing in with GitHub is refused (403) and the session it started ends', async () => {
    atGitHub(uniqueEmail('outsider'));
    const c = new ConsoleClient(server.url);
    const refused = await pressGitHub(c, '/admin/sign-in?lang=en');
    assert.equal(refused.status, 403, refused.text);
    assert.doesNotMatch((await c.get('/account?lang=en')).text, /Sign out/, 'no session is left behind');
  });

  test('a forged button (no CSRF value) is refused; a ticket that is not this browser’s is a page, not a sign-in', async () => {
    const c = new ConsoleClient(server.url);
    await c.get('/admin/sign-in?lang=en');
    assert.equal((await c.get('/admin/idp/github?lang=en')).status, 403);
    const stray = await c.get('/admin/idp-return?lang=en&ticket=not-a-ticket');
    assert.ok(stray.status >= 400 && stray.status < 500, String(stray.status));
    assert.equal((await c.get('/admin?lang=en')).status, 303);
  });
});

describe('CONSOLE_PROVIDERS on, CONSOLE_MFA on (the default)', () => {
  test("a staff member with an authenticator app who signs in with GitHub still gives the account's code", async () => {
    const server = await serverWith({ CONSOLE_PROVIDERS: 'on' });
    try {
      const member = await makeAccount(server, 'staff');
      const { codeAt } = await enrolTotp(server.core, member, PASSWORD);
      atGitHub(member.email!);
      const c = new ConsoleClient(server.url);
      await pressGitHub(c, '/admin/sign-in?lang=en');
      // Proving the account here: the password, then its code; GitHub is linked at the end of that sign-in.
      server.clock.advance(30_000);
      const step = await c.post('/admin/sign-in?lang=en', { login: member.email!, password: PASSWORD });
      const mfaToken = /name="mfa_token" value="([^"]+)"/.exec(step.text)?.[1];
      assert.ok(mfaToken, step.text);
      const done = await c.post('/admin/sign-in/second-step?lang=en', { mfa_token: mfaToken, code: codeAt(server.clock.now()) });
      assert.equal(done.status, 303, done.text);
      assert.equal((await server.core.identities.identitiesOf(member.id)).length, 1);
      await c.post('/admin/sign-out?lang=en');

      server.clock.advance(30_000);
      const asked = await pressGitHub(c, '/admin/sign-in?lang=en');
      assert.equal(asked.status, 200);
      const token = /name="mfa_token" value="([^"]+)"/.exec(asked.text)?.[1];
      assert.ok(token, 'GitHub is the first step only: the code is asked');
      assert.equal((await c.get('/admin?lang=en')).status, 303, 'nothing opens before the code');
      const inside = await c.post('/admin/sign-in/second-step?lang=en', { mfa_token: token, code: codeAt(server.clock.now()) });
      assert.equal(inside.status, 303, inside.text);
      assert.equal((await c.get('/admin?lang=en')).status, 200);
    } finally {
      await server.close();
    }
  });
});

describe("an account's linked identities in the console", () => {
  let server: TestServer;
  before(async () => {
    // CONSOLE_MFA off here only: the pages and rights are under test, signed in with a password.
    server = await serverWith({ CONSOLE_MFA: 'off' });
  });
  after(() => server.close());

  /** An account made by a first GitHub sign-in on /account (no password); its email verified as GitHub says. */
  async function madeByGitHub(verified: boolean): Promise<User> {
    const email = uniqueEmail('gh');
    atGitHub(email, verified);
    const c = new ConsoleClient(server.url);
    const landed = await pressGitHub(c, '/account?lang=en');
    assert.equal(landed.status, 303, landed.text);
    return (await server.core.accounts.findByEmail(email))!;
  }

  test('staff see them; only a superuser unlinks, audited with the superuser as actor, never the last way in', async () => {
    const keeps = await madeByGitHub(true);
    const stranded = await madeByGitHub(false);
    const staff = new ConsoleClient(server.url);
    await staff.signIn((await makeAccount(server, 'staff')).email!);
    const seen = await staff.get(`/admin/accounts/${keeps.uuid}?lang=en`);
    assert.match(seen.text, /Linked identities/);
    assert.match(seen.text, /GitHub <code>github<\/code>/);
    assert.match(seen.text, new RegExp(`<code>${github.person.id - 1}</code>`), "the subject: GitHub's numeric id");
    assert.doesNotMatch(seen.text, /unlink-identity/, 'staff who are not superusers get no unlink button');
    const [identity] = await server.core.identities.identitiesOf(keeps.id);
    const tried = await staff.post(`/admin/accounts/${keeps.uuid}/unlink-identity?lang=en`, { issuer: identity!.issuer, subject: identity!.subject });
    assert.equal(tried.status, 403);
    assert.equal((await server.core.identities.identitiesOf(keeps.id)).length, 1);

    const superuser = new ConsoleClient(server.url);
    const admin = await makeAccount(server, 'superuser');
    await superuser.signIn(admin.email!);
    const page = await superuser.get(`/admin/accounts/${keeps.uuid}?lang=en`);
    assert.match(page.text, /unlink-identity/);
    const unlinked = await superuser.post(`/admin/accounts/${keeps.uuid}/unlink-identity?lang=en`, { issuer: identity!.issuer, subject: identity!.subject });
    assert.equal(unlinked.status, 303, unlinked.text);
    assert.match((await superuser.get(unlinked.location!)).text, /The identity is unlinked/);
    assert.equal((await server.core.identities.identitiesOf(keeps.id)).length, 0);
    const [event] = await server.core.audit.query({ limit: 1, userId: keeps.id, type: 'identity.unlinked' });
    assert.equal(event?.actorId, admin.id, 'the superuser is the actor');
    assert.match(event?.detail ?? '', /by staff/);

    // No password, no verified email, one identity: unlinking it would leave no way in.
    const [only] = await server.core.identities.identitiesOf(stranded.id);
    await superuser.get(`/admin/accounts/${stranded.uuid}?lang=en`);
    const last = await superuser.post(`/admin/accounts/${stranded.uuid}/unlink-identity?lang=en`, { issuer: only!.issuer, subject: only!.subject });
    assert.equal(last.status, 409, last.text);
    assert.equal((await server.core.identities.identitiesOf(stranded.id)).length, 1, 'kept');
    // An identity the account does not have is a page too, never a 500.
    const unknown = await superuser.post(`/admin/accounts/${stranded.uuid}/unlink-identity?lang=en`, { issuer: 'https://elsewhere', subject: '1' });
    assert.equal(unknown.status, 404);
  });
});

describe('metrics per provider', () => {
  test('gatehouse_identity_provider_events_total counts, by configured provider, what each did: proved, failed, signed up, linked, signed in', async () => {
    const server = await serverWith({});
    try {
      const count = async (outcome: string, provider = 'github') => {
        const text = (await server.http('GET', '/metrics')).text;
        return Number(new RegExp(`gatehouse_identity_provider_events_total\\{provider="${provider}",outcome="${outcome}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
      };
      atGitHub(uniqueEmail('new'));
      assert.equal((await pressGitHub(new ConsoleClient(server.url), '/account?lang=en')).status, 303);
      assert.deepEqual([await count('proved'), await count('signed_up'), await count('signed_in')], [1, 1, 1]);

      const member = await makeAccount(server, 'user');
      atGitHub(member.email!);
      const c = new ConsoleClient(server.url);
      await pressGitHub(c, '/account?lang=en');
      await c.post('/account/sign-in?lang=en', { login: member.email!, password: PASSWORD });
      assert.equal(await count('linked'), 1, 'linked once the account was proved');

      // A code the provider refuses, on a state this server kept: a failure of GitHub's. A made-up state names no provider.
      const toProvider = await c.get(`/account/idp/github?lang=en&csrf=${encodeURIComponent(c.csrf)}`);
      const state = new URL(toProvider.location!).searchParams.get('state')!;
      assert.equal((await c.get(`/idp/github/callback?code=not-issued&state=${state}`)).status, 400);
      assert.equal(await count('failed'), 1);
      assert.equal((await c.get('/idp/made-up/callback?code=x&state=forged')).status, 400);
      assert.equal(await count('failed', 'unknown'), 1);
      assert.doesNotMatch((await server.http('GET', '/metrics')).text, /provider="made-up"/, "a URL's id is never a label");
    } finally {
      await server.close();
    }
  });
});
