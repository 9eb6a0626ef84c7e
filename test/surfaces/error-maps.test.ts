// Every surface answers every core error code on purpose: the maps are total over
// the codes core/errors.ts has at run time (and, for the compiler, by their type),
// every answer is a deliberate 4xx or 503, never a 500 by omission, and what the
// maps say is what the surfaces really answer over HTTP.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ERROR_CODES } from '../../src/core/errors.ts';
import { SURFACES } from '../../src/surfaces/registry.ts';
import type { ErrorMap, MappedCode } from '../../src/surfaces/shared/error-map.ts';
import type { Client } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { loginV1, registerV1 } from '../helpers/users.ts';

// Checked by tsc (npm run typecheck), not at run time: a map that forgets a code does not compile.
// @ts-expect-error RATE_LIMITED (and every other code) is missing
void ({ STORE_UNAVAILABLE: [503, 'x'] } satisfies ErrorMap);

describe('error maps: surfaces x codes', () => {
  const codes = Object.keys(ERROR_CODES).filter((c) => c !== 'VALIDATION_FAILED') as MappedCode[];
  for (const surface of SURFACES) {
    for (const [name, map] of Object.entries(surface.errors)) {
      test(`${name}: every code of core/errors.ts has a 4xx or 503 answer with a message, and nothing else is mapped`, () => {
        assert.deepEqual(Object.keys(map).sort(), [...codes].sort(), `${name}: the codes mapped are not the core's`);
        for (const code of codes) {
          const answer = map[code];
          assert.ok(answer, `${name} has no answer for ${code}`);
          const [status, message] = answer;
          assert.ok((status >= 400 && status < 500) || status === 503, `${name} ${code}: ${status}`);
          assert.ok(message.length > 0, `${name} ${code}: empty message`);
        }
        // the shared meanings hold on every surface
        assert.equal(map.RATE_LIMITED[0], 429, name);
        assert.equal(map.STORE_UNAVAILABLE[0], 503, name);
        assert.equal(map.TOKEN_MISSING[0], 401, name);
        assert.equal(map.USER_DISABLED[0], 403, name);
        assert.equal(map.ACCOUNT_LOCKED[0], 423, name);
      });
    }
  }

  test('envelope maps name a code for every answer', () => {
    for (const surface of SURFACES) {
      for (const [name, map] of Object.entries(surface.errors)) {
        if (!name.includes('envelope') && name !== 'v1-users') continue;
        for (const code of codes) assert.match(map[code][2] ?? '', /^[A-Z_]+$/, `${name} ${code}`);
      }
    }
  });
});

/** One protected route per map, on the listener that answers in that map's style. */
const PROTECTED: Record<string, { listener: 'main' | 'envelope'; path: string; superuser?: boolean }> = {
  users: { listener: 'main', path: '/api/users/me' },
  auth: { listener: 'main', path: '/api/user/me' },
  'v1-auth plain': { listener: 'main', path: '/api/v1/auth/me' },
  'v1-auth envelope': { listener: 'envelope', path: '/api/v1/auth/me' },
  'v1-users': { listener: 'main', path: '/api/v1/users/profile' },
  'orgs plain': { listener: 'main', path: '/api/v1/orgs' },
  'orgs envelope': { listener: 'envelope', path: '/api/v1/orgs' },
  admin: { listener: 'main', path: '/api/admin/users', superuser: true },
};

describe('error maps against real answers: every way a bearer token fails, on every surface with a protected route', () => {
  let server: TestServer;
  before(async () => {
    // Several dozen logins from one address: the per-IP limit is raised (limits are tested elsewhere).
    server = await startTestServer({ env: { RATE_LIMIT_PER_IP: '10000' } });
  });
  after(() => server.close());

  const mapped = SURFACES.flatMap((surface) => Object.entries(surface.errors));

  test('every map with a protected route is covered here', () => {
    const names = mapped.map(([name]) => name).filter((name) => name !== 'catalog');
    assert.deepEqual(names.sort(), Object.keys(PROTECTED).sort());
  });

  for (const [name, map] of mapped) {
    const route = PROTECTED[name];
    if (!route) continue;
    test(`${name}: ${route.path} answers what the map says`, async () => {
      const http: Client = route.listener === 'main' ? server.http : server.envelopeHttp;
      const account = async (superuser = route.superuser ?? false) => {
        const { username, email } = await registerV1(server.http);
        let user = (await server.core.accounts.findByEmail(email))!;
        if (superuser) user = (await server.stores.users.update(user.id, { isSuperuser: true, updatedAt: server.clock.now() }))!;
        return { user, token: await loginV1(server.http, username) };
      };
      const enveloped = name.includes('envelope') || name === 'v1-users';
      const expectAnswer = async (code: MappedCode, authorization: string | undefined) => {
        const r = await http('GET', route.path, { headers: authorization === undefined ? {} : { authorization } });
        const [status, message, envelopeCode] = map[code];
        assert.equal(r.status, status, `${name} ${code}: ${r.text}`);
        assert.ok(r.text.includes(JSON.stringify(message).slice(1, -1)), `${name} ${code}: ${r.text} lacks "${message}"`);
        if (enveloped) assert.ok(r.text.includes(`"${envelopeCode}"`), `${name} ${code}: ${r.text} lacks ${envelopeCode}`);
      };
      const { token } = await account();
      await expectAnswer('TOKEN_MISSING', undefined);
      await expectAnswer('TOKEN_NOT_BEARER', `Basic ${Buffer.from('a:b').toString('base64')}`);
      await expectAnswer('TOKEN_MALFORMED', 'Bearer not-a-jwt');
      const [head, body, signature] = token.split('.');
      await expectAnswer('TOKEN_INVALID', `Bearer ${head}.${body}.${signature!.slice(0, -4)}AAAA`);
      const ended = await account();
      await server.stores.sessions.deleteForUser(ended.user.id);
      await expectAnswer('SESSION_ENDED', `Bearer ${ended.token}`);
      const disabled = await account();
      await server.core.accounts.setStatus(disabled.user, 'disabled');
      await expectAnswer('USER_DISABLED', `Bearer ${disabled.token}`);
      const gone = await account();
      await server.core.accounts.delete(gone.user);
      await expectAnswer('ACCOUNT_GONE', `Bearer ${gone.token}`);
      if (route.superuser) {
        const plain = await account(false);
        await expectAnswer('FORBIDDEN', `Bearer ${plain.token}`);
        // A superuser signed in with the password alone: staff power needs the second factor (CONSOLE_MFA, on by default).
        const passwordOnly = await account(true);
        await expectAnswer('STAFF_SECOND_FACTOR_REQUIRED', `Bearer ${passwordOnly.token}`);
      }
    });
  }
});
