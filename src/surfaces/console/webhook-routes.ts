import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { staffMay } from '../../core/staff.ts';
import type { ConsolePluginOptions } from './context.ts';
import { CsrfForm, DoneQuery, ReplayParams, WebhookParams } from './schemas.ts';
import { webhookPage, webhooksPage } from './webhook-views.ts';

/**
 * Webhook endpoints and their deliveries (behind the staff guard), for
 * superusers: what was sent, how each attempt went, and a replay — through the
 * core's staff service, the same rights as the admin API's, audited.
 */
export const consoleWebhookRoutes: FastifyPluginAsync<ConsolePluginOptions> = async (fastify, { context }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { core, send } = context;
  const hide = { hide: true };

  app.get('/admin/webhooks', { schema: { ...hide, querystring: DoneQuery } }, async (request, reply) => {
    const { user: actor } = request.caller;
    const c = context.page(request, reply, request.caller);
    // Staff reach it from the navigation: they are told why there is nothing for them rather than refused.
    return send(reply, 200, webhooksPage(c, staffMay(actor, 'manage-webhooks') ? await core.staff.webhooks(actor) : null));
  });

  app.get('/admin/webhooks/:id', { schema: { ...hide, params: WebhookParams, querystring: DoneQuery } }, async (request, reply) => {
    const { user: actor } = request.caller;
    const { id } = request.params;
    const endpoint = await core.staff.webhook(actor, id);
    const deliveries = await core.staff.webhookDeliveries(actor, id, 50);
    const c = context.page(request, reply, request.caller);
    return send(reply, 200, webhookPage(c, endpoint, deliveries, request.query.done === 'replayed' ? c.t.webhookTexts.replayed : undefined));
  });

  app.post(
    '/admin/webhooks/:id/replay/:deliveryId',
    { schema: { ...hide, params: ReplayParams, querystring: DoneQuery, body: CsrfForm } },
    async (request, reply) => {
      const { id, deliveryId } = request.params;
      await core.staff.replayDelivery(request.caller.user, id, deliveryId);
      return context.redirect(request, reply, `/admin/webhooks/${id}`, { done: 'replayed' });
    },
  );
};
