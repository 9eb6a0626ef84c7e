import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import { openStores } from '../store/open-stores.ts';
import { UsageError } from './usage-error.ts';

/** `gatehouse mail list [--limit N] [--json]`: the outbox, newest first (mail kept when no SMTP_URL is set). */
export async function mailCommand(args: string[], config: Config): Promise<number> {
  const [action, ...rest] = args;
  if (action !== 'list') throw new UsageError('mail needs an action: list');
  let values;
  try {
    ({ values } = parseArgs({ args: rest, options: { limit: { type: 'string' }, json: { type: 'boolean' } }, strict: true }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.limit !== undefined && !/^\d+$/.test(values.limit)) throw new UsageError('--limit must be a whole number');
  const stores = await openStores(config.database, { phoneRegion: config.phoneDefaultRegion });
  try {
    const mails = await stores.outbox.list(Number(values.limit ?? 20));
    if (values.json) {
      console.log(JSON.stringify(mails));
    } else if (mails.length === 0) {
      console.log('the outbox is empty');
    } else {
      for (const m of mails)
        console.log(`#${m.id}  ${new Date(m.createdAt).toISOString()}  to: ${m.to}\nsubject: ${m.subject}\n\n${m.text}\n${'-'.repeat(60)}`);
    }
    return 0;
  } finally {
    await stores.close();
  }
}
