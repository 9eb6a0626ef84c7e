import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { isGatehouseError } from '../../core/errors.ts';
import { staffMay } from '../../core/staff.ts';
import type { ConsoleTexts } from '../../texts/console.ts';
import { PAGE_REFUSALS } from '../shared/html/sign-in/refusals.ts';
import type { ConsolePluginOptions } from './context.ts';
import { CsrfForm, DoneQuery, ReplayParams, WebhookActionParams, WebhookForm, WebhookParams } from './schemas.ts';
import { webhookPage, webhooksPage } from './webhook-views.ts';

/** The notice a redirect after a change to an endpoint names (`?done=`). */
const webhookDone = (t: ConsoleTexts, done: string | undefined) =>
  done === 'replayed'
    ? t.webhookTexts.replayed
    : done && Object.hasOwn(t.webhookTexts.done, done)
      ? t.webhookTexts.done[done as keyof ConsoleTexts['webhookTexts']['done']]
      : undefined;

/** The event types of the form: none ticked is every event. */
const typesOf = (events: string | string[] | undefined) => (events === undefined ? [] : Array.isArray(events) ? events : [events]);

/**
 * Webhook endpoints and their deliveries (behind the staff guard), for
 * superusers: add an endpoint (its secret shown once), what was sent, how each
 * attempt went, a replay, a test event, the secret's rotation, disabling and
 * removal — through the core's staff service, the same rights as the admin
 * API's, audited.
 */
export const consoleWebhookRoutes: FastifyPluginAsync<ConsolePluginOptions> = async (fastify, { context }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { core, send } = context;
  const hide = { hide: true };

  app.get('/admin/webhooks', { schema: { ...hide, querystring: DoneQuery } }, async (request, reply) => {
    const { user: actor } = request.caller;
    const c = context.page(request, reply, request.caller);
    // Staff reach it from the navigation: they are told why there is nothing for them rather than refused.
    return send(
      reply,
      200,
      webhooksPage(c, staffMay(actor, 'manage-webhooks') ? await core.staff.webhooks(actor) : null, webhookDone(c.t, request.query.done)),
    );
  });

  app.post('/admin/webhooks', { schema: { ...hide, querystring: DoneQuery, body: WebhookForm } }, async (request, reply) => {
    const { user: actor } = request.caller;
    const { body } = request;
    const c = context.page(request, reply, request.caller);
    try {
      const input = { url: body.url ?? '', eventTypes: typesOf(body.events), description: body.description };
      const { endpoint, secret } = await core.staff.addWebhook(actor, input);
      // The secret is in this answer and nowhere else (not in a URL): no redirect.
      return send(reply, 201, webhookPage(c, endpoint, [], { done: c.t.webhookTexts.added, secret }));
    } catch (error) {
      // A URL the sender cannot deliver to, an unknown event type: the form again, with the core's reason beside it.
      if (!isGatehouseError(error) || error.code !== 'VALIDATION_FAILED') throw error;
      const refused = `${c.common.refusals.badInput} ${error.message}`;
      return send(reply, 400, webhooksPage(c, await core.staff.webhooks(actor), undefined, refused));
    }
  });

  app.get('/admin/webhooks/:id', { schema: { ...hide, params: WebhookParams, querystring: DoneQuery } }, async (request, reply) => {
    const { user: actor } = request.caller;
    const { id } = request.params;
    const endpoint = await core.staff.webhook(actor, id);
    const deliveries = await core.staff.webhookDeliveries(actor, id, 50);
    const c = context.page(request, reply, request.caller);
    return send(reply, 200, webhookPage(c, endpoint, deliveries, { done: webhookDone(c.t, request.query.done) }));
  });

  app.post(
    '/admin/webhooks/:id/:action',
    { schema: { ...hide, params: WebhookActionParams, querystring: DoneQuery, body: WebhookForm } },
    async (request, reply) => {
      const { user: actor } = request.caller;
      const { id, action } = request.params;
      const back = (done: string) => context.redirect(request, reply, `/admin/webhooks/${id}`, { done });
      if (action === 'test') {
        await core.staff.testWebhook(actor, id);
        return back('tested');
      }
      if (action === 'disable' || action === 'enable') {
        await core.staff.setWebhookEnabled(actor, id, action === 'enable');
        return back(`${action}d`);
      }
      if (action === 'rotate-secret') {
        const secret = await core.staff.rotateWebhookSecret(actor, id);
        const c = context.page(request, reply, request.caller);
        const endpoint = await core.staff.webhook(actor, id);
        return send(reply, 200, webhookPage(c, endpoint, await core.staff.webhookDeliveries(actor, id, 50), { secret, rotated: true }));
      }
      if (action === 'remove') {
        await core.staff.removeWebhook(actor, id, request.body.confirm ?? '');
        return context.redirect(request, reply, '/admin/webhooks', { done: 'removed' });
      }
      return context.refuse(request, reply, PAGE_REFUSALS.NOT_FOUND, request.caller);
    },
  );

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
