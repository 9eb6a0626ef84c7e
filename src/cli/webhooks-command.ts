import { parseArgs } from 'node:util';
import { boot } from '../boot.ts';
import type { Config } from '../config.ts';
import type { Core } from '../core/core.ts';
import type { WebhookDelivery, WebhookEndpoint } from '../core/ports/webhook-store.ts';
import { UsageError } from './usage-error.ts';

const ACTIONS =
  'add URL [--events T1,T2] [--description TEXT] [--json], list [--json], remove ID, rotate-secret ID [--json], test ID [--json], enable ID, disable ID';
const NEEDS_ID = new Set(['remove', 'rotate-secret', 'test', 'enable', 'disable']);

/** How long `test` waits for its event's first attempt (the attempt's own limit is 10 s). */
const TEST_WAIT_MS = 20_000;

const view = (e: WebhookEndpoint) => ({
  id: e.id,
  url: e.url,
  description: e.description,
  events: e.eventTypes,
  enabled: e.enabled,
  disabled_reason: e.disabledReason,
  failing_since: e.failingSince === null ? null : new Date(e.failingSince).toISOString(),
  created_at: new Date(e.createdAt).toISOString(),
});

/** `gatehouse webhooks ...`: the endpoints Gatehouse POSTs its events to (docs/webhooks.md). */
export async function webhooksCommand(args: string[], config: Config): Promise<number> {
  const [action, ...rest] = args;
  if (action !== 'add' && action !== 'list' && !NEEDS_ID.has(action ?? '')) throw new UsageError(`webhooks needs an action: ${ACTIONS}`);
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { events: { type: 'string' }, description: { type: 'string' }, json: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (action === 'add' && positionals.length !== 1) throw new UsageError('webhooks add needs the URL');
  if (NEEDS_ID.has(action!) && positionals.length !== 1) throw new UsageError(`webhooks ${action} needs the endpoint id`);
  if (action === 'list' && positionals.length !== 0) throw new UsageError('webhooks list takes no argument');
  const core = await boot(config);
  try {
    if (action === 'add') {
      const eventTypes = (values.events ?? '')
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean);
      const { endpoint, secret } = await core.webhooks.add({ url: positionals[0]!, eventTypes, description: values.description });
      if (values.json) console.log(JSON.stringify({ id: endpoint.id, secret }));
      else {
        console.log(`id: ${endpoint.id}`);
        console.log(`events: ${endpoint.eventTypes.join(', ') || 'all'}`);
        console.log(`secret: ${secret}\n(shown once: sign-verifying receivers need it; Gatehouse keeps it sealed)`);
      }
      return 0;
    }
    if (action === 'list') {
      const endpoints = (await core.webhooks.list()).map(view);
      if (values.json) console.log(JSON.stringify(endpoints));
      else if (endpoints.length === 0) console.log('no webhook endpoints');
      else
        for (const e of endpoints)
          console.log([e.id, e.enabled ? 'enabled' : `disabled (${e.disabled_reason})`, e.url, e.events.join(',') || 'all events'].join('\t'));
      return 0;
    }
    const id = positionals[0]!;
    if (action === 'remove') {
      await core.webhooks.remove(id);
      console.log(`removed webhook endpoint ${id}`);
      return 0;
    }
    if (action === 'enable' || action === 'disable') {
      // Enabling again (after a 410 or a day of failures): its waiting deliveries resume.
      await core.webhooks.setEnabled(id, action === 'enable');
      console.log(`${action}d webhook endpoint ${id}`);
      return 0;
    }
    if (action === 'rotate-secret') {
      const secret = await core.webhooks.rotateSecret(id);
      if (values.json) console.log(JSON.stringify({ id, secret }));
      else console.log(`secret: ${secret}\n(shown once; the previous secret keeps signing beside it for 24 hours)`);
      return 0;
    }
    return await testEndpoint(core, id, values.json ?? false);
  } finally {
    await core.close();
  }
}

/**
 * Sends a `webhook.test` event and waits for its first attempt: made here when
 * no server claims it first (the claim in the database decides), or by a
 * running server. 0 when the receiver answered 2xx.
 */
async function testEndpoint(core: Core, id: string, json: boolean): Promise<number> {
  const eventId = await core.webhooks.test(id);
  const until = Date.now() + TEST_WAIT_MS;
  let delivery: WebhookDelivery | undefined;
  while (Date.now() < until) {
    delivery = (await core.webhooks.deliveries(id, 20)).find((d) => d.eventId === eventId);
    if (delivery && delivery.attempts > 0) break;
    if ((await core.deliveries.runDue()) === 0) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const done = delivery !== undefined && delivery.attempts > 0;
  const delivered = delivery?.status === 'delivered';
  if (json)
    console.log(
      JSON.stringify({
        event_id: eventId,
        delivered,
        status: delivery?.status ?? 'pending',
        response_status: delivery?.lastStatus ?? null,
        error: delivery?.lastError ?? null,
      }),
    );
  else if (!done) console.log(`webhook.test ${eventId} queued; no attempt within ${TEST_WAIT_MS / 1000} s (a running server delivers it)`);
  else if (delivered) console.log(`webhook.test ${eventId} delivered: ${delivery!.lastStatus} in ${delivery!.lastDurationMs} ms`);
  else
    console.log(
      `webhook.test ${eventId} not delivered: ${delivery!.lastStatus ?? delivery!.lastError}${delivery!.status === 'pending' ? ' (tried again per WEBHOOK_RETRY_SECONDS)' : ''}`,
    );
  return delivered ? 0 : 1;
}
