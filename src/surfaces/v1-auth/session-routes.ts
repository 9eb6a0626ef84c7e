import type { FastifyInstance } from 'fastify';
import { type V1Deps, typed } from './deps.ts';
import { BEARER_SECURITY } from '../shared/authentication.ts';
import { bearerToken } from '../shared/bearer.ts';
import type { RefreshResult } from './styles.ts';

/** The session a login started: logout, who am I, refresh (by refresh token or a live access token). */
export function v1SessionRoutes(fastify: FastifyInstance, { core, config, limits, style, accessTtl, tags }: V1Deps): void {
  const app = typed(fastify);
  // Logout checks the token itself: any live token of the session ends the whole session.
  app.post(
    '/logout',
    { schema: { tags, summary: '用户登出（结束该令牌所属的会话）', security: BEARER_SECURITY, response: { 200: style.Said } } },
    async (request) => {
      await core.sessions.logout(bearerToken(request.headers.authorization));
      return style.said('登出成功');
    },
  );

  app.get('/me', { schema: { tags, summary: '获取当前用户信息', response: { 200: style.me.Answer } }, config: { auth: 'caller' } }, async (request) =>
    style.me.view(request.caller.user),
  );

  app.post(
    '/refresh',
    {
      schema: {
        tags,
        summary: '刷新访问令牌（refresh_token，或当前有效的访问令牌）',
        security: BEARER_SECURITY,
        body: style.refresh.Body,
        response: { 200: style.refresh.Answer },
      },
      // Seed 004's refresh sends no body at all; treat that as an empty object.
      preValidation: async (request) => {
        request.body ??= {};
      },
      preHandler: limits.perIp('refresh'),
    },
    async (request) => {
      const presented = (request.body as { refresh_token?: string }).refresh_token;
      let result: RefreshResult;
      if (presented) {
        const grant = await core.sessions.refreshWithRefreshToken(presented, accessTtl, style.rotatesRefreshTokens(config));
        // Without rotation the presented refresh token stays the one to keep.
        result = { accessToken: grant.accessToken, refreshToken: grant.refreshToken ?? presented, user: grant.user };
      } else {
        // A live access token refreshes; it keeps working until its own expiry.
        const grant = await core.sessions.refreshWithAccessToken(bearerToken(request.headers.authorization), accessTtl, { mayBeExpired: false });
        result = { accessToken: grant.accessToken, refreshToken: undefined, user: grant.user };
      }
      return style.refresh.view(result, accessTtl);
    },
  );
}
