import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generateSync } from 'otplib';
import type { Client } from '../../helpers/http.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { registerV1 } from '../../helpers/users.ts';

// Both listeners of one server: the main one answers /api/v1/auth in plain style, the other in envelope style.
let server: TestServer;
before(async () => {
  // Every test here logs in many times from 127.0.0.1: the per-address limit is raised for volume (the per-account one stays).
  server = await startTestServer({ env: { RATE_LIMIT_PER_IP: '100000' } });
});
after(() => server.close());

const PASSWORD = 'password123';

/** The code an authenticator app shows now (the server's clock), or `steps` periods away. */
function codeFor(secret: string, steps = 0): string {
  return generateSync({ secret, epoch: Math.floor(server.clock.now() / 1000) + steps * 30 });
}

/** A code that is certainly wrong now. */
function wrongCode(secret: string): string {
  const right = new Set([-1, 0, 1].map((s) => codeFor(secret, s)));
  for (let n = 0; ; n++) {
    const candidate = String(n).padStart(6, '0');
    if (!right.has(candidate)) return candidate;
  }
}

interface StyleCase {
  name: 'plain' | 'envelope';
  http: () => Client;
  /** The JSON login of this style (plain: /login/json; envelope: /login). */
  loginPath: string;
  /** The data of a success (envelope: inside `data`). */
  data(body: any): any;
}

const STYLES: StyleCase[] = [
  { name: 'plain', http: () => server.http, loginPath: '/api/v1/auth/login/json', data: (b) => b },
  { name: 'envelope', http: () => server.envelopeHttp, loginPath: '/api/v1/auth/login', data: (b) => b.data },
];

/** Registers, logs in, enrols TOTP through the API; returns what the user would have written down. */
async function enrolled(style: StyleCase) {
  const http = style.http();
  const { username, email } = await registerV1(server.http);
  const first = await http('POST', style.loginPath, { body: { username, password: PASSWORD } });
  assert.equal(first.status, 200, first.text);
  const token = style.data(first.body).access_token as string;
  // Setting up a factor is a change to how the account is protected: the password confirms it (step-up).
  const setup = await http('POST', '/api/v1/auth/mfa/totp', { token, body: { password: PASSWORD } });
  assert.equal(setup.status, 200, setup.text);
  const { secret, otpauth_uri, qr_svg } = style.data(setup.body);
  const confirm = await http('POST', '/api/v1/auth/mfa/totp/confirm', { token, body: { code: codeFor(secret) } });
  assert.equal(confirm.status, 200, confirm.text);
  // The confirming code's time step is spent; the next login uses the next code.
  server.clock.advance(30_000);
  return {
    http,
    username,
    email,
    token,
    secret,
    otpauthUri: otpauth_uri as string,
    qrSvg: qr_svg as string,
    recoveryCodes: style.data(confirm.body).recovery_codes as string[],
  };
}

/** Logs in with the password and returns the mfa_token of the 403. */
async function firstStep(style: StyleCase, http: Client, username: string): Promise<string> {
  const r = await http('POST', style.loginPath, { body: { username, password: PASSWORD } });
  assert.equal(r.status, 403, r.text);
  return style.name === 'plain' ? r.body.mfa_token : r.body.data.mfa_token;
}

for (const style of STYLES) {
  describe(`/api/v1/auth second factor, ${style.name} style`, () => {
    test('enrolment: secret, otpauth URI and SVG QR code; confirm returns 10 recovery codes; GET /mfa shows it', async () => {
      const { http, token, secret, otpauthUri, qrSvg, recoveryCodes, email } = await enrolled(style);
      assert.match(secret, /^[A-Z2-7]{32}$/);
      assert.equal(otpauthUri, `otpauth://totp/Gatehouse:${encodeURIComponent(email)}?secret=${secret}&issuer=Gatehouse`);
      assert.match(qrSvg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*>.*<\/svg>\s*$/s);
      assert.equal(recoveryCodes.length, 10);
      assert.equal(new Set(recoveryCodes).size, 10);
      const status = await http('GET', '/api/v1/auth/mfa', { token });
      assert.equal(status.status, 200);
      assert.deepEqual(style.data(status.body), { methods: ['totp', 'recovery_code'], totp: 'active', recovery_codes_left: 10, passkeys: [] });
      const again = await http('POST', '/api/v1/auth/mfa/totp', { token, body: { password: PASSWORD, code: codeFor(secret) } });
      assert.equal(again.status, 409, 'a second enrolment over an active one is refused');
    });

    test('login for an enrolled account: 403 with mfa_token and methods, in this style exactly', async () => {
      const { http, username } = await enrolled(style);
      for (const path of [style.loginPath, '/api/v1/auth/login/json']) {
        const r = await http('POST', path, { body: { username, password: PASSWORD } });
        assert.equal(r.status, 403);
        if (style.name === 'plain') {
          assert.deepEqual(Object.keys(r.body).sort(), ['detail', 'methods', 'mfa_required', 'mfa_token']);
          assert.equal(r.body.detail, '需要两步验证');
          assert.equal(r.body.mfa_required, true);
          assert.deepEqual(r.body.methods, ['totp', 'recovery_code']);
          assert.match(r.body.mfa_token, /^[\w-]{43}$/);
        } else {
          assert.deepEqual(Object.keys(r.body).sort(), ['code', 'data', 'message', 'status']);
          assert.deepEqual([r.body.status, r.body.code, r.body.message], ['error', 'MFA_REQUIRED', '需要两步验证']);
          assert.deepEqual(Object.keys(r.body.data).sort(), ['methods', 'mfa_token']);
          assert.deepEqual(r.body.data.methods, ['totp', 'recovery_code']);
        }
      }
      if (style.name === 'plain') {
        // The form login (OAuth2 password flow) of the plain style asks too.
        const form = await http('POST', '/api/v1/auth/login', { form: { username, password: PASSWORD } });
        assert.equal(form.status, 403);
        assert.equal(form.body.mfa_required, true);
      }
      const wrong = await http('POST', style.loginPath, { body: { username, password: 'wrong-password' } });
      assert.equal(wrong.status, 401, 'a wrong password says nothing about the second factor');
      assert.equal(JSON.stringify(wrong.body).includes('mfa'), false);
    });

    test('verify with the code: exactly the login answer of this style; the token works and says amr; the code does not work twice', async () => {
      const { http, username, secret } = await enrolled(style);
      const mfaToken = await firstStep(style, http, username);
      const code = codeFor(secret);
      const r = await http('POST', '/api/v1/auth/mfa/verify', { body: { mfa_token: mfaToken, code } });
      assert.equal(r.status, 200, r.text);
      const plainLogin = await http('POST', style.loginPath, { body: { username: (await registerV1(server.http)).username, password: PASSWORD } });
      assert.deepEqual(Object.keys(r.body).sort(), Object.keys(plainLogin.body).sort(), 'the same shape as a login');
      if (style.name === 'envelope') {
        assert.deepEqual([r.body.status, r.body.message], ['success', '登录成功']);
        assert.deepEqual(Object.keys(r.body.data).sort(), Object.keys(plainLogin.body.data).sort());
      } else {
        assert.deepEqual(Object.keys(r.body.user).sort(), Object.keys(plainLogin.body.user).sort());
      }
      const accessToken = style.data(r.body).access_token as string;
      const claims = JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString());
      assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
      assert.equal((await http('GET', '/api/v1/auth/me', { token: accessToken })).status, 200);
      // Replay: the same code with a fresh mfa_token is refused.
      const replay = await http('POST', '/api/v1/auth/mfa/verify', { body: { mfa_token: await firstStep(style, http, username), code } });
      assert.equal(replay.status, 400);
      assert.equal(style.name === 'plain' ? replay.body.detail : replay.body.code, style.name === 'plain' ? '验证码错误或已使用' : 'INVALID_MFA_CODE');
      // The mfa_token served one login.
      const reused = await http('POST', '/api/v1/auth/mfa/verify', { body: { mfa_token: mfaToken, code: codeFor(secret, 1) } });
      assert.equal(reused.status, 401);
    });

    test('5 wrong codes sent at once kill the mfa_token; the right code is refused after them', async () => {
      const { http, username, secret } = await enrolled(style);
      const mfaToken = await firstStep(style, http, username);
      const bad = wrongCode(secret);
      const answers = await Promise.all(Array.from({ length: 5 }, () => http('POST', '/api/v1/auth/mfa/verify', { body: { mfa_token: mfaToken, code: bad } })));
      assert.deepEqual(
        answers.map((a) => a.status),
        [400, 400, 400, 400, 400],
      );
      const late = await http('POST', '/api/v1/auth/mfa/verify', { body: { mfa_token: mfaToken, code: codeFor(secret) } });
      assert.equal(late.status, 401);
      assert.equal(
        style.name === 'plain' ? late.body.detail : late.body.code,
        style.name === 'plain' ? '两步验证令牌无效或已过期，请重新登录' : 'INVALID_MFA_TOKEN',
      );
    });

    test('a recovery code sent 8 times at once works once; GET /mfa counts it; regenerating needs the password and a code and retires the old codes', async () => {
      const { http, username, token, recoveryCodes, secret } = await enrolled(style);
      const tokens: string[] = [];
      for (let i = 0; i < 8; i++) tokens.push(await firstStep(style, http, username));
      const answers = await Promise.all(
        tokens.map((t) => http('POST', '/api/v1/auth/mfa/verify', { body: { mfa_token: t, recovery_code: recoveryCodes[0] } })),
      );
      assert.equal(answers.filter((a) => a.status === 200).length, 1);
      // The others: the code is spent (400), or the account's lockout budget had no slot left for that many at once (423).
      for (const a of answers.filter((a) => a.status !== 200)) assert.ok([400, 423].includes(a.status), a.text);
      // Spent codes presented are wrong codes: they may have locked the account like wrong passwords; let that pass.
      server.clock.advance(15 * 60_000 + 1000);
      assert.equal(style.data((await http('GET', '/api/v1/auth/mfa', { token })).body).recovery_codes_left, 9);
      const refused = await http('POST', '/api/v1/auth/mfa/recovery-codes', { token, body: { password: 'wrong-password', code: codeFor(secret) } });
      assert.equal(refused.status, 400);
      const noCode = await http('POST', '/api/v1/auth/mfa/recovery-codes', { token, body: { password: PASSWORD } });
      assert.equal(noCode.status, 403, 'the password alone does not confirm it');
      const fresh = await http('POST', '/api/v1/auth/mfa/recovery-codes', { token, body: { password: PASSWORD, code: codeFor(secret) } });
      assert.equal(fresh.status, 200);
      assert.equal(style.data(fresh.body).recovery_codes.length, 10);
      const old = await http('POST', '/api/v1/auth/mfa/verify', {
        body: { mfa_token: await firstStep(style, http, username), recovery_code: recoveryCodes[1] },
      });
      assert.equal(old.status, 400, 'the old codes stopped working');
    });

    test('verify: neither or both of code and recovery_code, or a malformed code, is a 400 in this style', async () => {
      for (const body of [{ mfa_token: 'x' }, { mfa_token: 'x', code: '123456', recovery_code: 'abcde-fghij' }, { mfa_token: 'x', code: '12345' }, {}]) {
        const r = await style.http()('POST', '/api/v1/auth/mfa/verify', { body });
        assert.equal(r.status, 400, JSON.stringify(body));
        if (style.name === 'envelope') assert.equal(r.body.code, 'VALIDATION_ERROR');
        else assert.match(r.body.detail, /^参数验证失败/);
      }
    });

    test('removing TOTP needs the password and a code; then the password alone logs in again', async () => {
      const { http, username, token, secret } = await enrolled(style);
      assert.equal((await http('DELETE', '/api/v1/auth/mfa/totp', { token, body: { password: 'wrong-password', code: codeFor(secret) } })).status, 400);
      assert.equal((await http('DELETE', '/api/v1/auth/mfa/totp', { token, body: { password: PASSWORD } })).status, 403);
      const removed = await http('DELETE', '/api/v1/auth/mfa/totp', { token, body: { password: PASSWORD, code: codeFor(secret) } });
      assert.equal(removed.status, 200, removed.text);
      const r = await http('POST', style.loginPath, { body: { username, password: PASSWORD } });
      assert.equal(r.status, 200);
      assert.equal((await http('DELETE', '/api/v1/auth/mfa/totp', { token, body: { password: PASSWORD } })).status, 409);
    });

    test('the MFA API needs a Bearer token', async () => {
      const http = style.http();
      for (const [method, path] of [
        ['GET', '/api/v1/auth/mfa'],
        ['POST', '/api/v1/auth/mfa/totp'],
      ] as const) {
        assert.equal((await http(method, path)).status, 401);
      }
    });
  });
}

describe('the login paths without a second step, for an enrolled account', () => {
  test('/api/users/login and /api/auth/login answer 403 in their own shape (MFA_LEGACY_LOGIN=refuse, the default)', async () => {
    const { email, username } = await enrolled(STYLES[0]!);
    const users = await server.http('POST', '/api/users/login', { body: { email, password: PASSWORD } });
    assert.deepEqual(
      [users.status, users.body],
      [403, { detail: 'Two-step verification is required for this account: log in through /api/v1/auth/login or the /account page' }],
    );
    const auth = await server.http('POST', '/api/auth/login', { body: { username, password: PASSWORD } });
    assert.equal(auth.status, 403);
    assert.match(auth.body.detail, /^Two-step verification is required/);
    const wrong = await server.http('POST', '/api/users/login', { body: { email, password: 'wrong-password' } });
    assert.equal(wrong.status, 400, 'a wrong password is still just a wrong password');
  });
});

describe('MFA_LEGACY_LOGIN=allow', () => {
  let allowing: TestServer;
  before(async () => {
    allowing = await startTestServer({ env: { MFA_LEGACY_LOGIN: 'allow' } });
  });
  after(() => allowing.close());

  test('the legacy paths let an enrolled account in with the password alone and audit each such login; /api/v1/auth still asks', async () => {
    const { username, email } = await registerV1(allowing.http);
    const login = await allowing.http('POST', '/api/v1/auth/login/json', { body: { username, password: PASSWORD } });
    const token = login.body.access_token as string;
    const { secret } = (await allowing.http('POST', '/api/v1/auth/mfa/totp', { token, body: { password: PASSWORD } })).body;
    const code = generateSync({ secret, epoch: Math.floor(allowing.clock.now() / 1000) });
    assert.equal((await allowing.http('POST', '/api/v1/auth/mfa/totp/confirm', { token, body: { code } })).status, 200);
    const users = await allowing.http('POST', '/api/users/login', { body: { email, password: PASSWORD } });
    assert.equal(users.status, 200, users.text);
    const auth = await allowing.http('POST', '/api/auth/login', { body: { username, password: PASSWORD } });
    assert.equal(auth.status, 200, auth.text);
    assert.equal((await allowing.http('POST', '/api/v1/auth/login/json', { body: { username, password: PASSWORD } })).status, 403);
    const user = await allowing.core.accounts.findByUsername(username);
    const events = await allowing.core.audit.list(50, user!.id);
    assert.equal(events.filter((e) => e.type === 'mfa.legacy_login').length, 2);
  });
});
