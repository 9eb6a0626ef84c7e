import { parseArgs } from 'node:util';
import { boot } from '../boot.ts';
import type { Config } from '../config.ts';
import type { Core } from '../core/core.ts';
import type { Organization } from '../core/ports/organization-store.ts';
import { resolveUser } from './resolve-user.ts';
import { UsageError } from './usage-error.ts';

const ACTIONS =
  'create --name NAME --slug SLUG --owner USER, list [--search TEXT] [--json], add-member ORG USER [--roles R1,R2], remove-member ORG USER, invite ORG EMAIL [--roles R1,R2]';

const view = (o: Organization) => ({ id: o.id, name: o.name, slug: o.slug, created_at: new Date(o.createdAt).toISOString() });

const rolesOf = (text: string | undefined, fallback: string[]): string[] =>
  text === undefined
    ? fallback
    : text
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean);

/**
 * `gatehouse orgs ...`: organisations as the operator manages them (every
 * right, audited without an actor): made with a named first owner, members
 * added and removed directly, invitations mailed. ORG is a uuid or a slug.
 */
export async function orgsCommand(args: string[], config: Config): Promise<number> {
  const [action, ...rest] = args;
  if (!['create', 'list', 'add-member', 'remove-member', 'invite'].includes(action ?? '')) throw new UsageError(`orgs needs an action: ${ACTIONS}`);
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: {
        name: { type: 'string' },
        slug: { type: 'string' },
        owner: { type: 'string' },
        roles: { type: 'string' },
        search: { type: 'string' },
        json: { type: 'boolean' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (action === 'create' && (!values.name || !values.slug || !values.owner || positionals.length > 0))
    throw new UsageError('orgs create needs --name, --slug and --owner USER (an organisation always has an owner)');
  if ((action === 'add-member' || action === 'remove-member' || action === 'invite') && positionals.length !== 2)
    throw new UsageError(`orgs ${action} needs the organisation (uuid or slug) and ${action === 'invite' ? 'the email' : 'the user'}`);
  const core = await boot(config);
  try {
    if (action === 'create') {
      const owner = await resolveUser(core, [values.owner!]);
      const org = await core.orgs.organizations.create({ name: values.name!, slug: values.slug! }, owner, null);
      if (values.json) console.log(JSON.stringify(view(org)));
      else console.log(`created ${org.slug} ${org.id} (owner: ${owner.email ?? owner.username})`);
      return 0;
    }
    if (action === 'list') {
      const orgs = (await core.orgs.organizations.list(1000, 0, values.search)).map(view);
      if (values.json) console.log(JSON.stringify(orgs));
      else if (orgs.length === 0) console.log('no organisations');
      else for (const o of orgs) console.log([o.id, o.slug, o.name].join('\t'));
      return 0;
    }
    const org = await organization(core, positionals[0]!);
    if (action === 'invite') {
      const invitation = await core.orgs.invitations.invite(org.id, { email: positionals[1]!, roles: rolesOf(values.roles, ['member']) }, null);
      console.log(`invited ${invitation.email} to ${org.slug} as ${invitation.roles.join(', ')} (${invitation.id}); the link is mailed`);
      return 0;
    }
    const user = await resolveUser(core, [positionals[1]!]);
    if (action === 'add-member') {
      const membership = await core.orgs.members.add(org.id, user, rolesOf(values.roles, ['member']), null);
      console.log(`${user.email ?? user.username} is a member of ${org.slug}: ${membership.roles.join(', ')}`);
      return 0;
    }
    await core.orgs.members.remove(org.id, user.uuid, null);
    console.log(`${user.email ?? user.username} removed from ${org.slug}`);
    return 0;
  } finally {
    await core.close();
  }
}

async function organization(core: Core, key: string): Promise<Organization> {
  const org = await core.orgs.organizations.find(key);
  if (!org) throw new UsageError(`no organisation "${key}"`);
  return org;
}
