import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { RoleEntry } from '../../core/organizations/roles.ts';
import type { SurfaceOptions } from '../shared/surface.ts';

const TAG = 'admin (staff API)';
const superusers = { auth: 'superuser' } as const;

const RoleView = Type.Object({ name: Type.String(), description: Type.String(), built_in: Type.Boolean(), permissions: Type.Array(Type.String()) });
const roleView = (r: RoleEntry) => ({ name: r.name, description: r.description, built_in: r.builtIn, permissions: r.permissions });
const RoleParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) });

/**
 * `/api/admin/roles`: the organisation roles catalog. Superusers define custom
 * roles (named sets of the permissions their apps check); organisation owners
 * and admins only assign them (docs/organizations.md). Audited with the actor.
 */
export const roleRoutes: FastifyPluginAsync<SurfaceOptions> = async (fastify, { core }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/roles',
    {
      schema: {
        tags: [TAG],
        summary: 'The organisation roles: built-in, then custom with their permissions',
        response: { 200: Type.Object({ items: Type.Array(RoleView) }) },
      },
      config: superusers,
    },
    async () => ({ items: (await core.orgs.roles.list()).map(roleView) }),
  );

  app.put(
    '/roles/:name',
    {
      schema: {
        tags: [TAG],
        summary: 'Define or redefine a custom organisation role and its permissions',
        params: RoleParams,
        body: Type.Object(
          {
            permissions: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 100 }),
            description: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: RoleView },
      },
      config: superusers,
    },
    async (request) => {
      const role = await core.orgs.roles.define(request.params.name, request.body.permissions, request.body.description ?? '', request.caller.user);
      return { name: role.name, description: role.description, built_in: false, permissions: role.permissions };
    },
  );

  app.delete(
    '/roles/:name',
    {
      schema: {
        tags: [TAG],
        summary: 'Remove a custom role, and take it from every member and invitation',
        params: RoleParams,
        response: { 204: Type.Null() },
      },
      config: superusers,
    },
    async (request, reply) => {
      await core.orgs.roles.remove(request.params.name, request.caller.user);
      return reply.code(204).send(null);
    },
  );
};
