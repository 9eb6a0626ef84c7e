// Property tests: whatever arrives — random JSON, wrong types, huge strings,
// unicode, form bodies on JSON routes and the reverse, garbage — every
// endpoint answers below 500, within a few seconds, and a refused request
// leaves accounts, sessions and products as they were.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { loginV1, registerV1 } from '../../helpers/users.ts';

let server: TestServer;
let token: string;
let userId: number;

interface Route {
  method: string;
  path: string;
  fields: string[];
  /** Send a live token in some runs (never for routes that would end it). */
  auth?: boolean;
}

const ROUTES: Route[] = [
  { method: 'POST', path: '/api/users/register', fields: ['email', 'password', 'first_name', 'last_name', 'phone_number'] },
  { method: 'POST', path: '/api/users/login', fields: ['email', 'password'] },
  { method: 'GET', path: '/api/users/me', fields: [], auth: true },
  { method: 'POST', path: '/api/users/refresh_token', fields: [] },
  { method: 'POST', path: '/api/users/reset_password', fields: ['email', 'old_password', 'new_password'] },
  { method: 'POST', path: '/api/auth/register', fields: ['username', 'email', 'password', 'nickname'] },
  { method: 'POST', path: '/api/auth/login', fields: ['username', 'password'] },
  { method: 'POST', path: '/api/auth/refresh', fields: ['refresh_token'] },
  { method: 'PUT', path: '/api/user/me', fields: ['email', 'nickname', 'password'], auth: true },
  { method: 'POST', path: '/api/v1/auth/register', fields: ['username', 'email', 'password', 'confirm_password', 'full_name', 'phone'] },
  { method: 'POST', path: '/api/v1/auth/login', fields: ['username', 'password'] },
  { method: 'POST', path: '/api/v1/auth/login/json', fields: ['username', 'password', 'remember_me'] },
  { method: 'GET', path: '/api/v1/auth/me', fields: [], auth: true },
  { method: 'POST', path: '/api/v1/auth/refresh', fields: ['refresh_token'] },
  { method: 'POST', path: '/api/v1/auth/forgot-password', fields: ['email'] },
  { method: 'POST', path: '/api/v1/auth/reset-password', fields: ['token', 'new_password'] },
  { method: 'GET', path: '/api/v1/users/profile', fields: [], auth: true },
  { method: 'PUT', path: '/api/v1/users/profile', fields: ['full_name', 'gender', 'age', 'birth_date'], auth: true },
  { method: 'PUT', path: '/api/v1/users/settings', fields: ['language', 'theme', 'notifications'], auth: true },
  { method: 'GET', path: '/api/products/popular', fields: [] },
  { method: 'GET', path: '/api/admin/users', fields: [], auth: true },
];

const value = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string(), { maxKeys: 3 }),
  // numbers no column can hold
  fc.constantFrom(2 ** 63, -(2 ** 63), 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 31, -(2 ** 31) - 1),
  fc.constantFrom('', ' ', '\u0000', 'a@b.c', 'password123', '1990-02-30', 'dark', '../../etc/passwd', '"; DROP TABLE users; --', 'x'.repeat(5000)),
);

/** A request body and how it is sent. */
type Payload =
  | { kind: 'json'; body: unknown }
  | { kind: 'raw'; text: string; type: string }
  | { kind: 'form'; form: Record<string, string> }
  | { kind: 'none' };

const payload = (fields: string[]): fc.Arbitrary<Payload> =>
  fc.oneof(
    fc.record({
      kind: fc.constant('json' as const),
      body: fields.length ? fc.record(Object.fromEntries(fields.map((f) => [f, value])), { requiredKeys: [] }) : fc.constant({}),
    }),
    fc.record({ kind: fc.constant('json' as const), body: fc.jsonValue() }),
    fc.record({
      kind: fc.constant('raw' as const),
      text: fc.oneof(
        fc.string(),
        fc.constant('{"a":'),
        fc.constant('x'.repeat(70_000)),
        fc.constant('{"__proto__":{"admin":true}}'),
        // nesting far past any stack a recursive walk could afford
        fc.integer({ min: 1, max: 9000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
        fc.integer({ min: 1, max: 3000 }).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`),
      ),
      type: fc.constantFrom('application/json', 'text/plain', 'application/xml', 'application/x-www-form-urlencoded'),
    }),
    fc.record({
      kind: fc.constant('form' as const),
      form: fc.dictionary(fc.oneof(fc.constantFrom(...(fields.length ? fields : ['x'])), fc.string({ maxLength: 8 })), fc.string({ maxLength: 30 }), {
        maxKeys: 4,
      }),
    }),
    fc.constant({ kind: 'none' as const }),
  );

async function snapshot(): Promise<string> {
  const users = await server.core.accounts.list(100_000, 0);
  const sessions = await server.core.sessions.listForUser(userId);
  const products = await server.stores.products.popular(50);
  return JSON.stringify([users, sessions.map((s) => s.id).sort(), products]);
}

async function send(route: Route, p: Payload, withToken: boolean) {
  const headers: Record<string, string> = withToken ? { authorization: `Bearer ${token}` } : {};
  const options =
    p.kind === 'json'
      ? { body: p.body, headers }
      : p.kind === 'raw'
        ? { raw: p.text, headers: { ...headers, 'content-type': p.type } }
        : p.kind === 'form'
          ? { form: p.form, headers }
          : { headers };
  const started = Date.now();
  const answer = await Promise.race([
    server.http(route.method, route.path, options),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${route.method} ${route.path} hung`)), 5000)),
  ]);
  return { answer, ms: Date.now() - started };
}

before(async () => {
  server = await startTestServer({ env: { DEMO_DATA: 'true' } });
  const { username } = await registerV1(server.http);
  token = await loginV1(server.http, username);
  userId = (await server.core.accounts.findByUsername(username))!.id;
});
after(() => server.close());

describe('every endpoint, any input', () => {
  for (const route of ROUTES) {
    test(`${route.method} ${route.path}`, async () => {
      let before = await snapshot();
      await fc.assert(
        // fetch cannot send a body with GET: those routes get headers only.
        fc.asyncProperty(route.method === 'GET' ? fc.constant<Payload>({ kind: 'none' }) : payload(route.fields), fc.boolean(), async (p, tokenGiven) => {
          const { answer } = await send(route, p, !!route.auth && tokenGiven);
          assert.ok(answer.status < 500, `${route.method} ${route.path} answered ${answer.status}: ${answer.text.slice(0, 200)}`);
          const after = await snapshot();
          if (answer.status >= 400) assert.equal(after, before, `a refused request (${answer.status}) changed stored data`);
          before = after;
        }),
        { numRuns: 25 },
      );
    });
  }

  test('numeric query and path parameters of any size', async () => {
    const huge = fc.oneof(
      fc.bigInt().map(String),
      fc.constantFrom('9223372036854775807', '-9223372036854775809', '1e400', '99999999999999999999999', '-0', '0x10'),
    );
    await fc.assert(
      fc.asyncProperty(huge, huge, async (a, b) => {
        for (const path of [`/api/admin/users?offset=${a}&limit=${b}`, `/api/products/popular?limit=${a}`, `/api/products/product/${a}`]) {
          const answer = await server.http('GET', path, { token });
          assert.ok(answer.status < 500, `GET ${path} answered ${answer.status}: ${answer.text.slice(0, 200)}`);
        }
      }),
      { numRuns: 60 },
    );
  });

  test('path parameters and file paths of any shape', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.constantFrom('..', '%2e%2e', '%00', '%zz', '////', '9'.repeat(40))),
        async (segment) => {
          for (const path of [
            `/api/products/product/${encodeURIComponent(segment)}`,
            `/api/products/product/${segment}`,
            `/cache/catalog/${segment}`,
            `/api/products/popular?limit=${encodeURIComponent(segment)}`,
          ]) {
            let answer;
            try {
              answer = await server.http('GET', path);
            } catch {
              continue; // not even a valid URL for the client: never reaches a server
            }
            assert.ok(answer.status < 500, `GET ${path} answered ${answer.status}`);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
