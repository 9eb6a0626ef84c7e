import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Core } from '../../core/core.ts';
import { fail } from '../../core/errors.ts';
import { Type } from 'typebox';
import { afterResponse } from '../shared/background.ts';
import { zuluUtc } from '../shared/timestamps.ts';
import { bearerToken } from '../shared/bearer.ts';
import { callerOf, clientMeta } from '../shared/caller.ts';
import { errorHandler } from '../shared/error-map.ts';
import type { RateLimits } from '../shared/rate-limits.ts';
import { v1PlainRenderer } from './error-maps.ts';
import {
  ChangePasswordBody,
  ForgotPasswordBody,
  JsonLoginBody,
  LoginAnswer,
  LoginBody,
  Message,
  Profile,
  RefreshAnswer,
  RefreshBody,
  RegisterBody,
  RegisteredUser,
  ResetPasswordBody,
} from './schemas.ts';
import { loginUser, profile, refreshUser, registeredUser } from './views.ts';

export interface V1AuthOptions {
  core: Core;
  limits: RateLimits;
  /** Access-token lifetime, seconds (3600). */
  accessTtl: number;
}

const TAG = 'v1-auth (seed 004)';
const bearerAuth = [{ bearer: [] }];

/** Seed 004's `/api/v1/auth/*` in its plain shapes, with the seed's Chinese messages. */
export const v1AuthPlainSurface: FastifyPluginAsync<V1AuthOptions> = async (fastify, { core, accessTtl, limits }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.setErrorHandler(errorHandler(v1PlainRenderer));

  app.post('/register', { schema: { tags: [TAG], summary: '用户注册', body: RegisterBody, response: { 201: RegisteredUser } }, preHandler: limits.perIp('register') }, async (request, reply) => {
    const b = request.body;
    if (b.confirm_password !== b.password) throw fail('VALIDATION_FAILED', '两次输入的密码不一致');
    const user = await core.accounts.register({ username: b.username, email: b.email, password: b.password, fullName: b.full_name, phone: b.phone });
    return reply.code(201).send(registeredUser(user));
  });

  const loginLimits = [limits.perIp('login'), limits.perAccount('login', 'username')];
  const login = async (identifier: string, password: string, rememberMe: boolean, meta: ReturnType<typeof clientMeta>) => {
    const grant = await core.login.login({ by: 'either', identifier, password, rememberMe, accessTtl, ...meta });
    return { access_token: grant.accessToken, token_type: 'bearer' as const, expires_in: accessTtl, user: loginUser(grant.user) };
  };

  app.post(
    '/login',
    { schema: { tags: [TAG], summary: '用户登录（表单格式，用户名或邮箱）', consumes: ['application/x-www-form-urlencoded'], body: LoginBody, response: { 200: LoginAnswer } }, preHandler: loginLimits },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return login(request.body.username, request.body.password, false, clientMeta(request));
    },
  );

  app.post('/login/json', { schema: { tags: [TAG], summary: '用户登录（JSON格式）', body: JsonLoginBody, response: { 200: LoginAnswer } }, preHandler: loginLimits }, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    return login(request.body.username, request.body.password, request.body.remember_me ?? false, clientMeta(request));
  });

  app.post('/logout', { schema: { tags: [TAG], summary: '用户登出', security: bearerAuth, response: { 200: Message } } }, async (request) => {
    await core.sessions.logout(bearerToken(request.headers.authorization));
    return { message: '登出成功' };
  });

  app.get('/me', { schema: { tags: [TAG], summary: '获取当前用户信息', security: bearerAuth, response: { 200: Profile } } }, async (request) => {
    const { user } = await callerOf(core, request);
    return profile(user);
  });

  app.post(
    '/refresh',
    {
      schema: { tags: [TAG], summary: '刷新访问令牌（当前有效令牌，或 refresh_token）', security: bearerAuth, body: RefreshBody, response: { 200: RefreshAnswer } },
      // The seed's refresh sends no body at all; treat that as an empty object.
      preValidation: async (request) => {
        request.body ??= {};
      },
      preHandler: limits.perIp('refresh'),
    },
    async (request, reply) => {
      const refreshToken = request.body.refresh_token;
      let grant;
      if (refreshToken) {
        grant = await core.sessions.refreshWithRefreshToken(refreshToken, accessTtl, false);
      } else {
        // The presented access token must be live, and stops working once replaced.
        grant = await core.sessions.refreshWithAccessToken(bearerToken(request.headers.authorization), accessTtl, { allowExpired: false, revokePresented: true });
      }
      reply.header('cache-control', 'no-store');
      return { access_token: grant.accessToken, token_type: 'bearer' as const, expires_in: accessTtl, user: refreshUser(grant.user) };
    },
  );

  app.post('/change-password', { schema: { tags: [TAG], summary: '修改密码（其他会话将被登出）', security: bearerAuth, body: ChangePasswordBody, response: { 200: Message } }, preHandler: limits.perIp('password') }, async (request) => {
    const { user, session } = await callerOf(core, request);
    await core.accounts.changePassword(user, request.body.old_password, request.body.new_password, session.id);
    return { message: '密码修改成功' };
  });

  app.post('/forgot-password', { schema: { tags: [TAG], summary: '忘记密码（发送重置邮件）', body: ForgotPasswordBody, response: { 200: Message } }, preHandler: [limits.perIp('forgot'), limits.perAccount('forgot', 'email')] }, async (request) => {
    const { email } = request.body;
    afterResponse(request.log, 'password reset mail', () => core.resets.request(email));
    return { message: '如果邮箱存在，重置链接已发送' };
  });

  // Gatehouse's addition: a user's own sessions (devices), and ending them.
  const SessionView = Type.Object({
    id: Type.String(),
    created_at: Type.String(),
    last_seen_at: Type.String(),
    expires_at: Type.String(),
    ip: Type.Union([Type.String(), Type.Null()]),
    user_agent: Type.Union([Type.String(), Type.Null()]),
    remember_me: Type.Boolean(),
    current: Type.Boolean(),
  });
  app.get('/sessions', { schema: { tags: [TAG], summary: '当前用户的会话（设备）列表', security: bearerAuth, response: { 200: Type.Array(SessionView) } } }, async (request) => {
    const { user, session: current } = await callerOf(core, request);
    return (await core.sessions.listForUser(user.id)).map((s) => ({
      id: s.id,
      created_at: zuluUtc(s.createdAt),
      last_seen_at: zuluUtc(s.lastSeenAt),
      expires_at: zuluUtc(s.expiresAt),
      ip: s.ip,
      user_agent: s.userAgent,
      remember_me: s.rememberMe,
      current: s.id === current.id,
    }));
  });
  app.delete(
    '/sessions/:id',
    { schema: { tags: [TAG], summary: '结束自己的某个会话', security: bearerAuth, params: Type.Object({ id: Type.String({ maxLength: 64 }) }), response: { 200: Message } }, config: { errors: { NOT_FOUND: [404, '会话不存在'] } } },
    async (request) => {
      const { user } = await callerOf(core, request);
      if (!(await core.sessions.endOwn(user.id, request.params.id))) throw fail('NOT_FOUND');
      return { message: '会话已结束' };
    },
  );
  app.delete('/sessions', { schema: { tags: [TAG], summary: '结束除当前会话外的所有会话', security: bearerAuth, response: { 200: Type.Object({ message: Type.String(), ended: Type.Integer() }) } } }, async (request) => {
    const { user, session } = await callerOf(core, request);
    return { message: '其他会话已结束', ended: await core.sessions.endAllForUser(user.id, session.id) };
  });

  app.post('/reset-password', { schema: { tags: [TAG], summary: '使用重置令牌重置密码', body: ResetPasswordBody, response: { 200: Message } }, preHandler: limits.perIp('reset') }, async (request) => {
    await core.resets.reset(request.body.token, request.body.new_password);
    return { message: '密码重置成功' };
  });
};
