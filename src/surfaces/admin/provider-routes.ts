import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { providerJson } from '../../core/identities.ts';
import type { SurfaceOptions } from '../shared/surface.ts';

const TAG = 'admin (staff API)';
const superusers = { auth: 'superuser' } as const;

const ProviderShape = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  name: Type.String(),
  issuer: Type.String(),
  client_id: Type.String(),
  /** Whether a client secret is kept (sealed; never shown). */
  has_client_secret: Type.Boolean(),
  audiences: Type.Array(Type.String()),
  signup: Type.Boolean(),
  domains: Type.Array(Type.String()),
  trust_mfa: Type.Boolean(),
  enabled: Type.Boolean(),
  /** The callback URL to register at the provider. */
  redirect_uri: Type.String(),
  created_at: Type.String(),
});

const short = (max: number) => Type.String({ minLength: 1, maxLength: max });

/**
 * `/api/admin/providers`: the upstream identity providers people sign in with
 * (docs/identity-providers.md), for superusers, audited. The client secret is
 * given once and kept sealed; it is never answered.
 */
export const providerRoutes: FastifyPluginAsync<SurfaceOptions> = async (fastify, { core }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/providers',
    {
      schema: { tags: [TAG], summary: 'List the identity providers', response: { 200: Type.Object({ items: Type.Array(ProviderShape) }) } },
      config: superusers,
    },
    async (request) => ({ items: (await core.staff.providers(request.caller.user)).map(providerJson) }),
  );

  app.post(
    '/providers',
    {
      schema: {
        tags: [TAG],
        summary: 'Add an identity provider (kind oidc, github, apple or wechat); the answer names the callback URL to register there',
        body: Type.Object(
          {
            id: short(32),
            kind: short(16),
            name: short(100),
            // GitHub: github.com when left out (a GitHub Enterprise Server's URL otherwise).
            issuer: Type.Optional(Type.String({ maxLength: 2048 })),
            client_id: short(512),
            client_secret: Type.Optional(Type.String({ maxLength: 4096 })),
            audiences: Type.Optional(Type.Array(short(512), { maxItems: 20 })),
            signup: Type.Optional(Type.Boolean()),
            domains: Type.Optional(Type.Array(short(253), { maxItems: 50 })),
            trust_mfa: Type.Optional(Type.Boolean()),
            // Apple: the key its client secret JWT is signed with (the .p8 file's PEM), in place of client_secret.
            team_id: Type.Optional(Type.String({ maxLength: 64 })),
            key_id: Type.Optional(Type.String({ maxLength: 64 })),
            private_key: Type.Optional(Type.String({ maxLength: 4096 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: ProviderShape },
      },
      config: superusers,
    },
    async (request, reply) => {
      const b = request.body;
      const added = await core.staff.addProvider(request.caller.user, {
        id: b.id,
        kind: b.kind,
        name: b.name,
        issuer: b.issuer ?? '',
        clientId: b.client_id,
        clientSecret: b.client_secret || null,
        audiences: b.audiences,
        signup: b.signup,
        domains: b.domains,
        trustMfa: b.trust_mfa,
        apple: b.kind === 'apple' ? { teamId: b.team_id ?? '', keyId: b.key_id ?? '', privateKey: b.private_key ?? '' } : undefined,
      });
      return reply.code(201).send(providerJson(added));
    },
  );

  app.delete(
    '/providers/:id',
    {
      schema: {
        tags: [TAG],
        summary: 'Remove an identity provider and every identity linked through it',
        params: Type.Object({ id: short(32) }),
        response: { 204: Type.Null() },
      },
      config: superusers,
    },
    async (request, reply) => {
      await core.staff.removeProvider(request.caller.user, request.params.id);
      return reply.code(204).send(null);
    },
  );
};
