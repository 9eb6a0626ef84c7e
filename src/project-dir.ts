import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project folder (where package.json and .env are). Relative paths in
 * settings are resolved against it, not against the working directory: started
 * from another folder, Gatehouse must not create an empty database there.
 */
export const PROJECT_DIR = nearestPackageFolder(dirname(fileURLToPath(import.meta.url)));

/**
 * The nearest folder at or above `dir` holding a package.json. This module runs
 * from src/, from dist/ or from dist/bundle/ (one file among the bundle's
 * chunks), so its own place does not say how far up the project is.
 */
function nearestPackageFolder(dir: string): string {
  for (let at = dir; ; at = dirname(at)) {
    if (existsSync(join(at, 'package.json'))) return at;
    if (dirname(at) === at) return dirname(dir);
  }
}
