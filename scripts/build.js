// `npm run build` (also run by `npm install`): the TypeScript compiled to dist/
// with tsc, and the pages' assets beside it. Without TypeScript installed (a
// production install that left out devDependencies) it says so and leaves the
// sources to run as they are.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, rmSync, utimesSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const tsc = new URL('node_modules/typescript/bin/tsc', root);
if (!existsSync(tsc)) {
  console.error('gatehouse build: TypeScript is not installed; the sources will run with type stripping');
  process.exit(0);
}
// `node scripts/build.js DIR` builds into another folder of the project (the build's test does, so that
// processes other tests start from dist/ never see it half-written).
const out = new URL(`${process.argv[2] ?? 'dist'}/`, root);
rmSync(out, { recursive: true, force: true });
const result = spawnSync(process.execPath, [tsc.pathname, '-p', 'tsconfig.build.json', '--outDir', out.pathname], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);
cpSync(new URL('src/surfaces/shared/html/assets/', root), new URL('surfaces/shared/html/assets/', out), { recursive: true });
// The entry point is written last: the launcher takes a build no older than the sources as complete.
const entry = new URL('cli/gatehouse.js', out);
utimesSync(entry, new Date(), new Date());
