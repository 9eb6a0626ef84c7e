// The shape docs/architecture.md promises, held by the source itself: the core
// imports neither Fastify nor SQL nor the adapters; no surface reaches into the
// stores; the page kit is the only place that writes the CSRF field or a cookie;
// biome.json's override holds route functions under 150 lines (npm run lint).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { ROOT } from './helpers/process.ts';

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(ts|js)$/.test(entry.name) && !entry.name.endsWith('.d.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** The module specifiers a file imports (static imports, re-exports and dynamic imports of a string). */
function imports(file: string): string[] {
  const text = read(file);
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'|(?:^|\n)\s*import\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)].map(
    (m) => (m[1] ?? m[2] ?? m[3])!,
  );
}

describe('the shape of the source', () => {
  test('src/core imports neither Fastify, SQL, Redis nor the adapters and surfaces', () => {
    const forbidden = /^(fastify|@fastify\/|kysely|pg|ioredis|node:sqlite)|\/(store|surfaces)\//;
    const found = sources('src/core').flatMap((file) =>
      imports(file)
        .filter((spec) => forbidden.test(spec))
        .map((spec) => `${file} imports ${spec}`),
    );
    assert.deepEqual(found, []);
  });

  test('no surface touches the stores: storage rules are core services', () => {
    const found = sources('src/surfaces').filter((file) => /\bcore\.stores\b|\.stores\.\w+\.|\/store\//.test(read(file).replace(/^\s*(\/\/|\*).*$/gm, '')));
    assert.deepEqual(found, []);
  });

  test('no surface imports another (what several use lives in surfaces/shared)', () => {
    const surfaceOf = (file: string) => /^src\/surfaces\/([^/]+)\//.exec(file)?.[1];
    const found = sources('src/surfaces').flatMap((file) => {
      const own = surfaceOf(file);
      return imports(file)
        .filter((spec) => spec.startsWith('.'))
        .map((spec) => relative(ROOT, join(ROOT, dirname(file), spec)))
        .filter((target) => {
          const other = surfaceOf(target);
          return own !== undefined && other !== undefined && other !== own && other !== 'shared';
        })
        .map((target) => `${file} imports ${target}`);
    });
    assert.deepEqual(found, []);
  });

  test('the hidden CSRF field is written by one helper, and no cookie header is written by hand', () => {
    const files = sources('src').filter((file) => file.endsWith('.ts'));
    assert.deepEqual(
      files.filter((file) => /<input[^>]*name="csrf"/.test(read(file))),
      ['src/surfaces/shared/html/forms.ts'],
    );
    assert.deepEqual(
      files.filter((file) => /['"`]set-cookie['"`]/i.test(read(file))),
      [],
      'cookies go through @fastify/cookie (reply.setCookie)',
    );
  });
});
