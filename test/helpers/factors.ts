import assert from 'node:assert/strict';
import { generateSync } from 'otplib';
import type { Core } from '../../src/core/core.ts';
import type { User } from '../../src/core/ports/user-store.ts';
import type { ManualClock } from '../../src/core/ports/clock.ts';
import type { Caller } from '../../src/core/sessions.ts';
import type { Client } from './http.ts';

/** A signed-in caller of `user` (a new password session), as a surface's authentication would hand it over. */
export async function callerFor(core: Core, user: User): Promise<Caller> {
  const grant = await core.sessions.start(user, { accessTtl: 600, amr: ['pwd'] });
  return core.sessions.authenticate(grant.accessToken);
}

/**
 * Sets up an authenticator app for `user` through the core (the step-up with its password), as the account
 * page would: returns its secret, the recovery codes and the code at a time. Setting up a first factor ends
 * the account's other sessions.
 */
export async function enrolTotp(core: Core, user: User, password: string) {
  const caller = await callerFor(core, user);
  const { secret } = await core.secondFactors.totp.begin(caller, { password });
  const codeAt = (ms: number) => generateSync({ secret, epoch: Math.floor(ms / 1000) });
  const { recoveryCodes } = await core.secondFactors.totp.confirm(caller, codeAt(core.clock.now()), { accessTtl: 600 });
  return { secret, codeAt, recoveryCodes };
}

/**
 * A token from a full two-step login on `/api/v1/auth` (password, then the authenticator code), for an account
 * that has an authenticator app: what staff power asks for (core/staff.ts).
 */
export async function twoStepToken(http: Client, clock: ManualClock, username: string, password: string, codeAt: (ms: number) => string): Promise<string> {
  // Each code is accepted once: the next login uses the next time step.
  clock.advance(30_000);
  const first = await http('POST', '/api/v1/auth/login/json', { body: { username, password } });
  assert.equal(first.status, 403, first.text);
  const second = await http('POST', '/api/v1/auth/mfa/verify', { body: { mfa_token: first.body.mfa_token, code: codeAt(clock.now()) } });
  assert.equal(second.status, 200, second.text);
  return second.body.access_token;
}

/**
 * A new superuser and its token from a two-step login: what the staff API asks
 * for by default (CONSOLE_MFA, core/staff.ts). The account's authenticator app
 * is set up through the core.
 */
export async function superuserToken(
  server: { core: Core; http: Client; clock: ManualClock },
  login: { email: string; username?: string },
  password = 'password123',
): Promise<string> {
  const user = await server.core.accounts.register({ ...login, password, isSuperuser: true });
  const { codeAt } = await enrolTotp(server.core, user, password);
  return twoStepToken(server.http, server.clock, login.username ?? login.email, password, codeAt);
}
