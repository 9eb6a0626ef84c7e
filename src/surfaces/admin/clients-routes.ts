import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ID_TOKEN_ALGS, type App } from '../../core/ports/app-store.ts';
import type { SurfaceOptions } from '../shared/surface.ts';
import { zuluUtc } from '../shared/timestamps.ts';

const TAG = 'admin (staff API)';
const superusers = { auth: 'superuser' } as const;

const AppView = Type.Object({
  client_id: Type.String(),
  name: Type.String(),
  public: Type.Boolean(),
  redirect_uris: Type.Array(Type.String()),
  id_token_alg: Type.String(),
  /** The API scopes client_credentials may grant. */
  scopes: Type.Array(Type.String()),
  created_at: Type.String(),
});
const Secret = Type.Object({ client_id: Type.String(), client_secret: Type.Union([Type.String(), Type.Null()]) });
const ClientParams = Type.Object({ client_id: Type.String({ minLength: 1, maxLength: 64 }) });

const view = (a: App) => ({
  client_id: a.clientId,
  name: a.name,
  public: a.secretHash === null,
  redirect_uris: a.redirectUris,
  id_token_alg: a.idTokenAlg,
  scopes: a.scopes,
  created_at: zuluUtc(a.createdAt),
});

/**
 * `/api/admin/clients`: the apps that sign their users in with Gatehouse
 * (OpenID Connect), for superusers. A secret is shown once. Through the core's
 * staff service, as the console's apps are: the same rights, audited with the actor.
 */
export const clientRoutes: FastifyPluginAsync<SurfaceOptions> = async (fastify, { core }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/clients',
    {
      schema: { tags: [TAG], summary: 'List the registered OpenID Connect apps', response: { 200: Type.Object({ items: Type.Array(AppView) }) } },
      config: superusers,
    },
    async (request) => ({ items: (await core.staff.apps(request.caller.user)).map(view) }),
  );

  app.post(
    '/clients',
    {
      schema: {
        tags: [TAG],
        summary: 'Register an app; its secret is in this answer only (null for a public app)',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100 }),
            redirect_uris: Type.Array(Type.String({ maxLength: 2048 }), { minItems: 1, maxItems: 20 }),
            public: Type.Optional(Type.Boolean()),
            id_token_alg: Type.Optional(Type.Union(ID_TOKEN_ALGS.map((alg) => Type.Literal(alg)))),
            // The API scopes client_credentials may grant (never openid, email, profile, phone, offline_access).
            scopes: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 20 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Secret },
      },
      config: superusers,
    },
    async (request, reply) => {
      const { name, redirect_uris, public: isPublic, id_token_alg, scopes } = request.body;
      const input = { name, redirectUris: redirect_uris, isPublic, idTokenAlg: id_token_alg, scopes };
      const { app: registered, secret } = await core.staff.addApp(request.caller.user, input);
      return reply.code(201).send({ client_id: registered.clientId, client_secret: secret });
    },
  );

  app.delete(
    '/clients/:client_id',
    { schema: { tags: [TAG], summary: 'Remove an app', params: ClientParams, response: { 204: Type.Null() } }, config: superusers },
    async (request, reply) => {
      // The path names the app: the API's counterpart of the console's typed confirmation.
      await core.staff.removeApp(request.caller.user, request.params.client_id, request.params.client_id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/clients/:client_id/rotate-secret',
    {
      schema: { tags: [TAG], summary: 'A new secret for an app; the old one stops working at once', params: ClientParams, response: { 200: Secret } },
      config: superusers,
    },
    async (request) => ({
      client_id: request.params.client_id,
      client_secret: await core.staff.rotateAppSecret(request.caller.user, request.params.client_id),
    }),
  );
};
