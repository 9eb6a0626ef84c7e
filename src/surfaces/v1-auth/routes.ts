import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { fail } from '../../core/errors.ts';
import { afterResponse } from '../shared/background.ts';
import { BEARER_SECURITY, clientMeta } from '../shared/authentication.ts';
import { bearerToken } from '../shared/bearer.ts';
import { useErrors } from '../shared/documented-answers.ts';
import type { SurfaceOptions } from '../shared/surface.ts';
import {
  ChangePasswordBody,
  ForgotPasswordBody,
  JsonLoginBody,
  PhoneCodeBody,
  ResendVerificationBody,
  ResetPasswordBody,
  SessionParams,
  VerifyEmailBody,
} from './schemas.ts';
import { mfaRoutes } from './mfa-routes.ts';
import { STYLES, type RefreshResult } from './styles.ts';

type LoginFields = { username: string; password: string; remember_me?: boolean };

/**
 * `/api/v1/auth/*`, one set of routes for both styles: the listener's style
 * supplies the bodies, the error renderer, the token lifetime and the refresh policy.
 */
export const v1AuthRoutes: FastifyPluginAsync<SurfaceOptions> = async (fastify, { core, config, limits, style: styleName }) => {
  const style = STYLES[styleName];
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  useErrors(app, style.renderer);
  const accessTtl = style.accessTtl(config);
  const tags = [style.tag];

  app.post(
    '/register',
    { schema: { tags, summary: '用户注册', body: style.register.Body, response: { 201: style.register.Answer } }, preHandler: limits.perIp('register') },
    async (request, reply) => {
      const user = await core.accounts.register(style.register.input(request.body as Record<string, unknown>));
      return reply.code(201).send(style.register.view(user));
    },
  );

  const loginLimits = [limits.perIp('login'), limits.perAccount('login', 'username')];
  const login = async (body: LoginFields, meta: ReturnType<typeof clientMeta>) => {
    const grant = await core.login.login({
      by: 'either',
      identifier: body.username,
      password: body.password,
      rememberMe: body.remember_me ?? false,
      accessTtl,
      withRefreshToken: style.issuesRefreshTokens,
      // An enrolled account gets 403 MFA_REQUIRED with an mfa_token, finished at POST /mfa/verify.
      askSecondFactor: true,
      ...meta,
    });
    return style.login.view(grant, accessTtl);
  };
  app.post(
    '/login',
    {
      schema: {
        tags,
        summary: '用户登录（用户名或邮箱）；已启用两步验证的账户得到 403 与 mfa_token',
        consumes: style.login.consumes,
        body: style.login.Body,
        response: { 200: style.login.Answer, 403: style.Login403 },
      },
      preHandler: loginLimits,
    },
    async (request) => login(request.body as LoginFields, clientMeta(request)),
  );
  app.post(
    '/login/json',
    {
      schema: {
        tags,
        summary: '用户登录（JSON格式）；已启用两步验证的账户得到 403 与 mfa_token',
        body: JsonLoginBody,
        response: { 200: style.login.Answer, 403: style.Login403 },
      },
      preHandler: loginLimits,
    },
    async (request) => login(request.body, clientMeta(request)),
  );

  mfaRoutes(app, { core, style, accessTtl, tags, limits });

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

  app.post(
    '/change-password',
    {
      schema: { tags, summary: '修改密码（其他会话将被登出）', body: ChangePasswordBody, response: { 200: style.Said } },
      config: { auth: 'caller', errors: { STEP_UP_REQUIRED: style.renderer.map.STEP_UP_REQUIRED, MFA_CODE_INVALID: style.renderer.map.MFA_CODE_INVALID } },
      preHandler: limits.perIp('password'),
    },
    async (request) => {
      await core.accounts.changePassword(request.caller, request.body.old_password, request.body.new_password, request.body.code);
      return style.said('密码修改成功');
    },
  );

  app.post(
    '/forgot-password',
    {
      schema: { tags, summary: '忘记密码（发送重置邮件）', body: ForgotPasswordBody, response: { 200: style.Said } },
      preHandler: [limits.perIp('forgot'), limits.perAccount('forgot', 'email', 'every')],
    },
    async (request) => {
      const { email } = request.body;
      // The same answer, in the same time, whether or not the account exists.
      afterResponse(request.log, 'password reset mail', () => core.resets.request(email));
      return style.said('如果邮箱存在，重置链接已发送');
    },
  );

  app.post(
    '/reset-password',
    { schema: { tags, summary: '使用重置令牌重置密码', body: ResetPasswordBody, response: { 200: style.Said } }, preHandler: limits.perIp('reset') },
    async (request) => {
      await core.resets.reset(request.body.token, request.body.new_password);
      return style.said('密码重置成功');
    },
  );

  // Email verification: the mailed link's token, or the mailed code with the address.
  app.post(
    '/verify-email',
    {
      schema: { tags, summary: '验证邮箱（邮件中的令牌，或邮箱加 6 位验证码）', body: VerifyEmailBody, response: { 200: style.Said } },
      preHandler: limits.perIp('reset'),
    },
    async (request) => {
      const body = request.body as { token?: string; email?: string; code?: string };
      if (body.token !== undefined) await core.verification.confirmToken(body.token);
      else await core.verification.confirmCode('email', body.email!, body.code!);
      return style.said('邮箱验证成功');
    },
  );

  app.post(
    '/resend-verification',
    {
      schema: { tags, summary: '重新发送验证邮件', body: ResendVerificationBody, response: { 200: style.Said } },
      preHandler: [limits.perIp('forgot'), limits.perAccount('forgot', 'email', 'every')],
    },
    async (request) => {
      const { email } = request.body;
      // The same answer, in the same time, whatever the account's state.
      afterResponse(request.log, 'verification mail', () => core.verification.resend(email));
      return style.said('如果该邮箱已注册且未验证，验证邮件已发送');
    },
  );

  // Phone verification, for the logged-in user: a code by SMS, then the code.
  app.post(
    '/verify-phone/send',
    { schema: { tags, summary: '发送手机验证码（短信）', response: { 200: style.Said } }, config: { auth: 'caller' }, preHandler: limits.perIp('forgot') },
    async (request) => {
      await core.verification.start(request.caller.user, 'phone');
      return style.said('验证码已发送');
    },
  );
  app.post(
    '/verify-phone',
    {
      schema: { tags, summary: '验证手机号（短信中的 6 位验证码）', body: PhoneCodeBody, response: { 200: style.Said } },
      config: { auth: 'caller' },
      preHandler: limits.perIp('reset'),
    },
    async (request) => {
      await core.verification.confirmCodeFor(request.caller.user, 'phone', request.body.code);
      return style.said('手机号验证成功');
    },
  );

  // Gatehouse's addition: a user's own sessions (devices), and ending them.
  app.get(
    '/sessions',
    { schema: { tags, summary: '当前用户的会话（设备）列表', response: { 200: style.sessions.Answer } }, config: { auth: 'caller' } },
    async (request) => {
      const { user, session } = request.caller;
      return style.sessions.view(await core.sessions.listForUser(user.id), session.id);
    },
  );
  app.delete(
    '/sessions/:id',
    {
      schema: { tags, summary: '结束自己的某个会话', params: SessionParams, response: { 200: style.Said } },
      config: { auth: 'caller', errors: { NOT_FOUND: [404, '会话不存在', 'SESSION_NOT_FOUND'] } },
    },
    async (request) => {
      if (!(await core.sessions.endOwn(request.caller.user.id, request.params.id))) throw fail('NOT_FOUND');
      return style.said('会话已结束');
    },
  );
  app.delete(
    '/sessions',
    { schema: { tags, summary: '结束除当前会话外的所有会话', response: { 200: style.sessions.Ended } }, config: { auth: 'caller' } },
    async (request) => {
      const { user, session } = request.caller;
      return style.sessions.ended(await core.sessions.endAllForUser(user.id, session.id));
    },
  );
};
