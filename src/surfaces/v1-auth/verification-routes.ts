import type { FastifyInstance } from 'fastify';
import { type V1Deps, typed } from './deps.ts';
import { fail } from '../../core/errors.ts';
import { afterResponse } from '../shared/background.ts';
import { PhoneCodeBody, ResendVerificationBody, SessionParams, VerifyEmailBody } from './schemas.ts';

/** Verifying the email (link or code) and the phone (a texted code); the user's own sessions, listed and ended. */
export function v1VerificationRoutes(fastify: FastifyInstance, { core, limits, style, tags }: V1Deps): void {
  const app = typed(fastify);
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
}
