// Signing in to an app with a code on the OpenID sign-in (the one sign-in flow's code steps): a mailed code
// typed in, and the mail's link back to the same sign-in, whose GET spends nothing, which shows the code in
// another browser, and whose button finishes the sign-in only in the browser that asked. The app gets the
// account with `amr` ["email"]. No browser: plain requests, as a browser without JavaScript sends them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as client from 'openid-client';
import { authorizationRequest, CookieJar, callbackServer, freePort, relyingParty } from '../../helpers/oidc.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { registerV1 } from '../../helpers/users.ts';

let server: TestServer;
let origin: string;
let rp: Awaited<ReturnType<typeof callbackServer>>;
let config: client.Configuration;
before(async () => {
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  server = await startTestServer({ port, env: { PUBLIC_URL: origin } });
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
}

/** A browser without JavaScript: its cookies, and the CSRF value of the last page. */
class Visit {
  readonly jar = new CookieJar();
  csrf = '';

  async request(method: 'GET' | 'POST', url: string, body?: Record<string, string>): Promise<Answer> {
    const r = await fetch(new URL(url, origin), {
      method,
      redirect: 'manual',
      headers: { cookie: this.jar.header(), 'accept-language': 'en', ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body: body ? new URLSearchParams(body).toString() : undefined,
    });
    this.jar.take(r);
    const text = await r.text();
    this.csrf = /name="csrf" value="([^"]*)"/.exec(text)?.[1] ?? this.csrf;
    return { status: r.status, text, location: r.headers.get('location') };
  }

  /** Follows redirects (and allows consent) until the app's callback; returns its URL. */
  async toCallback(first: Answer): Promise<URL> {
    let answer = first;
    for (let i = 0; i < 10; i++) {
      if (answer.location?.startsWith(rp.url)) return new URL(answer.location);
      if (answer.location) answer = await this.request('GET', answer.location);
      else {
        const consent = /action="(\/oidc\/interaction\/[^"]+\/consent[^"]*)"/.exec(answer.text)?.[1];
        assert.ok(consent, `neither a redirect nor the consent page: ${answer.status} ${answer.text.slice(0, 300)}`);
        answer = await this.request('POST', consent.replaceAll('&amp;', '&'), { csrf: this.csrf });
      }
    }
    throw new Error('no callback');
  }
}

async function verifiedAccount() {
  const { username, email } = await registerV1(server.http);
  await server.core.accounts.setVerified((await server.core.accounts.findByUsername(username))!, 'email', true);
  return { username, email, user: (await server.core.accounts.findByUsername(username))! };
}

async function codeMail(email: string): Promise<{ code: string; link: string }> {
  for (let i = 0; i < 100; i++) {
    const mail = (await server.stores.outbox.list(50)).find((m) => m.to === email && m.subject.startsWith('登录验证码'));
    if (mail) return { code: /登录验证码是：(\d{6})/.exec(mail.text)![1]!, link: /(http\S+\/code-link\?\S+)/.exec(mail.text)![1]! };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no sign-in code mail to ${email}`);
}

/** An authorization request up to the code page, and the code asked for there. */
async function askCode(v: Visit, email: string) {
  const auth = await authorizationRequest(config, rp.url);
  let answer = await v.request('GET', auth.url.href);
  while (answer.location) answer = await v.request('GET', answer.location);
  const codePage = /href="(\/oidc\/interaction\/[^"]+\/code\?lang=en)"/.exec(answer.text)?.[1];
  assert.ok(codePage, 'the sign-in page offers a code');
  const asking = await v.request('GET', codePage);
  assert.equal(asking.status, 200);
  const send = /action="(\/oidc\/interaction\/[^"]+\/code\/send[^"]*)"/.exec(asking.text)![1]!;
  const sent = await v.request('POST', send, { csrf: v.csrf, to: email });
  assert.equal(sent.status, 200);
  assert.match(sent.text, /a code is on its way/);
  return { auth, sent };
}

async function idTokenOf(auth: Awaited<ReturnType<typeof authorizationRequest>>, callback: URL) {
  const tokens = await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: auth.verifier,
    expectedState: auth.state,
    expectedNonce: auth.nonce,
  });
  return tokens.claims()!;
}

describe('signing in to an app with a code', () => {
  test('a mailed code typed in: a wrong one keeps the form (401), the right one signs in; the app gets the account, amr email', async () => {
    const { email, user } = await verifiedAccount();
    const v = new Visit();
    const { auth, sent } = await askCode(v, email);
    const enter = /action="(\/oidc\/interaction\/[^"]+\/code\/sign-in[^"]*)"/.exec(sent.text)![1]!;
    const { code } = await codeMail(email);
    const wrong = await v.request('POST', enter, { csrf: v.csrf, to: email, code: code === '000000' ? '111111' : '000000' });
    assert.equal(wrong.status, 401);
    assert.match(wrong.text, /The code is wrong or has expired/);
    const forged = await v.request('POST', enter, { to: email, code });
    assert.equal(forged.status, 403, 'no CSRF value');
    const claims = await idTokenOf(auth, await v.toCallback(await v.request('POST', enter, { csrf: v.csrf, to: email, code })));
    assert.equal(claims.sub, user.uuid);
    assert.deepEqual(claims.amr, ['email']);
  });

  test("the mail's link: a scanner and another browser see the code, spending nothing; the asking browser's button finishes the sign-in, once", async () => {
    const { email, user } = await verifiedAccount();
    const v = new Visit();
    const { auth } = await askCode(v, email);
    const { code, link } = await codeMail(email);
    assert.ok(new URL(link).pathname.startsWith('/oidc/interaction/'), 'the link comes back to this sign-in');
    for (let i = 0; i < 2; i++) {
      const scanned = await fetch(link);
      assert.equal(scanned.status, 200);
      assert.match(await scanned.text(), new RegExp(`id="mailed-code">${code}<`));
    }
    const page = await v.request('GET', link);
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.text, /mailed-code/, 'the asking browser gets the button, not the code');
    const button = /action="(\/oidc\/interaction\/[^"]+\/code-link[^"]*)"/.exec(page.text)![1]!;
    const token = /name="token" value="([^"]+)"/.exec(page.text)![1]!;
    const claims = await idTokenOf(auth, await v.toCallback(await v.request('POST', button, { csrf: v.csrf, token })));
    assert.equal(claims.sub, user.uuid);
    assert.deepEqual(claims.amr, ['email']);
    const spent = await fetch(link);
    assert.equal(spent.status, 400);
    assert.match(await spent.text(), /already used or has expired/);
  });
});
