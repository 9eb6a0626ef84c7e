import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import type { Core } from '../core/core.ts';
import type { User } from '../core/ports/user-store.ts';
import { boot } from '../boot.ts';
import { resolveUser } from './resolve-user.ts';
import { UsageError } from './usage-error.ts';

/** `gatehouse users ...`: operator actions on accounts. */
export async function usersCommand(args: string[], config: Config): Promise<number> {
  const [action, ...rest] = args;
  if (!action) throw new UsageError('users needs an action: list, show, create, disable, enable, delete, set-password, staff, superuser, mfa, mfa-reset');
  const run = ACTIONS[action];
  if (!run) throw new UsageError(`users: unknown action "${action}"`);
  const core = await boot(config);
  try {
    return await run(rest, core);
  } finally {
    await core.close();
  }
}

type Action = (args: string[], core: Core) => Promise<number>;

const ACTIONS: Record<string, Action> = {
  async list(args, core) {
    const { values } = parse(args, { json: { type: 'boolean' }, limit: { type: 'string' }, offset: { type: 'string' }, search: { type: 'string' } });
    const limit = count(values.limit, 'limit', 100);
    const offset = count(values.offset, 'offset', 0);
    const users = await core.accounts.list(limit, offset, values.search as string | undefined);
    if (values.json) console.log(JSON.stringify(users.map(publicView)));
    else {
      // A header row, tab-separated like the rows, so the columns say what they are (and `cut` still works).
      console.log(['id', 'uuid', 'email', 'username', 'status'].join('\t'));
      for (const u of users) console.log([u.id, u.uuid, u.email ?? '-', u.username ?? '-', u.status].join('\t'));
    }
    return 0;
  },
  async show(args, core) {
    const { values, positionals } = parse(args, { json: { type: 'boolean' } }, true);
    const user = await resolveUser(core, positionals);
    console.log(
      values.json
        ? JSON.stringify(publicView(user))
        : Object.entries(publicView(user))
            .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
            .join('\n'),
    );
    return 0;
  },
  async create(args, core) {
    const { values } = parse(args, {
      email: { type: 'string' },
      username: { type: 'string' },
      password: { type: 'string' },
      'first-name': { type: 'string' },
      'last-name': { type: 'string' },
      superuser: { type: 'boolean' },
      staff: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    if (!values.email && !values.username) throw new UsageError('users create needs --email or --username');
    if (!values.password) throw new UsageError('users create needs --password');
    const user = await core.accounts.register({
      email: values.email as string | undefined,
      username: values.username as string | undefined,
      password: values.password as string,
      firstName: values['first-name'] as string | undefined,
      lastName: values['last-name'] as string | undefined,
      isSuperuser: !!values.superuser,
      isStaff: !!values.staff,
    });
    console.log(values.json ? JSON.stringify(publicView(user)) : `created user ${user.id} (${user.uuid})`);
    return 0;
  },
  async disable(args, core) {
    const user = await resolveUser(core, parse(args, {}, true).positionals);
    await core.accounts.setStatus(user, 'disabled');
    console.log(`disabled user ${user.id}`);
    return 0;
  },
  async enable(args, core) {
    const user = await resolveUser(core, parse(args, {}, true).positionals);
    await core.accounts.setStatus(user, 'active');
    console.log(`enabled user ${user.id}`);
    return 0;
  },
  async delete(args, core) {
    const user = await resolveUser(core, parse(args, {}, true).positionals);
    await core.accounts.delete(user);
    console.log(`deleted user ${user.id}`);
    return 0;
  },
  async verify(args, core) {
    const { values, positionals } = parse(args, { phone: { type: 'boolean' }, undo: { type: 'boolean' } }, true);
    const user = await resolveUser(core, positionals);
    const channel = values.phone ? 'phone' : 'email';
    await core.accounts.setVerified(user, channel, !values.undo);
    console.log(`${channel} of user ${user.id} marked ${values.undo ? 'unverified' : 'verified'}`);
    return 0;
  },
  async 'set-email'(args, core) {
    const { values, positionals } = parse(args, { email: { type: 'string' } }, true);
    if (!values.email) throw new UsageError('users set-email needs --email');
    const user = await resolveUser(core, positionals);
    await core.accounts.updateProfile(user, { email: values.email as string });
    console.log(`email of user ${user.id} set; it is unverified until the link in the mail sent to it is opened`);
    return 0;
  },
  async 'set-password'(args, core) {
    const { values, positionals } = parse(args, { password: { type: 'string' } }, true);
    if (!values.password) throw new UsageError('users set-password needs --password');
    const user = await resolveUser(core, positionals);
    await core.accounts.setPassword(user, values.password as string);
    console.log(`password set for user ${user.id}; their sessions have ended`);
    return 0;
  },
  async mfa(args, core) {
    const { values, positionals } = parse(args, { json: { type: 'boolean' } }, true);
    const user = await resolveUser(core, positionals);
    const status = await core.secondFactors.status(user.id);
    const view = {
      totp: status.totp,
      recovery_codes_left: status.recoveryCodesLeft,
      passkeys: status.passkeys.map((p) => ({ id: p.id, name: p.name, created_at: new Date(p.createdAt).toISOString() })),
    };
    if (values.json) console.log(JSON.stringify(view));
    else {
      console.log(`totp: ${view.totp}`);
      console.log(`recovery codes left: ${view.recovery_codes_left}`);
      console.log(`passkeys: ${view.passkeys.length === 0 ? 'none' : view.passkeys.map((p) => `${p.name} (${p.created_at})`).join(', ')}`);
    }
    return 0;
  },
  staff: (args, core) => setRole(args, core, 'staff'),
  superuser: (args, core) => setRole(args, core, 'superuser'),
  async 'mfa-reset'(args, core) {
    const user = await resolveUser(core, parse(args, {}, true).positionals);
    await core.secondFactors.reset(user.id);
    console.log(`second factors of user ${user.id} removed; the password alone logs in until they enrol again`);
    return 0;
  },
};

/** `users staff|superuser USER [--undo]`: gives or takes the flag, audited, effective at once on every instance. */
async function setRole(args: string[], core: Core, role: 'staff' | 'superuser'): Promise<number> {
  const { values, positionals } = parse(args, { undo: { type: 'boolean' } }, true);
  const user = await resolveUser(core, positionals);
  await core.staff.setRole(null, user, role, !values.undo);
  const flag = role === 'staff' ? 'is_staff' : 'is_superuser';
  console.log(`${flag} ${values.undo ? 'taken from' : 'given to'} user ${user.id}`);
  return 0;
}

type Options = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

/** Parsed flags, loosely typed: each action checks the values it reads. */
function parse(args: string[], options: Options, positionals = false): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const parsed = parseArgs({ args, options, allowPositionals: positionals, strict: true });
    return { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function count(raw: unknown, name: string, fallback: number): number {
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw)) throw new UsageError(`--${name} must be a whole number`);
  return Number(raw);
}

/** A user as the CLI shows it: everything but the password hash. */
export function publicView(user: User): Omit<User, 'passwordHash'> {
  const { passwordHash: _hidden, ...rest } = user;
  return rest;
}
