import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { TSchema } from 'typebox';
import type { Core } from '../../core/core.ts';
import {
  AcceptBody,
  AcceptedView,
  InvitationParams,
  InvitationView,
  Listed,
  MemberParams,
  MemberView,
  NewInvitation,
  OrgParams,
  Page,
  RolesBody,
} from './schemas.ts';
import type { RateLimits } from '../shared/rate-limits.ts';
import type { OrgsStyle } from './styles.ts';
import { invitationView, memberView, orgView, page } from './views.ts';

interface Parts {
  core: Core;
  limits: RateLimits;
  style: OrgsStyle;
  tags: string[];
  gone(reply: { code(status: number): unknown }, message: string): unknown;
  Gone: Record<number, TSchema>;
}

/** Members and invitations of an organisation, and accepting an invitation. */
export function memberRoutes(fastify: FastifyInstance, { core, limits, style, tags, gone, Gone }: Parts): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const caller = { auth: 'caller' } as const;

  app.get(
    '/:org/members',
    {
      schema: {
        tags,
        summary: 'The members and their roles (any member)',
        params: OrgParams,
        querystring: Page,
        response: { 200: style.Data(Listed(MemberView)) },
      },
      config: caller,
    },
    async (request) => {
      const { limit = 50, offset = 0 } = request.query;
      const rows = await core.orgs.members.list(request.params.org, request.caller.user, limit + 1, offset);
      return style.data('获取成员列表成功', page(rows, limit, offset, memberView));
    },
  );

  app.patch(
    '/:org/members/:user',
    {
      schema: {
        tags,
        summary: "Set a member's roles (owners and admins; owners alone give or take the owner role)",
        params: MemberParams,
        body: RolesBody,
        response: { 200: style.Data(MemberView) },
      },
      config: caller,
    },
    async (request) =>
      style.data(
        '成员角色已更新',
        memberView(await core.orgs.members.setRoles(request.params.org, request.params.user, request.body.roles, request.caller.user)),
      ),
  );

  app.delete(
    '/:org/members/:user',
    {
      schema: {
        tags,
        summary: 'Remove a member (owners and admins), or leave (the caller itself); the last owner stays (409 LAST_OWNER)',
        params: MemberParams,
        response: Gone,
      },
      config: caller,
    },
    async (request, reply) => {
      await core.orgs.members.remove(request.params.org, request.params.user, request.caller.user);
      return gone(reply, '成员已移除');
    },
  );

  app.post(
    '/:org/invitations',
    {
      schema: {
        tags,
        summary: 'Invite by email with roles (owners and admins); the link is mailed, limited per organisation per hour',
        params: OrgParams,
        body: NewInvitation,
        response: { 201: style.Data(InvitationView) },
      },
      config: { ...caller, errors: { RATE_LIMITED: style.renderer.map.RATE_LIMITED } },
      // Each invitation is a mail: per address too, as every mail-sending route (the hourly budget per organisation is the core's).
      preHandler: limits.perIp('forgot'),
    },
    async (request, reply) => {
      const invitation = await core.orgs.invitations.invite(request.params.org, request.body, request.caller.user);
      reply.code(201);
      return style.data('邀请已发送', invitationView(invitation));
    },
  );

  app.get(
    '/:org/invitations',
    {
      schema: {
        tags,
        summary: 'Invitations not yet accepted (owners and admins)',
        params: OrgParams,
        querystring: Page,
        response: { 200: style.Data(Listed(InvitationView)) },
      },
      config: caller,
    },
    async (request) => {
      const { limit = 50, offset = 0 } = request.query;
      const rows = await core.orgs.invitations.list(request.params.org, request.caller.user, limit + 1, offset);
      return style.data('获取邀请列表成功', page(rows, limit, offset, invitationView));
    },
  );

  app.delete(
    '/:org/invitations/:id',
    { schema: { tags, summary: 'Revoke an invitation (owners and admins)', params: InvitationParams, response: Gone }, config: caller },
    async (request, reply) => {
      await core.orgs.invitations.revoke(request.params.org, request.params.id, request.caller.user);
      return gone(reply, '邀请已撤销');
    },
  );

  app.post(
    '/invitations/accept',
    {
      schema: {
        tags,
        summary: "Accept an invitation with the mailed token: the caller's verified email must be the invited address",
        body: AcceptBody,
        response: { 200: style.Data(AcceptedView) },
      },
      config: {
        ...caller,
        errors: {
          INVITATION_INVALID: style.renderer.map.INVITATION_INVALID,
          INVITATION_EMAIL_MISMATCH: style.renderer.map.INVITATION_EMAIL_MISMATCH,
          EMAIL_NOT_VERIFIED: style.renderer.map.EMAIL_NOT_VERIFIED,
        },
      },
    },
    async (request) => {
      const { org, membership } = await core.orgs.invitations.accept(request.body.token, request.caller.user);
      return style.data('已加入组织', { organization: orgView(org), roles: membership.roles });
    },
  );
}
