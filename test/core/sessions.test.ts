import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { GatehouseError } from '../../src/core/errors.ts';
import { testCore } from '../helpers/core.ts';

const rejects = async (promise: Promise<unknown>, code: string) =>
  assert.rejects(promise, (e: GatehouseError) => {
    assert.equal(e.code, code);
    return true;
  });

async function loggedIn() {
  const core = testCore();
  const user = await core.accounts.register({ email: 'a@example.com', password: 'correct-horse-42', firstName: 'A' });
  const grant = await core.login.login({ by: 'email', identifier: 'A@Example.com', password: 'correct-horse-42', accessTtl: 180 * 60 });
  return { core, user, grant };
}

describe('sessions', () => {
  test('a live session authenticates its token', async () => {
    const { core, user, grant } = await loggedIn();
    const caller = await core.sessions.authenticate(grant.accessToken);
    assert.equal(caller.user.id, user.id);
    assert.equal(caller.session.id, grant.session.id);
  });

  test('ending the session invalidates its tokens at once', async () => {
    const { core, grant } = await loggedIn();
    await core.sessions.logout(grant.accessToken);
    await rejects(core.sessions.authenticate(grant.accessToken), 'SESSION_ENDED');
    await rejects(core.sessions.logout(grant.accessToken), 'SESSION_ENDED');
  });

  test('a session ends at its lifetime even if tokens are refreshed', async () => {
    const { core, grant } = await loggedIn();
    core.clock.advance(7 * 24 * 3600_000 + 1);
    await rejects(core.sessions.authenticate(grant.accessToken), 'TOKEN_EXPIRED');
    await rejects(core.sessions.refreshWithAccessToken(grant.accessToken, 60, { mayBeExpired: true }), 'SESSION_ENDED');
  });

  test('an expired access token can be refreshed while its session lives (mayBeExpired), not otherwise', async () => {
    const { core, grant } = await loggedIn();
    core.clock.advance(181 * 60_000);
    await rejects(core.sessions.authenticate(grant.accessToken), 'TOKEN_EXPIRED');
    await rejects(core.sessions.refreshWithAccessToken(grant.accessToken, 3600, { mayBeExpired: false }), 'TOKEN_EXPIRED');
    const next = await core.sessions.refreshWithAccessToken(grant.accessToken, 180 * 60, { mayBeExpired: true });
    assert.equal((await core.sessions.authenticate(next.accessToken)).session.id, grant.session.id);
  });

  test('a refresh never cuts short a token already handed out; logout with any of them ends them all', async () => {
    const { core, grant } = await loggedIn();
    const second = await core.sessions.refreshWithAccessToken(grant.accessToken, 3600, { mayBeExpired: false });
    const third = await core.sessions.refreshWithAccessToken(grant.accessToken, 3600, { mayBeExpired: false });
    core.clock.advance(60_000);
    for (const token of [grant.accessToken, second.accessToken, third.accessToken]) await core.sessions.authenticate(token);
    await core.sessions.logout(grant.accessToken);
    for (const token of [grant.accessToken, second.accessToken, third.accessToken]) await rejects(core.sessions.authenticate(token), 'SESSION_ENDED');
  });

  test('expired-token refresh: the replaced token gets an answer for 10 s; presented later it ends the session', async () => {
    const { core, grant } = await loggedIn();
    core.clock.advance(181 * 60_000);
    const second = await core.sessions.refreshWithAccessToken(grant.accessToken, 3600, { mayBeExpired: true });
    core.clock.advance(5_000);
    const again = await core.sessions.refreshWithAccessToken(grant.accessToken, 3600, { mayBeExpired: true }); // within grace
    await core.sessions.authenticate(again.accessToken);
    core.clock.advance(6_000);
    await core.sessions.authenticate(second.accessToken);
    await rejects(core.sessions.refreshWithAccessToken(grant.accessToken, 3600, { mayBeExpired: true }), 'TOKEN_REUSED');
    // theft detected: the whole session is gone, the thief's and the owner's tokens alike
    await rejects(core.sessions.authenticate(second.accessToken), 'SESSION_ENDED');
  });

  test('twenty refreshes racing with one expired token all succeed, on one session, and every token works', async () => {
    const { core, grant } = await loggedIn();
    core.clock.advance(181 * 60_000);
    const grants = await Promise.all(Array.from({ length: 20 }, () => core.sessions.refreshWithAccessToken(grant.accessToken, 3600, { mayBeExpired: true })));
    for (const g of grants) assert.equal((await core.sessions.authenticate(g.accessToken)).session.id, grant.session.id);
  });

  test('refresh tokens are reusable by default; any number at once', async () => {
    const core = testCore();
    await core.accounts.register({ username: 'dora', password: 'correct-horse-42' });
    const grant = await core.login.login({ by: 'username', identifier: 'dora', password: 'correct-horse-42', accessTtl: 60, withRefreshToken: true });
    const grants = await Promise.all(Array.from({ length: 20 }, () => core.sessions.refreshWithRefreshToken(grant.refreshToken!, 60, false)));
    for (const g of grants) {
      assert.equal(g.refreshToken, undefined);
      await core.sessions.authenticate(g.accessToken);
    }
    core.clock.advance(3_600_000);
    const later = await core.sessions.refreshWithRefreshToken(grant.refreshToken!, 60, false);
    await core.sessions.authenticate(later.accessToken);
  });

  test('rotation on: a new refresh token each time; the replaced one gets the same answer for 10 s, then ends the session', async () => {
    const core = testCore();
    const user = await core.accounts.register({ username: 'bob', password: 'correct-horse-42' });
    const grant = await core.login.login({ by: 'username', identifier: 'BOB', password: 'correct-horse-42', accessTtl: 60, withRefreshToken: true });
    assert.ok(grant.refreshToken);
    const next = await core.sessions.refreshWithRefreshToken(grant.refreshToken, 60, true);
    assert.ok(next.refreshToken && next.refreshToken !== grant.refreshToken);
    assert.equal((await core.sessions.authenticate(next.accessToken)).user.id, user.id);
    core.clock.advance(5_000);
    const replay = await core.sessions.refreshWithRefreshToken(grant.refreshToken, 60, true);
    assert.equal(core.tokens.verify(replay.refreshToken!, 'refresh').jti, core.tokens.verify(next.refreshToken, 'refresh').jti);
    core.clock.advance(6_000);
    await rejects(core.sessions.refreshWithRefreshToken(grant.refreshToken, 60, true), 'TOKEN_REUSED');
    await rejects(core.sessions.authenticate(next.accessToken), 'SESSION_ENDED');
    const events = await core.stores.audit.list(10, user.id);
    assert.ok(events.some((e) => e.type === 'session.reuse_detected'));
  });

  test('rotation on: twenty refreshes racing with one refresh token all succeed with one successor', async () => {
    const core = testCore();
    await core.accounts.register({ username: 'erin', password: 'correct-horse-42' });
    const grant = await core.login.login({ by: 'username', identifier: 'erin', password: 'correct-horse-42', accessTtl: 60, withRefreshToken: true });
    const grants = await Promise.all(Array.from({ length: 20 }, () => core.sessions.refreshWithRefreshToken(grant.refreshToken!, 60, true)));
    const successors = new Set(grants.map((g) => core.tokens.verify(g.refreshToken!, 'refresh').jti));
    assert.equal(successors.size, 1);
    for (const g of grants) await core.sessions.authenticate(g.accessToken);
    // the successor works on
    const after = await core.sessions.refreshWithRefreshToken(grants[0]!.refreshToken!, 60, true);
    await core.sessions.authenticate(after.accessToken);
  });

  test('token type confusion: a refresh token is refused as an access token and the reverse', async () => {
    const core = testCore();
    await core.accounts.register({ username: 'carol', password: 'correct-horse-42' });
    const grant = await core.login.login({ by: 'username', identifier: 'carol', password: 'correct-horse-42', accessTtl: 60, withRefreshToken: true });
    await rejects(core.sessions.authenticate(grant.refreshToken!), 'TOKEN_WRONG_TYPE');
    await rejects(core.sessions.refreshWithRefreshToken(grant.accessToken, 60, false), 'TOKEN_WRONG_TYPE');
  });

  test("a disabled account's tokens are refused; enabling it again revives none of them; a deleted user is reported as such", async () => {
    const { core, user, grant } = await loggedIn();
    await core.accounts.setStatus(user, 'disabled');
    await rejects(core.sessions.authenticate(grant.accessToken), 'USER_DISABLED');
    await core.accounts.setStatus({ ...user, status: 'disabled' }, 'active');
    await rejects(core.sessions.authenticate(grant.accessToken), 'SESSION_ENDED');
    const again = await core.login.login({ by: 'email', identifier: 'a@example.com', password: 'correct-horse-42', accessTtl: 60 });
    await core.accounts.delete(user);
    await rejects(core.sessions.authenticate(again.accessToken), 'ACCOUNT_GONE');
  });
});

describe('login', () => {
  test('re-hash on login: an argon2i hash becomes argon2id and the password still works', async () => {
    const legacy = testCore({ hash: { algorithm: 'argon2i', memoryCost: 65536, timeCost: 3, parallelism: 4 } });
    const made = await legacy.accounts.register({ email: 'old@example.com', password: 'legacy-pass-1' });
    assert.match(made.passwordHash, /^\$argon2i\$v=19\$m=65536,t=3,p=4\$/);

    const core = testCore({ stores: legacy.stores });
    await core.login.login({ by: 'email', identifier: 'old@example.com', password: 'legacy-pass-1', accessTtl: 60 });
    const after = await core.accounts.findByEmail('old@example.com');
    assert.match(after!.passwordHash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.equal(after!.loginCount, 1);
    await core.login.login({ by: 'email', identifier: 'old@example.com', password: 'legacy-pass-1', accessTtl: 60 });
    await rejects(core.login.login({ by: 'email', identifier: 'old@example.com', password: 'wrong-pass-1', accessTtl: 60 }), 'INVALID_CREDENTIALS');
  });

  test('unknown account and wrong password give the same error', async () => {
    const { core } = await loggedIn();
    await rejects(core.login.login({ by: 'email', identifier: 'nobody@example.com', password: 'x', accessTtl: 60 }), 'INVALID_CREDENTIALS');
    await rejects(core.login.login({ by: 'email', identifier: 'a@example.com', password: 'x', accessTtl: 60 }), 'INVALID_CREDENTIALS');
  });

  test('a disabled account with the right password is refused as disabled; with a wrong one, as wrong', async () => {
    const { core, user } = await loggedIn();
    await core.accounts.setStatus(user, 'disabled');
    await rejects(core.login.login({ by: 'email', identifier: 'a@example.com', password: 'correct-horse-42', accessTtl: 60 }), 'USER_DISABLED');
    await rejects(core.login.login({ by: 'email', identifier: 'a@example.com', password: 'nope-nope', accessTtl: 60 }), 'INVALID_CREDENTIALS');
  });

  test('changing the password ends the other sessions but keeps the current one', async () => {
    const { core, grant } = await loggedIn();
    const other = await core.login.login({ by: 'email', identifier: 'a@example.com', password: 'correct-horse-42', accessTtl: 60 });
    await core.accounts.changePassword(await core.sessions.authenticate(grant.accessToken), 'correct-horse-42', 'new-horse-4242', undefined);
    await core.sessions.authenticate(grant.accessToken);
    await rejects(core.sessions.authenticate(other.accessToken), 'SESSION_ENDED');
  });

  test('a reset with the old password ends every session', async () => {
    const { core, grant } = await loggedIn();
    await core.accounts.resetWithOldPassword('A@example.com', 'correct-horse-42', 'new-horse-4242');
    await rejects(core.sessions.authenticate(grant.accessToken), 'SESSION_ENDED');
    await core.login.login({ by: 'email', identifier: 'a@example.com', password: 'new-horse-4242', accessTtl: 60 });
  });
});

describe('lockout', () => {
  const attempt = (core: ReturnType<typeof testCore>, password: string) =>
    core.login.login({ by: 'email', identifier: 'a@example.com', password, accessTtl: 60 });

  test('40 wrong passwords at once: at most 5 hashes run (a slot is reserved before the hash, not after)', async () => {
    const { core } = await loggedIn();
    let hashes = 0;
    const verify = core.hasher.verify.bind(core.hasher);
    core.hasher.verify = (...args) => {
      hashes++;
      return verify(...args);
    };
    const results = await Promise.allSettled(Array.from({ length: 40 }, () => attempt(core, 'wrong-horse-42')));
    assert.ok(results.every((r) => r.status === 'rejected'));
    assert.ok(hashes <= 5, `${hashes} password hashes ran for one account's 40 parallel guesses`);
  });

  test('5 failures lock for 15 minutes, even for the right password; then it opens again', async () => {
    const { core } = await loggedIn();
    for (let i = 0; i < 5; i++) await rejects(attempt(core, 'wrong-password'), 'INVALID_CREDENTIALS');
    await rejects(attempt(core, 'correct-horse-42'), 'ACCOUNT_LOCKED');
    core.clock.advance(14 * 60_000);
    await rejects(attempt(core, 'correct-horse-42'), 'ACCOUNT_LOCKED');
    core.clock.advance(60_001);
    await attempt(core, 'correct-horse-42');
  });

  test('failures older than the 15-minute window do not add up', async () => {
    const { core } = await loggedIn();
    for (let i = 0; i < 4; i++) await rejects(attempt(core, 'wrong-password'), 'INVALID_CREDENTIALS');
    core.clock.advance(15 * 60_000);
    await rejects(attempt(core, 'wrong-password'), 'INVALID_CREDENTIALS');
    await attempt(core, 'correct-horse-42');
  });

  test('a success clears the count', async () => {
    const { core } = await loggedIn();
    for (let i = 0; i < 4; i++) await rejects(attempt(core, 'wrong-password'), 'INVALID_CREDENTIALS');
    await attempt(core, 'correct-horse-42');
    for (let i = 0; i < 4; i++) await rejects(attempt(core, 'wrong-password'), 'INVALID_CREDENTIALS');
    await attempt(core, 'correct-horse-42');
  });

  test('a wrong old password on reset counts, and a locked account cannot reset', async () => {
    const { core } = await loggedIn();
    for (let i = 0; i < 5; i++) await rejects(core.accounts.resetWithOldPassword('a@example.com', 'wrong-password', 'new-horse-4242'), 'PASSWORD_INCORRECT');
    await rejects(core.accounts.resetWithOldPassword('a@example.com', 'correct-horse-42', 'new-horse-4242'), 'ACCOUNT_LOCKED');
  });
});
