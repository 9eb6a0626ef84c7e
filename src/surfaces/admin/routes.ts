import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { fail } from '../../core/errors.ts';
import { userView } from '../../core/user-view.ts';
import { useErrors } from '../shared/documented-answers.ts';
import { fastApiRenderer } from '../shared/fastapi-errors.ts';
import type { SurfaceOptions } from '../shared/surface.ts';
import { zuluOrNull, zuluUtc } from '../shared/timestamps.ts';
import { clientRoutes } from './clients-routes.ts';
import { UserViewSchema } from '../shared/webhook-docs.ts';
import { webhookRoutes } from './webhook-routes.ts';
import { roleRoutes } from './role-routes.ts';
import { providerRoutes } from './provider-routes.ts';
import { ADMIN_ERRORS } from './errors.ts';

const TAG = 'admin (staff API)';

const AdminUser = UserViewSchema;

const view = userView;

const AdminMfa = Type.Object({
  totp: Type.String({ description: 'none, pending or active' }),
  recovery_codes_left: Type.Integer(),
  passkeys: Type.Array(
    Type.Object({ id: Type.String(), name: Type.String(), created_at: Type.String(), last_used_at: Type.Union([Type.String(), Type.Null()]) }),
  ),
});

const UserParams = Type.Object({ uuid: Type.String({ format: 'uuid' }) });

/**
 * Staff API for superusers (`is_superuser`): list and search accounts, disable
 * or enable them, end their sessions. FastAPI-shaped errors.
 */
export const adminRoutes: FastifyPluginAsync<SurfaceOptions> = async (fastify, { core, config, limits, style }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  useErrors(app, fastApiRenderer(ADMIN_ERRORS));
  await app.register(clientRoutes, { core, config, limits, style });
  await app.register(webhookRoutes, { core, config, limits, style });
  await app.register(roleRoutes, { core, config, limits, style });
  await app.register(providerRoutes, { core, config, limits, style });

  // Every route here is for superusers only (declared on each route: the authentication hook reads it when the route is added).
  const superusers = { auth: 'superuser' } as const;

  const target = async (uuid: string) => {
    const user = await core.accounts.findByUuid(uuid);
    if (!user) throw fail('USER_NOT_FOUND');
    return user;
  };

  app.get(
    '/users',
    {
      schema: {
        tags: [TAG],
        summary: 'List accounts, newest id last; search by email or username',
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
          offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_147_483_647, default: 0 })),
          search: Type.Optional(Type.String({ maxLength: 254 })),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(AdminUser),
            limit: Type.Integer(),
            offset: Type.Integer(),
            next_offset: Type.Union([Type.Integer(), Type.Null()]),
          }),
        },
      },
      config: superusers,
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const offset = request.query.offset ?? 0;
      const users = await core.accounts.list(limit + 1, offset, request.query.search);
      return { items: users.slice(0, limit).map(view), limit, offset, next_offset: users.length > limit ? offset + limit : null };
    },
  );

  for (const [action, status] of [
    ['disable', 'disabled'],
    ['enable', 'active'],
  ] as const) {
    app.post(
      `/users/:uuid/${action}`,
      {
        schema: { tags: [TAG], summary: `${action[0]!.toUpperCase()}${action.slice(1)} an account`, params: UserParams, response: { 200: AdminUser } },
        config: superusers,
      },
      async (request) => view(await core.accounts.setStatus(await target(request.params.uuid), status)),
    );
  }

  app.patch(
    '/users/:uuid',
    {
      schema: {
        tags: [TAG],
        summary: 'Change an account: its email (unverified until the link mailed to it is opened) and its verified flags',
        params: UserParams,
        body: Type.Object(
          {
            email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
            is_email_verified: Type.Optional(Type.Boolean()),
            is_phone_verified: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: AdminUser },
      },
      config: superusers,
    },
    async (request) => {
      let user = await target(request.params.uuid);
      const { email, is_email_verified, is_phone_verified } = request.body;
      if (email !== undefined) user = await core.accounts.updateProfile(user, { email });
      if (is_email_verified !== undefined) user = await core.accounts.setVerified(user, 'email', is_email_verified);
      if (is_phone_verified !== undefined) user = await core.accounts.setVerified(user, 'phone', is_phone_verified);
      return view(user);
    },
  );

  app.delete(
    '/users/:uuid/sessions',
    {
      schema: { tags: [TAG], summary: 'End every session of an account', params: UserParams, response: { 200: Type.Object({ ended: Type.Integer() }) } },
      config: superusers,
    },
    async (request) => ({ ended: await core.sessions.endAllForUser((await target(request.params.uuid)).id) }),
  );

  app.get(
    '/users/:uuid/mfa',
    {
      schema: { tags: [TAG], summary: 'What second factors an account has enrolled', params: UserParams, response: { 200: AdminMfa } },
      config: superusers,
    },
    async (request) => {
      const status = await core.secondFactors.status((await target(request.params.uuid)).id);
      return {
        totp: status.totp,
        recovery_codes_left: status.recoveryCodesLeft,
        passkeys: status.passkeys.map((p) => ({ id: p.id, name: p.name, created_at: zuluUtc(p.createdAt), last_used_at: zuluOrNull(p.lastUsedAt) })),
      };
    },
  );

  app.delete(
    '/users/:uuid/mfa',
    {
      schema: {
        tags: [TAG],
        summary: 'Remove every second factor of an account (lost device): the password alone logs in until it enrols again; audited',
        params: UserParams,
        response: { 200: Type.Object({ reset: Type.Literal(true) }) },
      },
      config: superusers,
    },
    async (request) => {
      await core.secondFactors.reset((await target(request.params.uuid)).id);
      return { reset: true as const };
    },
  );
};
