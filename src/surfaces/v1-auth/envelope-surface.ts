import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { User } from '../../core/ports/user-store.ts';
import { afterResponse } from '../shared/background.ts';
import { bearerToken } from '../shared/bearer.ts';
import { callerOf, clientMeta } from '../shared/caller.ts';
import { envelopeRenderer, ok } from '../shared/envelope.ts';
import { errorHandler } from '../shared/error-map.ts';
import { zuluUtc } from '../shared/timestamps.ts';
import { V1_ENVELOPE_ERRORS } from './error-maps.ts';
import type { V1AuthOptions } from './plain-surface.ts';
import { ChangePasswordBody, EnvelopeRefreshBody, EnvelopeRegisterBody, ForgotPasswordBody, JsonLoginBody, ResetPasswordBody } from './schemas.ts';
import { profile } from './views.ts';

const TAG = 'v1-auth (seed 003 envelope style)';
const bearerAuth = [{ bearer: [] }];
const Text = Type.Union([Type.String(), Type.Null()]);
const envelope = (data: Parameters<typeof Type.Object>[0] | null) =>
  Type.Object({ status: Type.Literal('success'), message: Type.String(), data: data ? Type.Object(data) : Type.Null() });
const TokenData = { access_token: Type.String(), refresh_token: Type.String(), token_type: Type.Literal('bearer'), expires_in: Type.Integer() };
const NoData = envelope(null);

const registered = (u: User) => ({ uuid: u.uuid, username: u.username, full_name: u.fullName, email: u.email, created_at: zuluUtc(u.createdAt) });

/** `/api/v1/auth/*` in seed 003's `{status, message, data}` envelope, with rotating refresh tokens (V1_AUTH_STYLE=envelope). */
export const v1AuthEnvelopeSurface: FastifyPluginAsync<V1AuthOptions> = async (fastify, { core, accessTtl, limits }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.setErrorHandler(errorHandler(envelopeRenderer(V1_ENVELOPE_ERRORS)));

  app.post(
    '/register',
    { schema: { tags: [TAG], summary: '注册', body: EnvelopeRegisterBody, response: { 201: envelope({ uuid: Type.String(), username: Text, full_name: Text, email: Text, created_at: Type.String() }) } }, preHandler: limits.perIp('register') },
    async (request, reply) => {
      const b = request.body;
      const user = await core.accounts.register({ username: b.username, password: b.password, fullName: b.full_name, email: b.email });
      return reply.code(201).send(ok('注册成功', registered(user)));
    },
  );

  const login = async (identifier: string, password: string, rememberMe: boolean, meta: ReturnType<typeof clientMeta>) => {
    const grant = await core.login.login({ by: 'either', identifier, password, rememberMe, accessTtl, withRefreshToken: true, ...meta });
    return ok('登录成功', { access_token: grant.accessToken, refresh_token: grant.refreshToken!, token_type: 'bearer' as const, expires_in: accessTtl });
  };
  for (const path of ['/login', '/login/json']) {
    app.post(path, { schema: { tags: [TAG], summary: '登录', body: JsonLoginBody, response: { 200: envelope(TokenData) } }, preHandler: [limits.perIp('login'), limits.perAccount('login', 'username')] }, async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return login(request.body.username, request.body.password, request.body.remember_me ?? false, clientMeta(request));
    });
  }

  app.post('/refresh', { schema: { tags: [TAG], summary: '刷新令牌（refresh_token 轮换）', body: EnvelopeRefreshBody, response: { 200: envelope(TokenData) } }, preHandler: limits.perIp('refresh') }, async (request, reply) => {
    const grant = await core.sessions.refreshWithRefreshToken(request.body.refresh_token, accessTtl, true);
    reply.header('cache-control', 'no-store');
    return ok('令牌刷新成功', { access_token: grant.accessToken, refresh_token: grant.refreshToken!, token_type: 'bearer' as const, expires_in: accessTtl });
  });

  app.post('/logout', { schema: { tags: [TAG], summary: '登出', security: bearerAuth, response: { 200: NoData } } }, async (request) => {
    await core.sessions.logout(bearerToken(request.headers.authorization));
    return ok('登出成功', null);
  });

  app.get('/me', { schema: { tags: [TAG], summary: '当前用户', security: bearerAuth } }, async (request) => {
    const { user } = await callerOf(core, request);
    return ok('获取用户信息成功', { uuid: user.uuid, ...profile(user) });
  });

  app.post('/change-password', { schema: { tags: [TAG], summary: '修改密码', security: bearerAuth, body: ChangePasswordBody, response: { 200: NoData } }, preHandler: limits.perIp('password') }, async (request) => {
    const { user, session } = await callerOf(core, request);
    await core.accounts.changePassword(user, request.body.old_password, request.body.new_password, session.id);
    return ok('密码修改成功', null);
  });

  app.post('/forgot-password', { schema: { tags: [TAG], summary: '忘记密码', body: ForgotPasswordBody, response: { 200: NoData } }, preHandler: [limits.perIp('forgot'), limits.perAccount('forgot', 'email')] }, async (request) => {
    const { email } = request.body;
    afterResponse(request.log, 'password reset mail', () => core.resets.request(email));
    return ok('如果邮箱存在，重置链接已发送', null);
  });

  app.post('/reset-password', { schema: { tags: [TAG], summary: '重置密码', body: ResetPasswordBody, response: { 200: NoData } }, preHandler: limits.perIp('reset') }, async (request) => {
    await core.resets.reset(request.body.token, request.body.new_password);
    return ok('密码重置成功', null);
  });
};
