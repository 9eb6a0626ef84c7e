import { Type, type TSchema } from 'typebox';
import { EVENT_TYPES, type EventType, exampleBody, isOrganizationEvent } from '../../core/events.ts';

/** An account as the staff API and the webhooks' `data.user` show it (core/user-view.ts). */
export const UserViewSchema = Type.Object({
  id: Type.Integer(),
  uuid: Type.String(),
  email: Type.Union([Type.String(), Type.Null()]),
  username: Type.Union([Type.String(), Type.Null()]),
  full_name: Type.Union([Type.String(), Type.Null()]),
  status: Type.String(),
  is_email_verified: Type.Boolean(),
  is_phone_verified: Type.Boolean(),
  is_superuser: Type.Boolean(),
  is_staff: Type.Boolean(),
  created_at: Type.String(),
  last_login_at: Type.Union([Type.String(), Type.Null()]),
  login_count: Type.Integer(),
});

/** An organisation as the organisation events' `data.organization` shows it. */
const OrganizationEventSchema = Type.Object({ id: Type.String({ format: 'uuid' }), name: Type.String(), slug: Type.String() });

/** The schema of a value like the example (the extra fields of an event's data). */
function schemaOf(value: unknown): TSchema {
  if (Array.isArray(value)) return Type.Array(Type.String());
  if (typeof value === 'number') return Type.Integer();
  if (typeof value === 'boolean') return Type.Boolean();
  return Type.String();
}

const HEADERS = [
  ['webhook-id', "the event's id (`msg_…`): the same on every attempt and every endpoint; receivers deduplicate on it"],
  ['webhook-timestamp', "this attempt's time, seconds since the epoch: refuse it when more than 5 minutes from now"],
  [
    'webhook-signature',
    '`v1,<base64 HMAC-SHA256 of "id.timestamp.body">` under the secret, one per live secret separated by spaces (two for a day after a rotation)',
  ],
] as const;

/**
 * The OpenAPI 3.1 `webhooks` of the document: one per event type, its body's
 * schema and example, the signature headers, and what the answers mean.
 */
export function openApiWebhooks(): Record<string, never> {
  const webhooks: Record<string, unknown> = {};
  for (const type of Object.keys(EVENT_TYPES) as EventType[]) {
    const { when, data } = EVENT_TYPES[type];
    const extra = Object.fromEntries(Object.entries(data).map(([key, value]) => [key, schemaOf(value)]));
    const dataSchema =
      type === 'webhook.test'
        ? Type.Object(extra)
        : isOrganizationEvent(type)
          ? Type.Object({ organization: OrganizationEventSchema, ...extra })
          : Type.Object({ user: UserViewSchema, ...extra });
    webhooks[type] = {
      post: {
        summary: type,
        description: `Sent when ${when}. Signed per the Standard Webhooks specification; retried with backoff (WEBHOOK_RETRY_SECONDS) until a 2xx.`,
        tags: ['webhooks'],
        parameters: HEADERS.map(([name, description]) => ({ name, in: 'header', required: true, description, schema: { type: 'string' } })),
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: Type.Object({ type: Type.Literal(type), timestamp: Type.String({ format: 'date-time' }), data: dataSchema }),
              example: exampleBody(type),
            },
          },
        },
        responses: {
          '2XX': { description: 'received: the delivery is done (within 10 s)' },
          '410': { description: 'gone: the endpoint is disabled, nothing more is sent to it' },
          default: { description: 'anything else, or no answer within 10 s: tried again later' },
        },
      },
    };
  }
  // Plain JSON for the document; @fastify/swagger's types want its own PathItemObject shape.
  return webhooks as Record<string, never>;
}
