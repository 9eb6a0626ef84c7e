import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from 'typebox';
import { useErrors } from '../shared/documented-answers.ts';
import type { SurfaceOptions } from '../shared/surface.ts';
import { memberRoutes } from './member-routes.ts';
import { Listed, MeView, MyOrgView, NewOrg, OrgChange, OrgParams, OrgView, Page, RoleView } from './schemas.ts';
import { ORGS_STYLES } from './styles.ts';
import { myOrgView, orgView, page, roleView } from './views.ts';

/**
 * `/api/v1/orgs`: organisations for apps, everything by uuid, the caller's
 * roles deciding (403 ORG_FORBIDDEN for a member without the right, 404 for a
 * non-member). Plain or envelope per listener, as `/api/v1/auth`.
 */
export const orgsRoutes: FastifyPluginAsync<SurfaceOptions> = async (fastify, options) => {
  const { core, limits, style: styleName } = options;
  const style = ORGS_STYLES[styleName];
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  useErrors(app, style.renderer);
  const tags = [style.tag];
  const caller = { auth: 'caller' } as const;
  const Gone: Record<number, TSchema> = styleName === 'plain' ? { 204: Type.Null() } : { 200: style.Data(Type.Null()) };
  const gone = (reply: { code(status: number): unknown }, message: string) => {
    if (styleName === 'plain') {
      reply.code(204);
      return null;
    }
    return style.data(message, null);
  };

  app.post(
    '',
    { schema: { tags, summary: 'Create an organisation; the caller becomes its owner', body: NewOrg, response: { 201: style.Data(OrgView) } }, config: caller },
    async (request, reply) => {
      const org = await core.orgs.organizations.create(request.body, request.caller.user);
      reply.code(201);
      return style.data('组织已创建', orgView(org));
    },
  );

  app.get(
    '',
    {
      schema: { tags, summary: "The caller's organisations, with its roles in each", querystring: Page, response: { 200: style.Data(Listed(MyOrgView)) } },
      config: caller,
    },
    async (request) => {
      const { limit = 50, offset = 0 } = request.query;
      const rows = await core.orgs.organizations.mine(request.caller.user.id, limit + 1, offset);
      return style.data('获取组织列表成功', page(rows, limit, offset, myOrgView));
    },
  );

  app.get(
    '/roles',
    {
      schema: {
        tags,
        summary: 'The roles catalog: built-in roles, and the custom roles superusers define with their permissions',
        response: { 200: style.Data(Type.Array(RoleView)) },
      },
      config: caller,
    },
    async () => style.data('获取角色列表成功', (await core.orgs.roles.list()).map(roleView)),
  );

  app.get(
    '/:org',
    { schema: { tags, summary: 'One organisation (members only)', params: OrgParams, response: { 200: style.Data(OrgView) } }, config: caller },
    async (request) => style.data('获取组织成功', orgView((await core.orgs.organizations.get(request.params.org, request.caller.user)).org)),
  );

  app.patch(
    '/:org',
    {
      schema: {
        tags,
        summary: 'Rename an organisation or change its slug (owners and admins)',
        params: OrgParams,
        body: OrgChange,
        response: { 200: style.Data(OrgView) },
      },
      config: caller,
    },
    async (request) => style.data('组织已更新', orgView(await core.orgs.organizations.update(request.params.org, request.body, request.caller.user))),
  );

  app.delete(
    '/:org',
    { schema: { tags, summary: 'Delete an organisation with its memberships and invitations (owners)', params: OrgParams, response: Gone }, config: caller },
    async (request, reply) => {
      await core.orgs.organizations.delete(request.params.org, request.caller.user);
      return gone(reply, '组织已删除');
    },
  );

  app.get(
    '/:org/me',
    {
      schema: {
        tags,
        summary: "The caller's roles in the organisation and the permissions they carry",
        params: OrgParams,
        response: { 200: style.Data(MeView) },
      },
      config: caller,
    },
    async (request) => {
      const mine = await core.orgs.members.mine(request.params.org, request.caller.user);
      return style.data('获取成员信息成功', { organization: orgView(mine.org), roles: mine.roles, permissions: mine.permissions });
    },
  );

  memberRoutes(app, { core, limits, style, tags, gone, Gone });
};
