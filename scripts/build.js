// `npm run build` (also run by `npm install`): the TypeScript compiled to dist/
// with tsc, then bundled into dist/bundle/ with esbuild. Without TypeScript installed (a
// production install that left out devDependencies) it says so and leaves the
// sources to run as they are.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, utimesSync } from 'node:fs';

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
// The same JavaScript bundled with most of its packages into a few files (dist/bundle/), split at each
// `import()` so what loads at first use still does: a restart loads ~1,460 modules from dist/, and
// reading them is half the start (docs/performance.md). Kept out of the bundle: native code, packages
// that read files beside their own code or start workers from files, and those loaded at first use.
const { build } = await import('esbuild');
await build({
  entryPoints: [new URL('cli/gatehouse.js', out).pathname],
  outdir: new URL('bundle/', out).pathname,
  entryNames: '[name]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  logLevel: 'warning',
  // CommonJS packages in an ES module bundle still call require() for Node's own modules.
  banner: { js: "import { createRequire as __gatehouseRequire } from 'node:module'; const require = __gatehouseRequire(import.meta.url);" },
  external: [
    '@node-rs/*',
    'pino',
    'thread-stream',
    'pino-pretty',
    '@fastify/swagger',
    '@fastify/swagger-ui',
    '@fastify/static',
    'oidc-provider',
    '@simplewebauthn/*',
    'qrcode',
    'nodemailer',
    'pg',
    'ioredis',
  ],
});
// Each entry point is written last, the bundle's after dist/'s: the launcher takes one no older than the sources as complete.
for (const entry of ['cli/gatehouse.js', 'bundle/gatehouse.js']) utimesSync(new URL(entry, out), new Date(), new Date());
