// The surface descriptors drive the README's surfaces table, and what they say
// a surface answers is what its routes are.
import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { type Config, loadConfig } from '../../src/config.ts';
import { buildServer } from '../../src/server.ts';
import { SURFACE_NAMES } from '../../src/surfaces/names.ts';
import { SURFACES, surfacesTable } from '../../src/surfaces/registry.ts';

/** Every path a server with these surfaces routes, as Fastify registers them (its initialization channel hands over each app first). */
async function routedPaths(surfaces: string): Promise<Set<string>> {
  const paths = new Set<string>();
  const watch = ({ fastify }: { fastify: FastifyInstance }) => fastify.addHook('onRoute', (route) => void paths.add(route.url));
  diagnostics.subscribe('fastify.initialization', watch as (message: unknown) => void);
  try {
    // ENVELOPE_PORT=off: the routes are read from one listener's apps; the second would register them again. The
    // surfaces are given past the settings' check of what each needs beside it: one surface's routes are read alone.
    const only = new Set(surfaces.split(',')) as Config['surfaces'];
    const gatehouse = await buildServer({ config: loadConfig({ DATABASE_URL: 'memory:', ENVELOPE_PORT: 'off', LOG_LEVEL: 'silent' }, { surfaces: only }) });
    await gatehouse.close();
  } finally {
    diagnostics.unsubscribe('fastify.initialization', watch as (message: unknown) => void);
  }
  return paths;
}

const covers = (mount: string, path: string) => (mount.endsWith('/*') ? path === mount.slice(0, -2) || path.startsWith(mount.slice(0, -1)) : path === mount);

describe('surface descriptors', () => {
  test('the registry lists the surfaces of names.ts', () => {
    assert.deepEqual(
      SURFACES.map((s) => s.name),
      [...SURFACE_NAMES],
    );
  });

  test("the README's surfaces table is the one written from the descriptors", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    assert.ok(readme.includes(surfacesTable()), 'README.md surfaces table differs from the descriptors: paste surfacesTable() into it');
  });

  test('every route a surface registers lies under its declared mounts, and every mount is routed', async () => {
    const routed = new Map<string, Set<string>>();
    for (const surface of SURFACES) routed.set(surface.name, await routedPaths(surface.name));
    // What every listener serves whatever the surfaces (health, docs, metrics) belongs to none.
    const all = [...routed.values()];
    const shared = new Set([...all[0]!].filter((path) => all.every((paths) => paths.has(path))));
    for (const surface of SURFACES) {
      const own = [...routed.get(surface.name)!].filter((path) => !shared.has(path));
      assert.ok(own.length > 0, surface.name);
      for (const path of own)
        assert.ok(
          surface.mounts.some((m) => covers(m, path)),
          `${surface.name} answers ${path}, outside its mounts ${surface.mounts.join(', ')}`,
        );
      for (const mount of surface.mounts)
        assert.ok(
          own.some((path) => covers(mount, path)),
          `${surface.name} declares ${mount} but routes nothing there`,
        );
    }
  });
});
