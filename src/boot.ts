import type { Config } from './config.ts';
import { createCore, type Core } from './core/core.ts';
import { DEFAULT_HASH_SETTINGS, type HashSettings } from './core/passwords.ts';
import type { Clock } from './core/ports/clock.ts';
import type { IdSource } from './core/ports/ids.ts';
import type { Stores } from './core/ports/stores.ts';
import { openStores } from './store/open-stores.ts';
import { loadOrCreateSecret } from './store/secret-file.ts';

export interface BootOptions {
  /** Use these stores instead of opening the configured database. */
  stores?: Stores;
  clock?: Clock;
  ids?: IdSource;
  /** Hash cost; tests may lower it. Defaults to OWASP's argon2id settings with PASSWORD_HASH's variant. */
  hash?: HashSettings;
}

/** Opens (and migrates) storage, resolves the signing secret, and wires the core. Shared by the server and the CLI. */
export async function boot(config: Config, options: BootOptions = {}): Promise<Core> {
  const stores = options.stores ?? (await openStores(config.database));
  const secret = config.jwtSecret ?? loadOrCreateSecret(config.dataDir);
  const hash = options.hash ?? { ...DEFAULT_HASH_SETTINGS, algorithm: config.passwordHash };
  return createCore({ stores, keys: { current: secret, previous: config.jwtPreviousSecrets }, clock: options.clock, ids: options.ids, hash });
}
