// The OpenID Connect sign-in is the HTML pages' one sign-in flow (surfaces/shared/html/sign-in): the same mistakes
// give the same statuses and sentences as on /account and /admin (test/surfaces/console/console-sign-in.test.ts runs
// those two), the second step has the same one code field, and a passkey signs in alone or as the second step, with
// the app told so in the id_token (acr mfa; amr hwk). No browser: plain requests, as a browser without JavaScript
// sends them, and a software authenticator.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as client from 'openid-client';
import type { User } from '../../../src/core/ports/user-store.ts';
import { COMMON } from '../../../src/texts/common.ts';
import { callerFor, enrolTotp } from '../../helpers/factors.ts';
import { authorizationRequest, CookieJar, callbackServer, freePort, relyingParty } from '../../helpers/oidc.ts';
import { SoftwareAuthenticator } from '../../helpers/software-authenticator.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { PASSWORD, uniqueEmail } from '../../helpers/users.ts';

const SAY = COMMON.en.refusals;

let server: TestServer;
let origin: string;
let rp: Awaited<ReturnType<typeof callbackServer>>;
let config: client.Configuration;
before(async () => {
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  // Several sign-ins from 127.0.0.1 per test: the per-address limit is raised for volume (one test lowers it instead).
  server = await startTestServer({ port, env: { PUBLIC_URL: origin, RATE_LIMIT_PER_IP: '100000' } });
  rp = await callbackServer();
  const registered = await server.core.apps.register({ name: 'Notes', redirectUris: [rp.url] });
  config = await relyingParty(`${origin}/oidc`, registered.app.clientId, registered.secret!);
});
after(async () => {
  await rp?.close();
  await server?.close();
});

interface Answer {
  status: number;
  text: string;
  location: string | null;
  headers: Headers;
}

/** A browser without JavaScript on one authorization request: its cookies, the interaction it reached, its CSRF value. */
class Visit {
  readonly jar = new CookieJar();
  base = '';
  csrf = '';

  async request(method: 'GET' | 'POST', url: string, body?: Record<string, string> | object, json = false): Promise<Answer> {
    const r = await fetch(new URL(url, origin), {
      method,
      redirect: 'manual',
      headers: {
        cookie: this.jar.header(),
        'accept-language': 'en',
        ...(body ? { 'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded' } : {}),
      },
      body: body ? (json ? JSON.stringify(body) : new URLSearchParams(body as Record<string, string>).toString()) : undefined,
    });
    this.jar.take(r);
    const text = await r.text();
    this.csrf = /name="csrf" value="([^"]*)"/.exec(text)?.[1] ?? this.csrf;
    return { status: r.status, text, location: r.headers.get('location'), headers: r.headers };
  }

  /** Follows the authorization request to its sign-in page. */
  async open(extra: Record<string, string> = {}): Promise<Answer & { verifier: string; state: string; nonce: string }> {
    const auth = await authorizationRequest(config, rp.url, extra);
    let answer = await this.request('GET', auth.url.href);
    while (answer.location) answer = await this.request('GET', answer.location);
    this.base = /action="(\/oidc\/interaction\/[^/"]+)\/login/.exec(answer.text)![1]!;
    return { ...answer, ...auth };
  }

  post(path: string, fields: Record<string, string>, csrf: string | null = this.csrf) {
    return this.request('POST', `${this.base}${path}?lang=en`, csrf === null ? fields : { csrf, ...fields });
  }
}

/** The names of the fields the form posting to `action` sends. */
function fieldsOf(text: string, action: string): string[] {
  const form = new RegExp(`<form method="post" action="${action}[^"]*"[^>]*>([\\s\\S]*?)</form>`).exec(text)?.[1] ?? '';
  return [...form.matchAll(/name="([^"]+)"/g)].map((m) => m[1]!);
}

async function account(): Promise<User> {
  return server.core.accounts.register({ email: uniqueEmail('rp'), password: PASSWORD });
}

describe('the OpenID sign-in: the same sign-in as /account and /admin', () => {
  test('wrong password 401, forged form 403, expired step 400, wrong code 401 (staying on the one code field), locked 423 — each in its one sentence', async () => {
    const user = await account();
    const v = new Visit();
    await v.open();
    const wrong = await v.post('/login', { login: user.email!, password: 'not-the-password' });
    assert.equal(wrong.status, 401);
    assert.ok(wrong.text.includes(SAY.wrongCredentials));
    const forged = await v.post('/login', { login: user.email!, password: PASSWORD }, 'A'.repeat(43));
    assert.equal(forged.status, 403);
    assert.ok(forged.text.includes(SAY.formExpired));
    const expired = await v.post('/second-factor', { mfa_token: 'x'.repeat(43), code: '123456' });
    assert.equal(expired.status, 400);
    assert.ok(expired.text.includes(SAY.stepExpired));

    const enrolled = await account();
    await enrolTotp(server.core, enrolled, PASSWORD);
    const w = new Visit();
    await w.open();
    const step = await w.post('/login', { login: enrolled.email!, password: PASSWORD });
    assert.equal(step.status, 200);
    assert.deepEqual(fieldsOf(step.text, `${w.base}/second-factor`), ['csrf', 'mfa_token', 'code'], 'one code field');
    const mfaToken = /name="mfa_token" value="([^"]+)"/.exec(step.text)![1]!;
    const wrongCode = await w.post('/second-factor', { mfa_token: mfaToken, code: '000000' });
    assert.equal(wrongCode.status, 401);
    assert.ok(wrongCode.text.includes(SAY.wrongCode));
    assert.deepEqual(fieldsOf(wrongCode.text, `${w.base}/second-factor`), ['csrf', 'mfa_token', 'code'], 'still the second step');

    const locked = await account();
    for (let i = 0; i < 5; i++)
      await server.core.login.login({ by: 'email', identifier: locked.email!, password: 'wrong-guess', accessTtl: 60 }).catch(() => {});
    const x = new Visit();
    await x.open();
    const refused = await x.post('/login', { login: locked.email!, password: PASSWORD });
    assert.equal(refused.status, 423);
    assert.ok(refused.text.includes(SAY.locked));
  });

  test('rate-limited: 429 with Retry-After and the same sentence', async () => {
    // A limit of 3 a minute on another server, reached in a few requests (the default is 60).
    const port = await freePort();
    const limited = await startTestServer({ port, env: { PUBLIC_URL: `http://127.0.0.1:${port}`, RATE_LIMIT_PER_IP: '3' } });
    try {
      const registered = await limited.core.apps.register({ name: 'Notes', redirectUris: [rp.url] });
      const own = await relyingParty(`http://127.0.0.1:${port}/oidc`, registered.app.clientId, registered.secret!);
      const auth = await authorizationRequest(own, rp.url);
      const jar = new CookieJar();
      let r = await fetch(auth.url, { redirect: 'manual' });
      jar.take(r);
      while (r.headers.get('location')) {
        r = await fetch(new URL(r.headers.get('location')!, auth.url), { redirect: 'manual', headers: { cookie: jar.header() } });
        jar.take(r);
      }
      const page = await r.text();
      const action = new URL(/action="(\/oidc\/interaction\/[^"]+\/login)[^"]*"/.exec(page)![1]!, auth.url);
      const csrf = /name="csrf" value="([^"]*)"/.exec(page)![1]!;
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 4; i++) {
        last = await fetch(action, {
          method: 'POST',
          headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'en' },
          body: new URLSearchParams({ csrf, login: 'nobody@example.com', password: 'x' }),
        });
        statuses.push(last.status);
      }
      assert.deepEqual(statuses, [401, 401, 401, 429]);
      assert.ok(Number(last!.headers.get('retry-after')) > 0);
      assert.ok((await last!.text()).includes(SAY.tooMany));
    } finally {
      await limited.close();
    }
  });
});

/** Adds a passkey to `user` through the core (the step-up with the password), as /account does. */
async function addPasskey(user: User): Promise<SoftwareAuthenticator> {
  const device = new SoftwareAuthenticator(origin);
  const caller = await callerFor(server.core, user);
  const { ceremonyId, options } = await server.core.secondFactors.passkeys.registrationOptions(caller, { password: PASSWORD });
  await server.core.secondFactors.passkeys.add(caller, ceremonyId, device.register(options), 'laptop', { accessTtl: 600 });
  return device;
}

/** The page's passkey ceremony as account-passkeys.js runs it: the options, the authenticator, the finish (JSON). */
async function passkey(v: Visit, device: SoftwareAuthenticator, mfaToken?: string) {
  const start = await v.request('POST', `${v.base}/passkey-options?lang=en`, { csrf: v.csrf }, true);
  assert.equal(start.status, 200, start.text);
  const { ceremony_id, options } = JSON.parse(start.text);
  const credential = device.authenticate(options);
  const done = await v.request(
    'POST',
    `${v.base}/passkey?lang=en`,
    { csrf: v.csrf, ceremony_id, credential, ...(mfaToken ? { mfa_token: mfaToken } : {}) },
    true,
  );
  return { status: done.status, body: JSON.parse(done.text) };
}

/** Follows the provider from `redirect` (consent allowed) to the app's callback, and exchanges the code there. */
async function toApp(v: Visit, redirect: string, auth: { verifier: string; state: string; nonce: string }) {
  let answer = await v.request('GET', redirect);
  for (let step = 0; !answer.location?.startsWith(rp.url); step++) {
    assert.ok(step < 10, `never reached the app: ${answer.status} ${answer.text.slice(0, 200)}`);
    if (answer.location) answer = await v.request('GET', answer.location);
    else {
      // The consent page of the interaction the provider started next: Allow.
      const consent = /action="(\/oidc\/interaction\/[^"]+\/consent[^"]*)"/.exec(answer.text);
      assert.ok(consent, `not a consent page: ${answer.status} ${answer.text.slice(0, 300)}`);
      answer = await v.request('POST', consent[1]!.replaceAll('&amp;', '&'), { csrf: v.csrf });
    }
  }
  const tokens = await client.authorizationCodeGrant(config, new URL(answer.location!), {
    pkceCodeVerifier: auth.verifier,
    expectedState: auth.state,
    expectedNonce: auth.nonce,
  });
  return tokens.claims()!;
}

describe('the OpenID sign-in: passkeys', () => {
  test('a passkey alone signs in (acr mfa, amr hwk + mfa); the page offers it', async () => {
    const user = await account();
    const device = await addPasskey(user);
    const v = new Visit();
    const opened = await v.open();
    assert.match(opened.text, /data-passkey="sign-in" data-options="\/oidc\/interaction\/[^"]+\/passkey-options"/);
    const done = await passkey(v, device);
    assert.equal(done.status, 200, JSON.stringify(done.body));
    const claims = await toApp(v, done.body.redirect, opened);
    assert.deepEqual([claims.sub, claims.acr, claims.amr], [user.uuid, 'urn:gatehouse:acr:mfa', ['hwk', 'mfa']]);
  });

  test("a passkey as the second step after the password; another account's passkey does not finish it", async () => {
    const user = await account();
    const device = await addPasskey(user);
    const stranger = await addPasskey(await account());
    const v = new Visit();
    const opened = await v.open();
    const step = await v.post('/login', { login: user.email!, password: PASSWORD });
    assert.equal(step.status, 200);
    assert.match(step.text, /data-passkey="sign-in"[^>]*data-mfa-token=/, 'the second step offers the passkey');
    const mfaToken = /name="mfa_token" value="([^"]+)"/.exec(step.text)![1]!;
    const wrong = await passkey(v, stranger, mfaToken);
    assert.deepEqual([wrong.status, wrong.body], [401, { error: SAY.passkeyFailed }]);
    const done = await passkey(v, device, mfaToken);
    assert.equal(done.status, 200, JSON.stringify(done.body));
    const claims = await toApp(v, done.body.redirect, opened);
    assert.deepEqual([claims.acr, claims.amr], ['urn:gatehouse:acr:mfa', ['pwd', 'hwk', 'mfa']]);
  });
});
