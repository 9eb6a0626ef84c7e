#!/usr/bin/env -S node --max-semi-space-size=4
// The `gatehouse` command as it ships: the JavaScript `npm run build` emitted
// into dist/ and bundled into dist/bundle/ (run on `npm install`), which starts
// faster and takes ~24 MiB less memory than stripping the TypeScript's types at
// run time (docs/performance.md).
// Without a build, or with sources newer than it, the TypeScript itself runs.
import { existsSync, readdirSync, statSync } from 'node:fs';

const root = new URL('../', import.meta.url);

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true }))
    if (entry.isFile()) newest = Math.max(newest, statSync(`${entry.parentPath}/${entry.name}`).mtimeMs);
  return newest;
}

// The bundle first (it starts fastest), then tsc's JavaScript, each only if no source is newer.
const sources = newestSource(new URL('src/', root));
const fresh = ['dist/bundle/gatehouse.js', 'dist/cli/gatehouse.js']
  .map((path) => new URL(path, root))
  .find((built) => existsSync(built) && statSync(built).mtimeMs >= sources);
await import((fresh ?? new URL('src/cli/gatehouse.ts', root)).href);
