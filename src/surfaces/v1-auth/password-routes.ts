import type { FastifyInstance } from 'fastify';
import { type V1Deps, typed } from './deps.ts';
import { afterResponse } from '../shared/background.ts';
import { ChangePasswordBody, ForgotPasswordBody, ResetPasswordBody } from './schemas.ts';

/** Passwords: a change (with a code where the account has an authenticator app), forgot and reset. */
export function v1PasswordRoutes(fastify: FastifyInstance, { core, limits, style, tags }: V1Deps): void {
  const app = typed(fastify);
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
}
