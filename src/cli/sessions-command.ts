import { parseArgs } from 'node:util';
import { boot } from '../boot.ts';
import type { Config } from '../config.ts';
import { resolveUser } from './resolve-user.ts';
import { UsageError } from './usage-error.ts';

/** `gatehouse sessions list USER [--json]` and `gatehouse sessions revoke USER`. */
export async function sessionsCommand(args: string[], config: Config): Promise<number> {
  const [action, ...rest] = args;
  if (action !== 'list' && action !== 'revoke') throw new UsageError('sessions needs an action: list USER, or revoke USER');
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: { json: { type: 'boolean' } }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const core = await boot(config);
  try {
    const user = await resolveUser(core, parsed.positionals);
    if (action === 'revoke') {
      const ended = await core.sessions.endAllForUser(user.id);
      console.log(`ended ${ended} session${ended === 1 ? '' : 's'} of user ${user.id}`);
      return 0;
    }
    const sessions = await core.sessions.listForUser(user.id);
    const view = sessions.map((s) => ({
      id: s.id,
      createdAt: new Date(s.createdAt).toISOString(),
      expiresAt: new Date(s.expiresAt).toISOString(),
      ip: s.ip,
      userAgent: s.userAgent,
      rememberMe: s.rememberMe,
    }));
    if (parsed.values.json) console.log(JSON.stringify(view));
    else if (view.length === 0) console.log(`user ${user.id} has no live sessions`);
    else for (const s of view) console.log([s.id, s.createdAt, s.expiresAt, s.ip ?? '-', s.userAgent ?? '-'].join('\t'));
    return 0;
  } finally {
    await core.close();
  }
}
