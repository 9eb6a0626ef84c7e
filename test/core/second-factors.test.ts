import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { generateSync, stringToBytes } from 'otplib';
import type { GatehouseError } from '../../src/core/errors.ts';
import { SecondFactorRequired } from '../../src/core/second-factors/second-step.ts';
import type { SecondFactorSettings } from '../../src/core/second-factors/settings.ts';
import { SecretBox } from '../../src/core/secret-box.ts';
import { TEST_ENCRYPTION_KEY, testCore } from '../helpers/core.ts';
import { callerFor } from '../helpers/factors.ts';

// RFC 6238 Appendix B: the SHA-1 seed "12345678901234567890", 8-digit codes.
const RFC_SEED = '12345678901234567890';
const RFC_SECRET_BASE32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const RFC_VECTORS: Array<[seconds: number, code: string]> = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];
const PASSWORD = 'correct-horse-42';
const START = { accessTtl: 3600 };

/** The caller a fresh password sign-in of this account makes (as a surface's authentication would). */
async function signedIn(core: ReturnType<typeof testCore>, login: string) {
  const grant = await core.login.login({ by: 'either', identifier: login, password: PASSWORD, ...START });
  return core.sessions.authenticate(grant.accessToken);
}

const rejects = async (promise: Promise<unknown>, code: string) =>
  assert.rejects(promise, (e: GatehouseError) => {
    assert.equal(e.code, code);
    return true;
  });

/** A core with one account whose TOTP secret is the RFC seed, confirmed. */
async function enrolled(settings: Partial<SecondFactorSettings> = {}) {
  const core = testCore({ secondFactors: settings });
  const user = await core.accounts.register({ email: 'tess@example.com', username: 'tess', password: PASSWORD });
  const sealedSecret = new SecretBox(TEST_ENCRYPTION_KEY).seal(RFC_SECRET_BASE32, `totp:${user.id}`);
  await core.stores.factors.putPendingTotp({ userId: user.id, sealedSecret, createdAt: core.clock.now(), confirmedAt: null });
  await core.stores.factors.confirmTotp(user.id, core.clock.now());
  const codeAt = (ms: number) => generateSync({ secret: RFC_SECRET_BASE32, epoch: Math.floor(ms / 1000) });
  const login = async (askSecondFactor = true): Promise<SecondFactorRequired> => {
    const error = await core.login.login({ by: 'either', identifier: 'tess', password: PASSWORD, askSecondFactor, ...START }).then(
      () => assert.fail('an enrolled account got a grant from the password alone'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof SecondFactorRequired);
    return error;
  };
  const token = async () => (await login()).mfaToken!;
  return { core, user, codeAt, login, token };
}

describe('TOTP (RFC 6238)', () => {
  test('Appendix B SHA-1 vectors: otplib as configured gives them, and the service accepts their 6-digit form at that time', async () => {
    for (const [seconds, code] of RFC_VECTORS) {
      assert.equal(generateSync({ secret: stringToBytes(RFC_SEED), epoch: seconds, digits: 8 }), code, `T=${seconds}`);
      const { core, token } = await enrolled();
      core.clock.set(seconds * 1000);
      const grant = await core.secondFactors.step.verify(await token(), code.slice(-6), START);
      assert.deepEqual(core.tokens.verify(grant.accessToken, 'access').amr, ['pwd', 'otp', 'mfa']);
    }
  });

  test('the step before and after are accepted, two steps away is not; a step is accepted once (replay refused)', async () => {
    const { core, codeAt, token } = await enrolled();
    const now = core.clock.now();
    await core.secondFactors.step.verify(await token(), codeAt(now - 30_000), START);
    await core.secondFactors.step.verify(await token(), codeAt(now + 30_000), START);
    await rejects(core.secondFactors.step.verify(await token(), codeAt(now - 60_000), START), 'MFA_CODE_INVALID');
    await rejects(core.secondFactors.step.verify(await token(), codeAt(now + 90_000), START), 'MFA_CODE_INVALID');
    const code = codeAt(now);
    await core.secondFactors.step.verify(await token(), code, START);
    await rejects(core.secondFactors.step.verify(await token(), code, START), 'MFA_CODE_INVALID');
  });

  test('the same right code sent 6 times at once with 6 mfa tokens logs in once', async () => {
    const { core, codeAt, token } = await enrolled();
    const code = codeAt(core.clock.now());
    // Logged in one after another: parallel password checks of one account are bounded by its lockout budget.
    const tokens: string[] = [];
    for (let i = 0; i < 6; i++) tokens.push(await token());
    const results = await Promise.allSettled(tokens.map((t) => core.secondFactors.step.verify(t, code, START)));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  });
});

describe('the second step of a login', () => {
  test('an enrolled account gets MFA_REQUIRED with a token and its methods, never a session from the password alone', async () => {
    const { core, user, login } = await enrolled();
    const required = await login();
    assert.equal(required.code, 'MFA_REQUIRED');
    assert.match(required.mfaToken!, /^[\w-]{43}$/);
    assert.deepEqual(required.methods, ['totp', 'recovery_code']);
    assert.deepEqual(await core.sessions.listForUser(user.id), []);
  });

  test('an account without a second factor logs in as before, amr pwd', async () => {
    const core = testCore();
    await core.accounts.register({ email: 'p@example.com', password: PASSWORD });
    const grant = await core.login.login({ by: 'email', identifier: 'p@example.com', password: PASSWORD, askSecondFactor: true, ...START });
    assert.deepEqual(core.tokens.verify(grant.accessToken, 'access').amr, ['pwd']);
  });

  test('an mfa_token lives 5 minutes, serves one login, and an unknown one is refused', async () => {
    const { core, codeAt, token } = await enrolled();
    const expiring = await token();
    core.clock.advance(300_000);
    await rejects(core.secondFactors.step.verify(expiring, codeAt(core.clock.now()), START), 'MFA_TOKEN_INVALID');
    const used = await token();
    await core.secondFactors.step.verify(used, codeAt(core.clock.now()), START);
    await rejects(core.secondFactors.step.verify(used, codeAt(core.clock.now() + 30_000), START), 'MFA_TOKEN_INVALID');
    await rejects(core.secondFactors.step.verify('not-a-token', '123456', START), 'MFA_TOKEN_INVALID');
  });

  test('5 wrong codes at once kill the mfa_token: the right code is refused after them', async () => {
    const { core, codeAt, token } = await enrolled();
    const mfaToken = await token();
    const wrong = String((Number(codeAt(core.clock.now())) + 500_000) % 1_000_000).padStart(6, '0');
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => core.secondFactors.step.verify(mfaToken, wrong, START)));
    assert.ok(results.every((r) => r.status === 'rejected'));
    await rejects(core.secondFactors.step.verify(mfaToken, codeAt(core.clock.now()), START), 'MFA_TOKEN_INVALID');
  });

  test('wrong codes count toward the account lockout like wrong passwords', async () => {
    const { core, user, codeAt, token } = await enrolled();
    const wrong = String((Number(codeAt(core.clock.now())) + 1) % 1_000_000).padStart(6, '0');
    const mfaToken = await token();
    for (let i = 0; i < 5; i++) await rejects(core.secondFactors.step.verify(mfaToken, wrong, START), 'MFA_CODE_INVALID');
    await rejects(core.login.login({ by: 'either', identifier: 'tess', password: PASSWORD, askSecondFactor: true, ...START }), 'ACCOUNT_LOCKED');
    const events = (await core.audit.list(50, user.id)).map((e) => e.type);
    assert.equal(events.filter((t) => t === 'mfa.failed').length, 5);
    assert.ok(events.includes('account.locked'));
  });

  test('logging in again buys no new guesses: 10 wrong codes an hour, whatever the mfa tokens, then even the right code waits', async () => {
    const { core, codeAt, token } = await enrolled();
    const wrong = String((Number(codeAt(core.clock.now())) + 1) % 1_000_000).padStart(6, '0');
    for (const guesses of [4, 4, 2]) {
      const mfaToken = await token();
      for (let i = 0; i < guesses; i++) await rejects(core.secondFactors.step.verify(mfaToken, wrong, START), 'MFA_CODE_INVALID');
    }
    await rejects(core.secondFactors.step.verify(await token(), codeAt(core.clock.now()), START), 'RATE_LIMITED');
    core.clock.advance(3600_000);
    await core.secondFactors.step.verify(await token(), codeAt(core.clock.now()), START);
  });

  test('40 wrong codes at once over 8 mfa tokens: at most 5 are compared (a slot is reserved before a code is judged)', async () => {
    const { core, codeAt, token } = await enrolled();
    let judged = 0;
    const open = core.secretBox.open.bind(core.secretBox);
    core.secretBox.open = (sealed, context) => {
      if (context.startsWith('totp:')) judged++;
      return open(sealed, context);
    };
    const tokens: string[] = [];
    for (let i = 0; i < 8; i++) tokens.push(await token());
    const wrong = String((Number(codeAt(core.clock.now())) + 1) % 1_000_000).padStart(6, '0');
    const results = await Promise.allSettled(tokens.flatMap((t) => Array.from({ length: 5 }, () => core.secondFactors.step.verify(t, wrong, START))));
    assert.ok(results.every((r) => r.status === 'rejected'));
    assert.ok(judged <= 5, `${judged} codes were compared`);
  });

  test('a recovery code sent 8 times at once logs in once, then never again; the rest still work', async () => {
    const { core, user, codeAt } = await enrolled();
    const codes = await core.secondFactors.totp.regenerateRecoveryCodes(await callerFor(core, user), { password: PASSWORD, code: codeAt(core.clock.now()) });
    assert.equal(codes.length, 10);
    assert.equal(new Set(codes).size, 10);
    const { token } = {
      token: async () =>
        (
          (await core.login
            .login({ by: 'either', identifier: 'tess', password: PASSWORD, askSecondFactor: true, ...START })
            .catch((e) => e)) as SecondFactorRequired
        ).mfaToken!,
    };
    const tokens: string[] = [];
    for (let i = 0; i < 8; i++) tokens.push(await token());
    const results = await Promise.allSettled(tokens.map((t) => core.secondFactors.step.verify(t, codes[0]!, START)));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    await rejects(core.secondFactors.step.verify(await token(), codes[0]!, START), 'MFA_CODE_INVALID');
    // Typed the way people type them: upper case, without the dash.
    await core.secondFactors.step.verify(await token(), codes[1]!.toUpperCase().replace('-', ''), START);
    assert.equal((await core.secondFactors.status(user.id)).recoveryCodesLeft, 8);
    assert.ok((await core.audit.list(50, user.id)).some((e) => e.type === 'mfa.recovery_code_used'));
  });

  test('paths without a second step: refused with MFA_REQUIRED and no token (refuse), or let in and audited (allow)', async () => {
    const refused = await enrolled();
    const error = await refused.login(false);
    assert.equal(error.mfaToken, null);
    const allowed = await enrolled({ legacyLogin: 'allow' });
    const grant = await allowed.core.login.login({ by: 'either', identifier: 'tess', password: PASSWORD, ...START });
    assert.deepEqual(allowed.core.tokens.verify(grant.accessToken, 'access').amr, ['pwd']);
    assert.ok((await allowed.core.audit.list(10, allowed.user.id)).some((e) => e.type === 'mfa.legacy_login'));
  });
});

describe('the enrolment session (MFA_REQUIRED)', () => {
  test('an account it covers, on the hosted sign-in: a token of type enrolment, 15 minutes, and no refresh token even when one is asked for', async () => {
    const core = testCore({ secondFactors: { required: 'all' } });
    await core.accounts.register({ email: 'new@example.com', password: PASSWORD });
    await rejects(core.login.login({ by: 'email', identifier: 'new@example.com', password: PASSWORD, ...START }), 'MFA_ENROLMENT_REQUIRED');
    const grant = await core.login.login({
      by: 'email',
      identifier: 'new@example.com',
      password: PASSWORD,
      hostedSignIn: true,
      withRefreshToken: true,
      ...START,
    });
    assert.equal(grant.enrolment, true);
    assert.equal(grant.refreshToken, undefined);
    assert.equal(core.tokens.verify(grant.accessToken, 'enrolment').exp - core.tokens.verify(grant.accessToken, 'enrolment').iat, 900);
    await rejects(core.sessions.authenticate(grant.accessToken), 'TOKEN_WRONG_TYPE');
    core.clock.advance(901_000);
    await rejects(core.sessions.authenticateOrEnrolment(grant.accessToken), 'TOKEN_EXPIRED');
  });
});

describe('enrolment', () => {
  test('begin (after the password), confirm with a right code, recovery codes; remove needs the password and a code; the secret is sealed at rest', async () => {
    const core = testCore();
    const user = await core.accounts.register({ email: 'e@example.com', password: PASSWORD });
    const caller = await signedIn(core, 'e@example.com');
    await rejects(core.secondFactors.totp.begin(caller, {}), 'STEP_UP_REQUIRED');
    await rejects(core.secondFactors.totp.begin(caller, { password: 'wrong-password' }), 'PASSWORD_INCORRECT');
    const { secret, otpauthUri } = await core.secondFactors.totp.begin(caller, { password: PASSWORD });
    assert.match(secret, /^[A-Z2-7]{32}$/);
    assert.equal(otpauthUri, `otpauth://totp/Gatehouse:e%40example.com?secret=${secret}&issuer=Gatehouse`);
    const stored = await core.stores.factors.getTotp(user.id);
    assert.ok(stored && !stored.sealedSecret.includes(secret), 'the store never holds the secret in clear');
    assert.deepEqual(await core.secondFactors.methods(user.id), [], 'pending: not asked at login yet');
    const wrong = String((Number(generateSync({ secret, epoch: Math.floor(core.clock.now() / 1000) })) + 1) % 1_000_000).padStart(6, '0');
    await rejects(core.secondFactors.totp.confirm(caller, wrong, START), 'MFA_CODE_INVALID');
    const code = generateSync({ secret, epoch: Math.floor(core.clock.now() / 1000) });
    const { recoveryCodes } = await core.secondFactors.totp.confirm(caller, code, START);
    assert.equal(recoveryCodes.length, 10);
    assert.deepEqual(await core.secondFactors.methods(user.id), ['totp', 'recovery_code']);
    await rejects(core.secondFactors.totp.begin(caller, { password: PASSWORD }), 'MFA_STATE_CONFLICT');
    core.clock.advance(30_000);
    const next = generateSync({ secret, epoch: Math.floor(core.clock.now() / 1000) });
    await rejects(core.secondFactors.totp.remove(caller, { password: PASSWORD }), 'STEP_UP_REQUIRED');
    await rejects(core.secondFactors.totp.remove(caller, { password: 'wrong-password', code: next }), 'PASSWORD_INCORRECT');
    await core.secondFactors.totp.remove(caller, { password: PASSWORD, code: next });
    assert.deepEqual(await core.secondFactors.status(user.id), { totp: 'none', recoveryCodesLeft: 0, passkeys: [] });
    const events = (await core.audit.list(20, user.id)).map((e) => e.type);
    assert.ok(events.includes('mfa.enrolled') && events.includes('mfa.removed'));
  });

  test('an operator reset removes every factor and is audited', async () => {
    const { core, user } = await enrolled();
    await core.secondFactors.reset(user.id);
    assert.deepEqual(await core.secondFactors.methods(user.id), []);
    assert.ok((await core.audit.list(10, user.id)).some((e) => e.type === 'mfa.reset'));
  });
});
