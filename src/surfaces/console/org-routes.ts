import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { fail } from '../../core/errors.ts';
import type { ConsolePluginOptions } from './context.ts';
import { organizationPage, organizationsPage } from './org-views.ts';
import { LangQuery, OrganizationParams, SearchQuery } from './schemas.ts';

const PAGE = 25;

/**
 * Organisations and their members, read only (behind the staff guard): staff
 * find a customer's organisation and who is in it; changes go through the
 * app's API, the CLI, or a later version of these pages.
 */
export const consoleOrganizationRoutes: FastifyPluginAsync<ConsolePluginOptions> = async (fastify, { context }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { core, send } = context;
  const hide = { hide: true };

  app.get('/admin/organizations', { schema: { ...hide, querystring: SearchQuery } }, async (request, reply) => {
    const q = (request.query.q ?? '').trim();
    const page = request.query.page ?? 1;
    const found = await core.orgs.organizations.list(PAGE + 1, (page - 1) * PAGE, q || undefined);
    const c = context.page(request, reply, request.caller);
    return send(reply, 200, organizationsPage(c, { q, page, organizations: found.slice(0, PAGE), hasNext: found.length > PAGE }));
  });

  app.get('/admin/organizations/:id', { schema: { ...hide, params: OrganizationParams, querystring: LangQuery } }, async (request, reply) => {
    const org = await core.orgs.organizations.find(request.params.id);
    if (!org) throw fail('NOT_FOUND');
    // The operator's view (every right); the first 200 members.
    const members = await core.orgs.members.list(org.id, null, 200, 0);
    return send(reply, 200, organizationPage(context.page(request, reply, request.caller), org, members));
  });
};
