#!/usr/bin/env -S node --max-semi-space-size=4
// The `gatehouse` command as it ships: the JavaScript `npm run build` emitted
// into dist/ and bundled into dist/bundle/ (run on `npm install`), which starts
// faster and takes ~24 MiB less memory than stripping the TypeScript's types at
// run time (docs/performance.md).
// Without a build, or with sources newer than it, the TypeScript itself runs.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = new URL('../', import.meta.url);

// Run by an older Node (the machine's own, say), the imports below would fail with a stack trace
// (node:sqlite, type stripping): one line saying which Node to use instead, exit 2 as for any
// start-up mistake. The project brings Node 24 along (node_modules/node).
if (Number(process.versions.node.split('.')[0]) < 24) {
  const args = process.argv.slice(2).join(' ');
  // Relative to the working directory inside the project folder, absolute from elsewhere.
  const here = (path) => {
    const absolute = fileURLToPath(new URL(path, root));
    const short = relative(process.cwd(), absolute);
    return short.startsWith('..') ? absolute : short;
  };
  console.error(
    `gatehouse: Node ${process.versions.node} is too old (Gatehouse runs on Node 24): use \`npx gatehouse ${args}\` in the project folder, or the project's Node: ${here('node_modules/.bin/node')} ${here('bin/gatehouse.js')} ${args}`,
  );
  process.exit(2);
}

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
