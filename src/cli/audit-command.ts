import { parseArgs } from 'node:util';
import { boot } from '../boot.ts';
import type { Config } from '../config.ts';
import { resolveUser } from './resolve-user.ts';
import { UsageError } from './usage-error.ts';

/** `gatehouse audit [--user USER] [--limit N] [--json]`: security events, newest first. */
export async function auditCommand(args: string[], config: Config): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args, options: { user: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } }, strict: true }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.limit !== undefined && !/^\d+$/.test(values.limit)) throw new UsageError('--limit must be a whole number');
  const core = await boot(config);
  try {
    const user = values.user ? await resolveUser(core, [values.user]) : undefined;
    const events = await core.audit.list(Number(values.limit ?? 50), user?.id);
    if (values.json) console.log(JSON.stringify(events.map((e) => ({ ...e, at: new Date(e.at).toISOString() }))));
    else
      for (const e of events) console.log([new Date(e.at).toISOString(), e.type, e.userId ?? '-', e.ip ?? '-', e.userAgent ?? '-', e.detail ?? ''].join('\t'));
    return 0;
  } finally {
    await core.close();
  }
}
