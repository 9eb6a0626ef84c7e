import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { WebhookDelivery, WebhookEndpoint } from '../../core/ports/webhook-store.ts';
import type { SurfaceOptions } from '../shared/surface.ts';
import { zuluOrNull, zuluUtc } from '../shared/timestamps.ts';

const TAG = 'admin (staff API)';
const superusers = { auth: 'superuser' } as const;

const EndpointView = Type.Object({
  id: Type.String(),
  url: Type.String(),
  description: Type.String(),
  /** Empty: every event type. */
  events: Type.Array(Type.String()),
  enabled: Type.Boolean(),
  disabled_reason: Type.Union([Type.String(), Type.Null()]),
  failing_since: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String(),
});

const DeliveryView = Type.Object({
  id: Type.Integer(),
  event_id: Type.String(),
  event_type: Type.String(),
  status: Type.String({ description: 'pending, delivered or failed' }),
  attempts: Type.Integer(),
  next_attempt_at: Type.Union([Type.String(), Type.Null()]),
  last_attempt_at: Type.Union([Type.String(), Type.Null()]),
  last_status: Type.Union([Type.Integer(), Type.Null()]),
  last_error: Type.Union([Type.String(), Type.Null()]),
  last_duration_ms: Type.Union([Type.Integer(), Type.Null()]),
  created_at: Type.String(),
});

const endpointView = (e: WebhookEndpoint) => ({
  id: e.id,
  url: e.url,
  description: e.description,
  events: e.eventTypes,
  enabled: e.enabled,
  disabled_reason: e.disabledReason,
  failing_since: zuluOrNull(e.failingSince),
  created_at: zuluUtc(e.createdAt),
});

const deliveryView = (d: WebhookDelivery) => ({
  id: d.id,
  event_id: d.eventId,
  event_type: d.eventType,
  status: d.status,
  attempts: d.attempts,
  next_attempt_at: d.status === 'pending' ? zuluOrNull(d.nextAttemptAt) : null,
  last_attempt_at: zuluOrNull(d.lastAttemptAt),
  last_status: d.lastStatus,
  last_error: d.lastError,
  last_duration_ms: d.lastDurationMs,
  created_at: zuluUtc(d.createdAt),
});

const EndpointParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const Secret = Type.Object({ id: Type.String(), secret: Type.String() });

/**
 * `/api/admin/webhooks`: where Gatehouse POSTs its events (docs/webhooks.md),
 * for superusers. A secret is shown once. Through the core's staff service, as
 * the console's webhooks are: the same rights, audited with the actor.
 */
export const webhookRoutes: FastifyPluginAsync<SurfaceOptions> = async (fastify, { core }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/webhooks',
    { schema: { tags: [TAG], summary: 'List the webhook endpoints', response: { 200: Type.Object({ items: Type.Array(EndpointView) }) } }, config: superusers },
    async (request) => ({ items: (await core.staff.webhooks(request.caller.user)).map(endpointView) }),
  );

  app.post(
    '/webhooks',
    {
      schema: {
        tags: [TAG],
        summary: 'Add a webhook endpoint; its signing secret (whsec_…) is in this answer only',
        body: Type.Object(
          {
            url: Type.String({ minLength: 1, maxLength: 2048 }),
            // The event types it wants; none or empty: every type.
            events: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 50 })),
            description: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ ...EndpointView.properties, secret: Type.String() }) },
      },
      config: superusers,
    },
    async (request, reply) => {
      const { url, events, description } = request.body;
      const { endpoint, secret } = await core.staff.addWebhook(request.caller.user, { url, eventTypes: events, description });
      return reply.code(201).send({ ...endpointView(endpoint), secret });
    },
  );

  app.get(
    '/webhooks/:id',
    { schema: { tags: [TAG], summary: 'One webhook endpoint', params: EndpointParams, response: { 200: EndpointView } }, config: superusers },
    async (request) => endpointView(await core.staff.webhook(request.caller.user, request.params.id)),
  );

  app.delete(
    '/webhooks/:id',
    {
      schema: { tags: [TAG], summary: 'Remove a webhook endpoint and its deliveries', params: EndpointParams, response: { 204: Type.Null() } },
      config: superusers,
    },
    async (request, reply) => {
      // The path names the endpoint: the API's counterpart of the console's typed confirmation.
      await core.staff.removeWebhook(request.caller.user, request.params.id, request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/webhooks/:id/rotate-secret',
    {
      schema: {
        tags: [TAG],
        summary: 'A new signing secret, in this answer only; the old one signs beside it for 24 hours',
        params: EndpointParams,
        response: { 200: Secret },
      },
      config: superusers,
    },
    async (request) => ({ id: request.params.id, secret: await core.staff.rotateWebhookSecret(request.caller.user, request.params.id) }),
  );

  for (const [action, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    app.post(
      `/webhooks/:id/${action}`,
      {
        schema: {
          tags: [TAG],
          summary: enabled
            ? 'Enable an endpoint again (after a 410 or a day of failures): its waiting deliveries resume'
            : 'Disable an endpoint: nothing is sent to it',
          params: EndpointParams,
          response: { 200: EndpointView },
        },
        config: superusers,
      },
      async (request) => endpointView(await core.staff.setWebhookEnabled(request.caller.user, request.params.id, enabled)),
    );
  }

  app.post(
    '/webhooks/:id/test',
    {
      schema: {
        tags: [TAG],
        summary: 'Send a webhook.test event to this endpoint (delivered in the background, like every event)',
        params: EndpointParams,
        response: { 202: Type.Object({ event_id: Type.String() }) },
      },
      config: superusers,
    },
    async (request, reply) => reply.code(202).send({ event_id: await core.staff.testWebhook(request.caller.user, request.params.id) }),
  );

  app.get(
    '/webhooks/:id/deliveries',
    {
      schema: {
        tags: [TAG],
        summary: "An endpoint's recent deliveries, newest first: status, attempts, next try, the last answer's code and time",
        params: EndpointParams,
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })) }),
        response: { 200: Type.Object({ items: Type.Array(DeliveryView) }) },
      },
      config: superusers,
    },
    async (request) => ({
      items: (await core.staff.webhookDeliveries(request.caller.user, request.params.id, request.query.limit ?? 50)).map(deliveryView),
    }),
  );

  app.post(
    '/webhooks/:id/deliveries/:delivery_id/replay',
    {
      schema: {
        tags: [TAG],
        summary: 'Send one delivery again now, with the same webhook-id',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }), delivery_id: Type.Integer({ minimum: 1 }) }),
        response: { 202: DeliveryView },
      },
      config: superusers,
    },
    async (request, reply) =>
      reply.code(202).send(deliveryView(await core.staff.replayDelivery(request.caller.user, request.params.id, request.params.delivery_id))),
  );
};
