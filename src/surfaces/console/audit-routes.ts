import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { Static } from 'typebox';
import type { Core } from '../../core/core.ts';
import { AUDIT_TYPES, type AuditQuery as TrailQuery, type AuditType } from '../../core/ports/audit-log.ts';
import { type User, UUID_TEXT } from '../../core/ports/user-store.ts';
import type { Refusal } from '../../texts/common.ts';
import { auditPage } from './audit-views.ts';
import type { ConsolePluginOptions } from './context.ts';
import { auditCsv } from './csv.ts';
import { messagePage } from './layout.ts';
import { AuditQuery } from './schemas.ts';

const TRAIL_SIZE = 50;
/** The most rows one CSV export holds; narrow the filter for more. */
const CSV_ROWS = 100_000;

type Filter = Static<typeof AuditQuery>;

/** `2026-12-01T22:13` (a datetime-local field) read as UTC; undefined when empty, NaN when unreadable. */
const utc = (value: string | undefined) => (value ? Date.parse(`${value.length === 16 ? `${value}:00` : value}Z`) : undefined);

/** The audit filter from the query: the account named by uuid, email or username; a known event type; UTC times. */
async function auditFilter(core: Core, actor: User, query: Filter): Promise<{ query: Omit<TrailQuery, 'limit'> } | { refusal: Refusal }> {
  const filter: Omit<TrailQuery, 'limit'> = {};
  const account = query.account?.trim();
  if (account) {
    const user = UUID_TEXT.test(account) ? await core.staff.find(actor, account).catch(() => null) : await core.accounts.findByLogin(account);
    if (!user) return { refusal: 'notFound' };
    filter.userId = user.id;
  }
  if (query.type) {
    if (!(AUDIT_TYPES as readonly string[]).includes(query.type)) return { refusal: 'badInput' };
    filter.type = query.type as AuditType;
  }
  const from = utc(query.from);
  const to = utc(query.to);
  if (Number.isNaN(from) || Number.isNaN(to)) return { refusal: 'badInput' };
  if (from !== undefined) filter.from = from;
  if (to !== undefined) filter.to = to;
  if (query.before !== undefined) filter.beforeId = query.before;
  return { query: filter };
}

/** The audit trail (behind the staff guard): filtered, paged to older events, and the same filter as CSV. */
export const consoleAuditRoutes: FastifyPluginAsync<ConsolePluginOptions> = async (fastify, { context }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { core, send } = context;
  const schema = { hide: true, querystring: AuditQuery };

  app.get('/admin/audit', { schema }, async (request, reply) => {
    const { user: actor } = request.caller;
    const c = context.page(request, reply, request.caller);
    const q = request.query;
    const shown = { account: q.account ?? '', type: q.type ?? '', from: q.from ?? '', to: q.to ?? '' };
    const filter = await auditFilter(core, actor, q);
    if ('refusal' in filter) return send(reply, 400, auditPage(c, shown, { events: [], names: new Map(), error: c.common.refusals[filter.refusal] }));
    const events = await core.staff.auditTrail(actor, { ...filter.query, limit: TRAIL_SIZE + 1 });
    const page = events.slice(0, TRAIL_SIZE);
    const olderThan = events.length > TRAIL_SIZE ? page[page.length - 1]!.id : undefined;
    return send(reply, 200, auditPage(c, shown, { events: page, names: await context.namesOf(page), olderThan }));
  });

  app.get('/admin/audit.csv', { schema }, async (request, reply) => {
    const { user: actor } = request.caller;
    const filter = await auditFilter(core, actor, request.query);
    if ('refusal' in filter) return send(reply, 400, messagePage(context.page(request, reply, request.caller), filter.refusal));
    const events = await core.staff.auditTrail(actor, { ...filter.query, limit: CSV_ROWS });
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="gatehouse-audit.csv"')
      .header('cache-control', 'no-store')
      .send(auditCsv(events, await context.namesOf(events)));
  });
};
