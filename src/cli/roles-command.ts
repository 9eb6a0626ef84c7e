import { parseArgs } from 'node:util';
import { boot } from '../boot.ts';
import type { Config } from '../config.ts';
import { UsageError } from './usage-error.ts';

const ACTIONS = 'list [--json], add NAME --permissions P1,P2 [--description TEXT], remove NAME';

/**
 * `gatehouse roles ...`: the custom organisation roles and their permissions.
 * Only the operator and superusers define them; organisation owners and admins
 * assign them (docs/organizations.md).
 */
export async function rolesCommand(args: string[], config: Config): Promise<number> {
  const [action, ...rest] = args;
  if (action !== 'list' && action !== 'add' && action !== 'remove') throw new UsageError(`roles needs an action: ${ACTIONS}`);
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { permissions: { type: 'string' }, description: { type: 'string' }, json: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (action === 'list' && positionals.length !== 0) throw new UsageError('roles list takes no argument');
  if (action !== 'list' && positionals.length !== 1) throw new UsageError(`roles ${action} needs the role's name`);
  if (action === 'add' && values.permissions === undefined) throw new UsageError('roles add needs --permissions P1,P2 (the strings your app checks)');
  const core = await boot(config);
  try {
    if (action === 'list') {
      const roles = await core.orgs.roles.list();
      if (values.json)
        console.log(JSON.stringify(roles.map((r) => ({ name: r.name, built_in: r.builtIn, permissions: r.permissions, description: r.description }))));
      else for (const r of roles) console.log([r.name, r.builtIn ? 'built-in' : r.permissions.join(',') || '-', r.description].join('\t'));
      return 0;
    }
    if (action === 'add') {
      const permissions = values
        .permissions!.split(',')
        .map((p) => p.trim())
        .filter(Boolean);
      const role = await core.orgs.roles.define(positionals[0]!, permissions, values.description ?? '', null);
      console.log(`role ${role.name}: ${role.permissions.join(', ') || 'no permissions'}`);
      return 0;
    }
    await core.orgs.roles.remove(positionals[0]!, null);
    console.log(`removed role ${positionals[0]} (and took it from every member and invitation)`);
    return 0;
  } finally {
    await core.close();
  }
}
