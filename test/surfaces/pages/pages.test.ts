// The pages behind the links in mail, over HTTP: a GET never spends a token,
// forms are protected against cross-site forgery, errors are shown inline, and
// the pages hold a strict Content-Security-Policy.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { registerV1, waitForResetToken, waitForVerification } from '../../helpers/users.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

/** GETs a form page and returns what a browser would send back with it. */
async function openForm(path: string, headers: Record<string, string> = {}) {
  const r = await fetch(server.url + path, { headers });
  const text = await r.text();
  const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0]!;
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(text)?.[1] ?? '';
  return { status: r.status, headers: r.headers, text, cookie, csrf: field('csrf'), token: field('token') };
}

const post = (path: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(server.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form),
  }).then(async (r) => ({ status: r.status, text: await r.text() }));

async function resetToken() {
  const { email, username } = await registerV1(server.http);
  await server.http('POST', '/api/v1/auth/forgot-password', { body: { email } });
  return { token: await waitForResetToken(server.stores.outbox, email), email, username };
}

describe('pages', () => {
  test('/ says what this server is, in the language asked for, under a strict CSP with no inline script or style', async () => {
    const en = await openForm('/', { 'accept-language': 'en-US,en;q=0.9' });
    assert.equal(en.status, 200);
    assert.match(en.text, /<html lang="en">/);
    assert.match(en.text, /href="\/docs"/);
    assert.match(en.text, /href="\/healthz"/);
    const zh = await openForm('/', { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8' });
    assert.match(zh.text, /<html lang="zh-CN">/);
    assert.match(zh.text, /认证服务/);
    const csp = zh.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.equal(zh.headers.get('x-frame-options'), 'DENY');
    // the HTML-only protections of helmet's set, which JSON answers do without
    assert.equal(zh.headers.get('cross-origin-opener-policy'), 'same-origin');
    assert.equal(zh.headers.get('x-content-type-options'), 'nosniff');
    for (const page of [en.text, zh.text]) {
      assert.doesNotMatch(page, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
      assert.doesNotMatch(page, /<style|\sstyle=/, 'no inline style');
    }
    const css = await fetch(`${server.url}/assets/pages.css`);
    assert.match(css.headers.get('content-type') ?? '', /text\/css/);
  });

  test('opening a reset link (a mail scanner, three times) spends nothing; the form then sets the password once', async () => {
    const { token, username } = await resetToken();
    for (let i = 0; i < 3; i++) assert.equal((await openForm(`/reset-password?token=${token}`)).status, 200);
    const form = await openForm(`/reset-password?token=${token}`);
    assert.equal(form.token, token);
    assert.match(form.text, /8 to 128 characters|8 到 128/);
    const done = await post('/reset-password', { token, csrf: form.csrf, password: 'page-password-1', confirm: 'page-password-1' }, { cookie: form.cookie });
    assert.equal(done.status, 200);
    assert.match(done.text, /Password changed/);
    assert.equal((await server.http('POST', '/api/v1/auth/login/json', { body: { username, password: 'page-password-1' } })).status, 200);
    const spent = await post('/reset-password', { token, csrf: form.csrf, password: 'page-password-2', confirm: 'page-password-2' }, { cookie: form.cookie });
    assert.equal(spent.status, 400);
    assert.match(spent.text, /does not work/);
  });

  test('errors inline: passwords that differ or break the policy re-show the form, and the token stays usable', async () => {
    const { token } = await resetToken();
    const form = await openForm(`/reset-password?token=${token}&lang=zh`);
    const differ = await post(
      '/reset-password?lang=zh',
      { token, csrf: form.csrf, password: 'page-password-1', confirm: 'page-password-9' },
      { cookie: form.cookie },
    );
    assert.equal(differ.status, 400);
    assert.match(differ.text, /role="alert" id="form-error">两次输入的密码不一致。/);
    assert.match(differ.text, /aria-invalid="true"/);
    const short = await post('/reset-password', { token, csrf: form.csrf, password: 'short', confirm: 'short' }, { cookie: form.cookie });
    assert.match(short.text, /at least 8 characters/);
    assert.equal((await server.http('POST', '/api/v1/auth/reset-password', { body: { token, new_password: 'still-usable-1' } })).status, 200);
  });

  test('cross-site forgery: no cookie, another value, or another origin is refused (403) and spends nothing', async () => {
    const { token } = await resetToken();
    const form = await openForm(`/reset-password?token=${token}`);
    const body = { token, csrf: form.csrf, password: 'forged-password-1', confirm: 'forged-password-1' };
    assert.equal((await post('/reset-password', body)).status, 403);
    assert.equal((await post('/reset-password', { ...body, csrf: 'x'.repeat(43) }, { cookie: form.cookie })).status, 403);
    assert.equal((await post('/reset-password', body, { cookie: form.cookie, origin: 'https://evil.example' })).status, 403);
    assert.equal((await post('/reset-password', body, { cookie: form.cookie, origin: server.url })).status, 200);
  });

  test('a csrf field as long as the cookie in characters but not in bytes is refused (403), not a failure (review finding 6)', async () => {
    const { token } = await resetToken();
    const form = await openForm(`/reset-password?token=${token}`);
    const body = { token, password: 'forged-password-1', confirm: 'forged-password-1' };
    for (const field of ['é'.repeat(43), '€'.repeat(43), `${'a'.repeat(42)}é`]) {
      const r = await post('/reset-password', { ...body, csrf: field }, { cookie: form.cookie });
      assert.equal(r.status, 403, field);
    }
    assert.equal((await post('/reset-password', { ...body, csrf: form.csrf }, { cookie: form.cookie })).status, 200, 'the token was not spent');
  });

  test('the Origin check trusts the Host the request came to, never X-Forwarded-Host (review finding 7)', async () => {
    const { token } = await resetToken();
    const form = await openForm(`/reset-password?token=${token}`);
    const body = { token, csrf: form.csrf, password: 'forged-password-1', confirm: 'forged-password-1' };
    const forged = await post('/reset-password', body, { cookie: form.cookie, origin: 'https://evil.example', 'x-forwarded-host': 'evil.example' });
    assert.equal(forged.status, 403);
  });

  test('a used or unknown reset link says so on opening, before any password is typed; opening spends nothing', async () => {
    const { token } = await resetToken();
    const live = await openForm(`/reset-password?token=${token}`);
    assert.equal(live.status, 200);
    assert.match(live.text, /name="password"/);
    const done = await post('/reset-password', { token, csrf: live.csrf, password: 'page-password-7', confirm: 'page-password-7' }, { cookie: live.cookie });
    assert.equal(done.status, 200);
    for (const link of [`/reset-password?token=${token}`, '/reset-password?token=never-issued-token']) {
      const r = await openForm(link);
      assert.equal(r.status, 400, link);
      assert.match(r.text, /This link does not work/);
      assert.doesNotMatch(r.text, /name="password"/);
    }
  });

  test('/assets serves only its list: __proto__, constructor and toString are 404 (review finding 7)', async () => {
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'pages.css.map', '..%2Fpages.css']) {
      const r = await fetch(`${server.url}/assets/${name}`);
      assert.equal(r.status, 404, name);
      await r.arrayBuffer();
    }
    assert.equal((await fetch(`${server.url}/assets/pages.js`)).status, 200);
  });

  test('verification: GET shows a button and spends nothing; the POST verifies', async () => {
    const { email, username } = await registerV1(server.http);
    const { token } = await waitForVerification(server.stores.outbox, email);
    const form = await openForm(`/verify-email?token=${encodeURIComponent(token)}`);
    assert.match(form.text, /<button type="submit">/);
    assert.equal((await server.core.accounts.findByUsername(username))!.isEmailVerified, false);
    const done = await post('/verify-email', { token, csrf: form.csrf }, { cookie: form.cookie });
    assert.match(done.text, /Email address verified/);
    assert.equal((await server.core.accounts.findByUsername(username))!.isEmailVerified, true);
    const missing = await openForm('/verify-email');
    assert.equal(missing.status, 400);
  });
});

describe('PUBLIC_URL', () => {
  test('behind HTTPS the CSRF cookie is __Host- prefixed and Secure (review finding 7)', async () => {
    const secure = await startTestServer({ env: { PUBLIC_URL: 'https://auth.example.com/' } });
    try {
      const { email } = await registerV1(secure.http);
      await secure.http('POST', '/api/v1/auth/forgot-password', { body: { email } });
      const token = await waitForResetToken(secure.stores.outbox, email);
      const r = await fetch(`${secure.url}/reset-password?token=${token}`);
      await r.text();
      const cookie = r.headers.get('set-cookie') ?? '';
      const [pair, ...attributes] = cookie.split('; ');
      assert.match(pair!, /^__Host-gh_csrf=[A-Za-z0-9_-]{43}$/);
      assert.deepEqual(attributes.sort(), ['HttpOnly', 'Max-Age=3600', 'Path=/', 'SameSite=Strict', 'Secure']);
    } finally {
      await secure.close();
    }
  });

  test('builds the links in mail; RESET_URL_TEMPLATE still overrides', async () => {
    const custom = await startTestServer({ env: { PUBLIC_URL: 'https://auth.example.com/', RESET_URL_TEMPLATE: 'https://app.example.com/reset?t={token}' } });
    try {
      const { email } = await registerV1(custom.http);
      await waitForVerification(custom.stores.outbox, email);
      const verifyMail = (await custom.stores.outbox.list(10)).find((m) => m.to === email)!;
      assert.match(verifyMail.text, /https:\/\/auth\.example\.com\/verify-email\?token=/);
      await custom.http('POST', '/api/v1/auth/forgot-password', { body: { email } });
      await waitForResetToken(custom.stores.outbox, email);
      const resetMail = (await custom.stores.outbox.list(10)).find((m) => m.to === email && m.text.includes('Reset token'))!;
      assert.match(resetMail.text, /https:\/\/app\.example\.com\/reset\?t=/);
    } finally {
      await custom.close();
    }
  });
});
