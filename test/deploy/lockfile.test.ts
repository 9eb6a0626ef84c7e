// The lockfile is complete: `npm install` on a fresh clone, on any platform,
// finds every optional platform build it may pick already listed, so it
// rewrites nothing (a clean checkout stays clean; `npm ci` elsewhere gets the linters).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../helpers/process.ts';

interface Entry {
  version?: string;
  dev?: boolean;
  optionalDependencies?: Record<string, string>;
}
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, Entry> };
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;

test("every package's optional builds (other platforms' biome, oxc-parser, ...) are in the lockfile", () => {
  const missing: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    for (const name of Object.keys(entry.optionalDependencies ?? {})) {
      // Resolved as node does: the package's own node_modules first, then each folder up.
      const parts = path.split('node_modules/').slice(0, -1);
      const candidates = parts.map((_, i) => `${parts.slice(0, parts.length - i).join('node_modules/')}node_modules/${name}`);
      if (!candidates.some((candidate) => lock.packages[candidate])) missing.push(`${path} → ${name}`);
    }
  }
  assert.deepEqual(missing, []);
});

test("the lockfile's root entry matches package.json (npm install would rewrite it otherwise)", () => {
  const root = lock.packages[''] as Entry & Record<string, unknown>;
  for (const field of ['dependencies', 'devDependencies']) assert.deepEqual(root[field], pkg[field], field);
  assert.equal(root.dev, undefined);
  assert.equal(lock.packages['node_modules/node']?.dev, undefined, 'node is a production dependency');
});
