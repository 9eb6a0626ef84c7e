// The OpenAPI document tells the truth: requests generated from /openapi.json
// (fast-check, from each operation's own schemas, valid and not) are sent to
// the real process on both listeners; any 5xx, any status the operation does
// not document, or any JSON body that breaks its documented schema fails.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { startServerProcess, type ServerProcess } from '../helpers/process.ts';
import { arbitrary } from '../helpers/schema-values.ts';
import { uniqueName } from '../helpers/users.ts';

type Schema = Record<string, any>;
interface Operation {
  method: string;
  path: string;
  op: Schema;
}

const RUNS = 12;
const ajv = new Ajv({ strict: false, allErrors: false });
(addFormats as unknown as (a: Ajv) => void)(ajv);
const validators = new Map<Schema, ValidateFunction>();
const validate = (schema: Schema, body: unknown) => {
  let v = validators.get(schema);
  if (!v) validators.set(schema, (v = ajv.compile(schema)));
  return v(body) ? null : ajv.errorsText(v.errors);
};

/** Now and then an input that breaks the schema on purpose. */
const sometimesWrong = (a: fc.Arbitrary<unknown>) => fc.oneof({ weight: 4, arbitrary: a }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) });

function parameters(op: Schema, where: 'query' | 'path'): Schema[] {
  return (op.parameters ?? []).filter((p: Schema) => p.in === where);
}

/**
 * A path parameter as a client puts it in a URL. A value of `.` or `..` must be
 * percent-encoded: URL parsers remove dot segments, so `clients/./rotate-secret`
 * would reach `clients/rotate-secret`, another route (found by this test's seed -1816024414).
 */
const segment = (value: string) => {
  const encoded = encodeURIComponent(value);
  return encoded === '.' || encoded === '..' ? encoded.replaceAll('.', '%2E') : encoded;
};

const request = (op: Schema, path: string) => {
  const content = op.requestBody?.content ?? {};
  const form = 'application/x-www-form-urlencoded' in content && !('application/json' in content);
  const bodySchema = (content['application/json'] ?? content['application/x-www-form-urlencoded'])?.schema;
  const params = parameters(op, 'path');
  const query = parameters(op, 'query');
  return fc.record({
    body: op.requestBody ? sometimesWrong(arbitrary(bodySchema)) : fc.constant(undefined),
    path: fc
      .tuple(...params.map((p) => arbitrary(p.schema)))
      .map((values) => params.reduce((url, p, i) => url.replace(`{${p.name}}`, segment(String(values[i]))), path.replace('/*', '/x.png'))),
    query: fc
      .tuple(...query.map((p) => fc.option(arbitrary(p.schema), { nil: undefined })))
      .map((values) => query.flatMap((p, i) => (values[i] === undefined ? [] : [`${p.name}=${encodeURIComponent(String(values[i]))}`])).join('&')),
    token: fc.boolean(),
    form: fc.constant(form),
  });
};

describe('every operation of /openapi.json, driven from its own schemas, on both listeners', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-openapi-'));
  let server: ServerProcess;
  const seen: Record<string, Record<string, number>> = {};
  let generated = 0;
  before(async () => {
    // Default settings, but the test's own logins (after each logout it provokes) come from addresses of their own.
    server = await startServerProcess({ DATA_DIR: dir, LOG_LEVEL: 'warn', TRUST_PROXY: '127.0.0.1' });
  });
  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
    console.log(`# OpenAPI-driven requests: ${generated}; statuses seen per tag: ${JSON.stringify(seen)}`);
  });

  test('the rules the server enforces are in the schemas', async () => {
    const doc = (await server.http('GET', '/openapi.json')).body;
    const body = (path: string, method = 'post') => doc.paths[path][method].requestBody.content['application/json'].schema;
    assert.match(body('/api/auth/register').properties.password.pattern, /p\{L\}.*p\{Nd\}/);
    assert.match(body('/api/user/me', 'put').properties.password.pattern, /p\{L\}/);
    assert.match(body('/api/users/register').description, /At least one of first_name, last_name, phone_number/);
    assert.equal(body('/api/v1/auth/register').properties.username.pattern, '^[A-Za-z0-9_-]+$');
    const offset = doc.paths['/api/admin/users'].get.parameters.find((p: Schema) => p.name === 'offset');
    assert.equal(offset.schema.maximum, 2_147_483_647);
    assert.match(doc.info.description, /NUL/);
    // every operation documents its failures, in its surface's shape
    assert.ok(doc.paths['/api/users/login'].post.responses['429']);
    assert.ok(doc.paths['/api/v1/users/profile'].get.responses['401'].content['application/json'].schema.properties.code);
  });

  for (const listener of ['main', 'envelope'] as const) {
    test(`${listener} listener`, async () => {
      const http = listener === 'main' ? server.http : server.envelopeHttp;
      const base = listener === 'main' ? server.url : server.envelopeUrl!;
      const doc = (await http('GET', '/openapi.json')).body;
      const operations: Operation[] = Object.entries(doc.paths as Record<string, Schema>).flatMap(([path, ops]) =>
        Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
      );
      assert.ok(operations.length > 30);
      // A live token for the protected operations (some runs send it, some do not); after a run that may have
      // ended its session or changed its password, a fresh account logs in, from an address of its own.
      let logins = 0;
      const login = async () => {
        const from = { 'x-forwarded-for': `198.51.100.${++logins % 250}` };
        const username = uniqueName('oa');
        await http('POST', '/api/auth/register', {
          body: { username, email: `${username}@example.com`, password: 'password123', nickname: 'oa' },
          headers: from,
        });
        const r = await http('POST', '/api/auth/login', { body: { username, password: 'password123' }, headers: from });
        assert.equal(r.status, 200, r.text);
        return r.body.access_token as string;
      };
      let token = await login();
      for (const { method, path, op } of operations) {
        await fc.assert(
          fc.asyncProperty(request(op, path), async (r) => {
            const headers: Record<string, string> = {};
            let body: string | undefined;
            if (r.body !== undefined && method !== 'GET' && method !== 'HEAD') {
              if (r.form && r.body && typeof r.body === 'object') {
                headers['content-type'] = 'application/x-www-form-urlencoded';
                body = new URLSearchParams(Object.entries(r.body as object).map(([k, v]): [string, string] => [k, String(v)])).toString();
              } else {
                headers['content-type'] = 'application/json';
                body = JSON.stringify(r.body);
              }
            }
            if (r.token && op.security) headers.authorization = `Bearer ${token}`;
            const url = `${base}${r.path}${r.query ? `?${r.query}` : ''}`;
            const response = await fetch(url, { method, headers, body });
            generated++;
            const text = await response.text();
            const tag = op.tags?.[0] ?? 'untagged';
            seen[tag] ??= {};
            seen[tag][response.status] = (seen[tag][response.status] ?? 0) + 1;
            const where = `${method} ${r.path}`;
            assert.ok(response.status < 500, `${where}: ${response.status} ${text.slice(0, 200)}`);
            const documented = op.responses?.[String(response.status)];
            assert.ok(documented, `${where}: ${response.status} is not documented (${Object.keys(op.responses ?? {}).join(', ')}): ${text.slice(0, 200)}`);
            const schema = documented.content?.['application/json']?.schema;
            if (schema && method !== 'HEAD' && text !== '' && (response.headers.get('content-type') ?? '').includes('json')) {
              const problem = validate(schema, JSON.parse(text));
              assert.equal(problem, null, `${where}: ${response.status} body breaks its documented schema: ${problem}: ${text.slice(0, 200)}`);
            }
            // logout, password changes and the like end the session: log in again for the next runs
            if (op.security && response.status < 300 && method !== 'GET') token = await login();
          }),
          { numRuns: RUNS },
        );
      }
    });
  }
});
