// The console's sign-in is the HTML pages' one flow (surfaces/shared/html/sign-in): the same mistakes give the
// same statuses and sentences as on /account, and the second step has the same fields; passkeys sign in (alone,
// or as the second step) with a software authenticator; staff without a second factor are sent to /account to
// set one up and come back to /admin signed in; a password-only session of enrolled staff is ended. Runs on
// SQLite and on PostgreSQL + Redis (GATEHOUSE_TEST_BACKEND).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generateSync } from 'otplib';
import type { User } from '../../../src/core/ports/user-store.ts';
import { COMMON } from '../../../src/texts/common.ts';
import { callerFor, enrolTotp } from '../../helpers/factors.ts';
import { type CeremonyFlags, SoftwareAuthenticator } from '../../helpers/software-authenticator.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { PASSWORD } from '../../helpers/users.ts';
import { ConsoleClient, makeAccount } from './console-client.ts';

/** The one sentence each refusal reads as, on every page. */
const SAY = COMMON.en.refusals;
/** The relying party of passkeys: PUBLIC_URL's origin, whatever port the test server listens on. */
const ORIGIN = 'http://localhost:8443';

let server: TestServer;
before(async () => {
  // The defaults (CONSOLE_MFA on: the console opens only to a sign-in with a second factor), and an origin for passkeys.
  server = await startTestServer({ env: { PUBLIC_URL: ORIGIN } });
});
after(() => server.close());

const csrfOf = (text: string) => /name="csrf" value="([^"]*)"/.exec(text)![1]!;
const mfaTokenOf = (text: string) => /name="mfa_token" value="([^"]+)"/.exec(text)![1]!;

/** The sign-in of each page that has one, as a browser reaches it. */
const PAGES = {
  account: { form: '/account', signIn: '/account/sign-in', secondStep: '/account/second-step' },
  console: { form: '/admin/sign-in', signIn: '/admin/sign-in', secondStep: '/admin/sign-in/second-step' },
} as const;

/** A browser on the page's sign-in form (its CSRF value read). */
async function atForm(on: TestServer, page: keyof typeof PAGES): Promise<ConsoleClient> {
  const c = new ConsoleClient(on.url);
  await c.get(PAGES[page].form);
  return c;
}

/** The names of the fields the form posting to `action` sends. */
function fieldsOf(text: string, action: string): string[] {
  const form = new RegExp(`<form method="post" action="${action}[^"]*"[^>]*>([\\s\\S]*?)</form>`).exec(text)?.[1] ?? '';
  return [...form.matchAll(/name="([^"]+)"/g)].map((m) => m[1]!);
}

describe('console: the same sign-in as /account', () => {
  for (const page of ['account', 'console'] as const) {
    test(`${page}: wrong password 401, forged form 403, expired step 400, wrong code 401, locked 423 — each in its one sentence; the second step's fields`, async () => {
      const p = PAGES[page];
      const member = await makeAccount(server, 'staff');
      const c = await atForm(server, page);
      const wrong = await c.post(p.signIn, { login: member.email!, password: 'not-the-password' });
      assert.equal(wrong.status, 401);
      assert.ok(wrong.text.includes(SAY.wrongCredentials));
      // Another CSRF value than the cookie's (a form from elsewhere).
      const forged = await c.post(p.signIn, { login: member.email!, password: PASSWORD }, 'A'.repeat(43));
      assert.equal(forged.status, 403);
      assert.ok(forged.text.includes(SAY.formExpired));
      const expired = await c.post(p.secondStep, { mfa_token: 'x'.repeat(43), code: '123456' });
      assert.equal(expired.status, 400);
      assert.ok(expired.text.includes(SAY.stepExpired));

      const enrolled = await makeAccount(server, 'staff');
      await enrolTotp(server.core, enrolled, PASSWORD);
      const d = await atForm(server, page);
      const step = await d.post(p.signIn, { login: enrolled.email!, password: PASSWORD });
      assert.equal(step.status, 200);
      assert.deepEqual(fieldsOf(step.text, p.secondStep), ['csrf', 'mfa_token', 'code'], 'one code field');
      d.csrf = csrfOf(step.text);
      const wrongCode = await d.post(p.secondStep, { mfa_token: mfaTokenOf(step.text), code: '000000' });
      assert.equal(wrongCode.status, 401);
      assert.ok(wrongCode.text.includes(SAY.wrongCode));
      assert.deepEqual(fieldsOf(wrongCode.text, p.secondStep), ['csrf', 'mfa_token', 'code'], 'a wrong code stays on the second step');

      const locked = await makeAccount(server, 'staff');
      for (let i = 0; i < 5; i++)
        await server.core.login.login({ by: 'email', identifier: locked.email!, password: 'wrong-guess', accessTtl: 60 }).catch(() => {});
      const e = await atForm(server, page);
      const refused = await e.post(p.signIn, { login: locked.email!, password: PASSWORD });
      assert.equal(refused.status, 423);
      assert.ok(refused.text.includes(SAY.locked));
    });
  }

  test('rate-limited: 429 with Retry-After and the same sentence on both pages (they share the per-address sign-in budget)', async () => {
    // A limit of 3 a minute, reached in a few requests (the default is 60).
    const limited = await startTestServer({ env: { RATE_LIMIT_PER_IP: '3' } });
    try {
      const a = await atForm(limited, 'account');
      for (let i = 0; i < 3; i++) assert.equal((await a.post('/account/sign-in', { login: 'nobody@example.com', password: 'x' })).status, 401);
      const onAccount = await a.post('/account/sign-in', { login: 'nobody@example.com', password: 'x' });
      const k = await atForm(limited, 'console');
      const onConsole = await k.post('/admin/sign-in', { login: 'nobody@example.com', password: 'x' });
      for (const r of [onAccount, onConsole]) {
        assert.equal(r.status, 429);
        assert.ok(Number(r.headers.get('retry-after')) > 0);
        assert.ok(r.text.includes(SAY.tooMany));
      }
    } finally {
      await limited.close();
    }
  });
});

/** Adds a passkey to `user` through the core (the step-up with the password), as /account does. */
async function addPasskey(user: User): Promise<SoftwareAuthenticator> {
  const device = new SoftwareAuthenticator(ORIGIN);
  const caller = await callerFor(server.core, user);
  const { ceremonyId, options } = await server.core.secondFactors.passkeys.registrationOptions(caller, { password: PASSWORD });
  await server.core.secondFactors.passkeys.add(caller, ceremonyId, device.register(options), 'laptop', { accessTtl: 600 });
  return device;
}

/** The console's passkey ceremony as account-passkeys.js runs it: the options, the authenticator, the finish. */
async function passkeySignIn(c: ConsoleClient, device: SoftwareAuthenticator, mfaToken?: string, flags: CeremonyFlags = {}) {
  const start = await c.postJson('/admin/sign-in/passkey-options');
  assert.equal(start.status, 200, start.text);
  const credential = device.authenticate(start.json.options as { challenge: string }, flags);
  return c.postJson('/admin/sign-in/passkey', { ceremony_id: start.json.ceremony_id, credential, ...(mfaToken ? { mfa_token: mfaToken } : {}) });
}

describe('console: passkeys', () => {
  test('a passkey alone signs a staff member in, and the console opens (a verified passkey is two factors)', async () => {
    const member = await makeAccount(server, 'staff');
    const device = await addPasskey(member);
    const c = new ConsoleClient(server.url);
    const form = await c.get('/admin/sign-in');
    assert.match(form.text, /data-options="\/admin\/sign-in\/passkey-options" data-finish="\/admin\/sign-in\/passkey"/);
    assert.equal((await c.get('/admin')).status, 303);
    const r = await passkeySignIn(c, device);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { ok: true, redirect: '/admin?lang=en' });
    assert.equal((await c.get('/admin')).status, 200);
  });

  test('after the password, the second step offers the passkey, and it finishes the sign-in', async () => {
    const member = await makeAccount(server, 'staff');
    const device = await addPasskey(member);
    const c = new ConsoleClient(server.url);
    await c.get('/admin/sign-in');
    const step = await c.post('/admin/sign-in', { login: member.email!, password: PASSWORD });
    assert.equal(step.status, 200);
    const mfaToken = mfaTokenOf(step.text);
    assert.ok(step.text.includes(`data-mfa-token="${mfaToken}"`), 'the passkey button carries the step');
    c.csrf = csrfOf(step.text);
    const r = await passkeySignIn(c, device, mfaToken);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.redirect, '/admin?lang=en');
    assert.equal((await c.get('/admin')).status, 200);
  });

  test('a passkey that does not verify, a ceremony without the CSRF value, and a passkey of an account without staff rights are refused; no cookie', async () => {
    const c = new ConsoleClient(server.url);
    await c.get('/admin/sign-in');
    const forged = await c.postJson('/admin/sign-in/passkey-options', {}, null);
    assert.equal(forged.status, 403);
    assert.equal(forged.json.error, SAY.formExpired);

    const stranger = new SoftwareAuthenticator(ORIGIN);
    stranger.register({ challenge: 'unused', rp: {}, user: { id: 'unused' } });
    const unknown = await passkeySignIn(c, stranger);
    assert.equal(unknown.status, 401);
    assert.equal(unknown.json.error, SAY.passkeyFailed);
    const member = await makeAccount(server, 'staff');
    const device = await addPasskey(member);
    const unverified = await passkeySignIn(c, device, undefined, { userVerified: false });
    assert.equal(unverified.status, 401, 'a passkey alone needs its user verified');
    assert.equal(unverified.json.error, SAY.passkeyFailed);

    const user = await makeAccount(server, 'user');
    const theirs = await addPasskey(user);
    const before = (await server.core.sessions.listForUser(user.id)).length;
    const outsider = await passkeySignIn(c, theirs);
    assert.equal(outsider.status, 403);
    assert.equal(outsider.json.error, SAY.noAccess);
    assert.equal((await server.core.sessions.listForUser(user.id)).length, before, 'the session it started is ended at once');
    assert.equal(c.cookies.has('gh_session'), false);
  });
});

/** The authenticator app's set-up on /account, from the page that shows its key: returns the recovery codes' page. */
async function confirmAuthenticator(c: ConsoleClient, setup: string, on: TestServer) {
  const secret = /<code class="secret">([^<]+)<\/code>/.exec(setup)![1]!.replaceAll(' ', '');
  c.csrf = csrfOf(setup);
  const code = generateSync({ secret, epoch: Math.floor(on.clock.now() / 1000) });
  const done = await c.post('/account/totp/confirm?lang=en', { code });
  assert.equal(done.status, 200, done.text);
  assert.match(done.text, /<a href="\/admin\?lang=en">Back to the staff console<\/a>/);
}

describe('console: staff without a second factor set one up on /account and come back', () => {
  test('CONSOLE_MFA (default): /admin sends a password-only staff member to /account?…from=console; after the set-up, /admin opens without signing in again', async () => {
    const member = await makeAccount(server, 'staff');
    const c = new ConsoleClient(server.url);
    await c.signIn(member.email!);
    const away = await c.get('/admin');
    assert.equal(away.status, 303);
    assert.equal(away.location, '/account?lang=en&from=console');
    const told = await c.get(away.location!);
    assert.equal(told.status, 200);
    assert.ok(told.text.includes('The staff console asks for two-step verification'));
    const setup = await c.post('/account/totp?lang=en', { password: PASSWORD });
    assert.equal(setup.status, 200, setup.text);
    assert.ok(setup.text.includes('The staff console asks for two-step verification'), 'the set-up says why too');
    await confirmAuthenticator(c, setup.text, server);
    const home = await c.get('/admin');
    assert.equal(home.status, 200, 'the session confirming the factor opens the console');
    assert.match(home.text, /Staff console/);
  });

  test('MFA_REQUIRED=staff: the console sign-in sends the staff member to /account?…from=console; signed in and enrolled there, /admin opens', async () => {
    const covered = await startTestServer({ env: { MFA_REQUIRED: 'staff' } });
    try {
      const member = await makeAccount(covered, 'staff');
      const c = new ConsoleClient(covered.url);
      await c.get('/admin/sign-in');
      const r = await c.post('/admin/sign-in', { login: member.email!, password: PASSWORD });
      assert.equal(r.status, 303);
      assert.equal(r.location, '/account?lang=en&from=console');
      const told = await c.get(r.location!);
      assert.ok(told.text.includes('The staff console asks for two-step verification'));
      assert.equal((await c.post('/account/sign-in?lang=en', { login: member.email!, password: PASSWORD })).status, 303);
      const setup = await c.get('/account?lang=en');
      await confirmAuthenticator(c, setup.text, covered);
      assert.equal((await c.get('/admin')).status, 200);
    } finally {
      await covered.close();
    }
  });

  test('an enrolled staff member holding a password-only session: a page ends it and sends to the sign-in; a form is refused (403)', async () => {
    const member = await makeAccount(server, 'staff');
    await enrolTotp(server.core, member, PASSWORD);
    const passwordOnly = () => server.core.sessions.start(member, { accessTtl: 600, amr: ['pwd'] });
    const c = new ConsoleClient(server.url);
    await c.get('/admin/sign-in');
    const first = await passwordOnly();
    c.cookies.set('gh_session', first.accessToken);
    const page = await c.get('/admin');
    assert.equal(page.status, 303);
    assert.equal(page.location, '/admin/sign-in?lang=en');
    await assert.rejects(server.core.sessions.authenticate(first.accessToken), 'the session is ended');
    const second = await passwordOnly();
    c.cookies.set('gh_session', second.accessToken);
    const form = await c.post('/admin/keys/rotate');
    assert.equal(form.status, 403);
    assert.ok(form.text.includes(SAY.noAccess));
  });
});
