import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { staffMay } from '../../core/staff.ts';
import { PAGE_REFUSALS } from '../shared/html/sign-in/refusals.ts';
import { ACCOUNT_ACTIONS, isAccountAction } from './account-actions.ts';
import { accountPage } from './account-views.ts';
import type { ConsolePluginOptions } from './context.ts';
import { AccountParams, ActionForm, ActionParams, DoneQuery, SearchQuery } from './schemas.ts';
import { accountsPage } from './search-views.ts';

const PAGE_SIZE = 25;
/** The recent events an account's page shows; the audit trail has the rest. */
const RECENT_EVENTS = 20;

/**
 * Accounts (behind the staff guard): the search, an account's page, and the
 * actions on it — each through the core's staff service, which checks the
 * rights again and records the audit event.
 */
export const consoleAccountRoutes: FastifyPluginAsync<ConsolePluginOptions> = async (fastify, { context }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { core, send } = context;
  const hide = { hide: true };

  app.get('/admin', { schema: { ...hide, querystring: SearchQuery } }, async (request, reply) => {
    const { user: actor } = request.caller;
    const c = context.page(request, reply, request.caller);
    const q = request.query.q?.trim() ?? '';
    const page = request.query.page ?? 1;
    const users = await core.staff.search(actor, q, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE);
    const done = request.query.done === 'delete' ? c.t.done.delete : undefined;
    return send(reply, 200, accountsPage(c, { q, page, users: users.slice(0, PAGE_SIZE), hasNext: users.length > PAGE_SIZE }, done));
  });

  app.get('/admin/accounts/:uuid', { schema: { ...hide, params: AccountParams, querystring: DoneQuery } }, async (request, reply) => {
    const { user: actor } = request.caller;
    const c = context.page(request, reply, request.caller);
    const user = await core.staff.find(actor, request.params.uuid);
    const [file, events, memberships] = await Promise.all([
      core.staff.file(actor, user),
      core.staff.auditTrail(actor, { limit: RECENT_EVENTS, userId: user.id }),
      core.orgs.organizations.mine(user.id, 100, 0),
    ]);
    const { done } = request.query;
    const notice = done && isAccountAction(done) ? c.t.done[done] : undefined;
    const trail = { events, names: await context.namesOf(events) };
    return send(
      reply,
      200,
      accountPage(c, file, trail, (action) => staffMay(actor, action), notice, memberships),
    );
  });

  app.post('/admin/accounts/:uuid/:action', { schema: { ...hide, params: ActionParams, querystring: DoneQuery, body: ActionForm } }, async (request, reply) => {
    const { action, uuid } = request.params;
    if (!isAccountAction(action)) return context.refuse(request, reply, PAGE_REFUSALS.NOT_FOUND, request.caller);
    const { user: actor } = request.caller;
    const user = await core.staff.find(actor, uuid);
    await ACCOUNT_ACTIONS[action](core.staff, actor, user, request.body);
    if (action === 'delete') return context.redirect(request, reply, '/admin', { done: 'delete' });
    return context.redirect(request, reply, `/admin/accounts/${user.uuid}`, { done: action });
  });
};
