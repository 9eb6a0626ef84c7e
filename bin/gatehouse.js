#!/usr/bin/env -S node --max-semi-space-size=4
// The `gatehouse` command as it ships: the JavaScript `npm run build` emitted
// into dist/ (run on `npm install`), which starts faster and takes ~24 MiB less
// memory than stripping the TypeScript's types at run time (docs/performance.md).
// Without a build, or with sources newer than it, the TypeScript itself runs.
import { existsSync, readdirSync, statSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const built = new URL('dist/cli/gatehouse.js', root);

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true }))
    if (entry.isFile()) newest = Math.max(newest, statSync(`${entry.parentPath}/${entry.name}`).mtimeMs);
  return newest;
}

const fresh = existsSync(built) && statSync(built).mtimeMs >= newestSource(new URL('src/', root));
await import(fresh ? built.href : new URL('src/cli/gatehouse.ts', root).href);
