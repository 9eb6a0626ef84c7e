import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { PROJECT_DIR } from './project-dir.ts';
import { type Config, ConfigError, type Env, readConfig } from './settings.ts';

export { ConfigError, parseDatabaseUrl } from './settings.ts';
/** Every setting's value, typed and named by its row in `settings.ts` (the one place a setting is declared). */
export type { Config } from './settings.ts';

/**
 * The environment merged with `.env` in the project folder (when present),
 * wherever Gatehouse is started from. Real environment variables win over the file.
 */
export function readEnvironment(cwd = PROJECT_DIR, env: Env = process.env): Env {
  const file = resolve(cwd, '.env');
  if (!existsSync(file)) return { ...env };
  let fromFile: Env;
  try {
    fromFile = parseEnv(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`.env: cannot be read (${(error as Error).message})`);
  }
  return { ...fromFile, ...env };
}

/** Validates every setting (see `settings.ts`). Throws {@link ConfigError} naming the first bad one. */
export function loadConfig(env: Env, overrides: Partial<Config> = {}): Config {
  return { ...readConfig(env), ...overrides };
}
