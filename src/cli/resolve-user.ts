import type { Core } from '../core/core.ts';
import type { User } from '../core/ports/user-store.ts';
import { UsageError } from './usage-error.ts';

/** Finds a user by id, uuid, email or username. */
export async function resolveUser(core: Core, positionals: string[]): Promise<User> {
  if (positionals.length !== 1) throw new UsageError('name exactly one user (email, username, uuid or id)');
  const key = positionals[0]!;
  const user = /^\d+$/.test(key)
    ? await core.accounts.findById(Number(key))
    : /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(key)
      ? await core.accounts.findByUuid(key.toLowerCase())
      : await core.accounts.findByLogin(key);
  if (!user) throw new UsageError(`no user "${key}"`);
  return user;
}
