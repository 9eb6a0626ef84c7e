// The OpenAPI document's 429 is what the routes do: with one request a minute
// allowed per address, every operation documenting 429 refuses the second valid
// request from one address, and no other operation ever does. With RATE_LIMIT=off
// no operation documents it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { arbitrary } from '../helpers/schema-values.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

type Schema = Record<string, any>;
const ajv = new Ajv({ strict: false });
(addFormats as unknown as (a: Ajv) => void)(ajv);

/** A value its schema accepts, drawn from the same generator the OpenAPI-driven test uses. */
function validValue(schema: Schema | undefined): unknown {
  if (!schema) return undefined;
  const valid = ajv.compile(schema);
  const found = fc.sample(arbitrary(schema), 400).find((value) => valid(value));
  assert.ok(found !== undefined, `no valid value found for ${JSON.stringify(schema).slice(0, 200)}`);
  return found;
}

function operations(doc: Schema): Array<{ method: string; path: string; op: Schema }> {
  return Object.entries(doc.paths as Record<string, Schema>).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
  );
}

describe('the documented 429 is the real one', () => {
  let server: TestServer;
  before(async () => {
    // One request a minute per address and endpoint group: the second one shows whether a route is limited.
    // Each operation is sent from an address of its own (TRUST_PROXY), so groups shared by routes do not interfere.
    server = await startTestServer({ env: { RATE_LIMIT_PER_IP: '1', TRUST_PROXY: '127.0.0.1' } });
  });
  after(() => server?.close());

  for (const listener of ['main', 'envelope'] as const) {
    test(`${listener} listener: every operation documenting 429 refuses, no other does`, async () => {
      const http = listener === 'main' ? server.http : server.envelopeHttp;
      const doc = (await http('GET', '/openapi.json')).body as Schema;
      let address = listener === 'main' ? 0 : 100;
      let documented = 0;
      for (const { method, path, op } of operations(doc)) {
        const content = op.requestBody?.content ?? {};
        const form = 'application/x-www-form-urlencoded' in content && !('application/json' in content);
        const body = validValue((content['application/json'] ?? content['application/x-www-form-urlencoded'])?.schema);
        let url = path.replace('/*', '/x.png');
        for (const p of (op.parameters ?? []).filter((p: Schema) => p.in === 'path'))
          url = url.replace(`{${p.name}}`, encodeURIComponent(String(validValue(p.schema))));
        const headers: Record<string, string> = { 'x-forwarded-for': `198.51.${Math.floor(++address / 250)}.${address % 250}` };
        let payload: string | undefined;
        if (body !== undefined) {
          headers['content-type'] = form ? 'application/x-www-form-urlencoded' : 'application/json';
          payload = form
            ? new URLSearchParams(Object.entries(body as object).map(([k, v]): [string, string] => [k, String(v)])).toString()
            : JSON.stringify(body);
        }
        const statuses: number[] = [];
        for (let i = 0; i < 3; i++)
          statuses.push((await fetch(`${server[listener === 'main' ? 'url' : 'envelopeUrl']}${url}`, { method, headers, body: payload })).status);
        const says = '429' in (op.responses ?? {});
        if (says) documented++;
        assert.equal(statuses.includes(429), says, `${method} ${path}: documents 429: ${says}; answered ${statuses.join(', ')}`);
      }
      assert.ok(documented >= 10, `${documented} operations document 429`);
    });
  }
});

describe('with RATE_LIMIT=off', () => {
  test("no operation documents 429 but the second step, the sign-in codes and invitations, whose budgets are the core's own (they hold whatever RATE_LIMIT says)", async () => {
    const server = await startTestServer({ env: { RATE_LIMIT: 'off' } });
    try {
      const doc = (await server.http('GET', '/openapi.json')).body as Schema;
      const limited = operations(doc).filter(({ op }) => '429' in (op.responses ?? {}));
      assert.deepEqual(
        limited.map(({ method, path }) => `${method} ${path}`),
        ['POST /api/v1/auth/otp/send', 'POST /api/v1/auth/otp/login', 'POST /api/v1/auth/mfa/verify', 'POST /api/v1/orgs/{org}/invitations'],
      );
    } finally {
      await server.close();
    }
  });
});
