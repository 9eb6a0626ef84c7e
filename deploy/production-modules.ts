// Copies the packages `npm install --omit=dev` would install, as the lockfile
// lists them, from one project's node_modules to another folder. The image
// build runs it (Containerfile), where npm itself is not available: the
// image carries Node only. Usage: node deploy/production-modules.ts FROM TO
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

interface LockEntry {
  dev?: boolean;
  link?: boolean;
}

const [from, to] = process.argv.slice(2);
if (!from || !to) {
  console.error('usage: node deploy/production-modules.ts FROM TO');
  process.exit(2);
}
const lock = JSON.parse(readFileSync(join(from, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
let copied = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  // '' is the project itself; dev-only packages stay out; other platforms' optional builds are absent.
  if (path === '' || entry.dev || entry.link || !existsSync(join(from, path))) continue;
  mkdirSync(join(to, path), { recursive: true });
  // A package's own nested node_modules are entries of their own (copied or left out on their own merits).
  cpSync(join(from, path), join(to, path), { recursive: true, filter: (source) => basename(source) !== 'node_modules' || source === join(from, path) });
  copied++;
}
console.log(`${copied} production packages copied to ${join(to, 'node_modules')}`);
