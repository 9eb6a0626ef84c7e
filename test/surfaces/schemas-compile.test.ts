// Route schemas are compiled at their first use (src/surfaces/shared/compile-when-used.ts), not at
// start; this compiles every one of them, so a schema Ajv or fast-json-stringify refuses fails here
// instead of at some route's first request in production.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { buildServer } from '../../src/server.ts';
import { compileEverySchema } from '../../src/surfaces/shared/compile-when-used.ts';
import { SURFACE_NAMES } from '../../src/surfaces/names.ts';

test('every schema of every surface compiles; a route compiles its own at its first request', async () => {
  const gatehouse = await buildServer({
    config: loadConfig({ DATABASE_URL: 'memory:', SURFACES: SURFACE_NAMES.join(','), LOG_LEVEL: 'silent' }),
  });
  try {
    const [app] = gatehouse.listeners.map((l) => l.app);
    // A body that fails its schema: the login's validator is compiled by this request and answers 422 as before.
    const refused = await app!.inject({ method: 'POST', url: '/api/users/login', payload: { email: 123 } });
    assert.equal(refused.statusCode, 422, refused.body);
    const compiled = compileEverySchema();
    // Validators and serializers of ~150 routes on two listeners; far fewer would mean schemas went uncompiled here.
    assert.ok(compiled > 100, `only ${compiled} schemas were waiting`);
    assert.equal(compileEverySchema(), 0, 'compiled schemas are not compiled again');
    const me = await app!.inject({ method: 'GET', url: '/api/users/me' });
    assert.equal(me.statusCode, 401);
    assert.deepEqual(me.json(), { detail: 'Not authenticated' });
  } finally {
    await gatehouse.close();
  }
});
