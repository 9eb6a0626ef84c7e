import type { FastifyInstance } from 'fastify';
import { fail } from '../../core/errors.ts';
import type { CodeAddress } from '../../core/one-time-codes.ts';
import { clientMeta } from '../shared/authentication.ts';
import { answersIn } from './styles.ts';
import { type V1Deps, typed } from './deps.ts';
import { OtpLoginBody, OtpSendBody } from './schemas.ts';

/** `{phone}` or `{email}`, exactly one. */
function addressOf(body: { phone?: string; email?: string }): CodeAddress {
  if ((body.phone === undefined) === (body.email === undefined)) throw fail('VALIDATION_FAILED', '需要 phone 或 email 之一', 'phone');
  return body.phone !== undefined ? { phone: body.phone } : { email: body.email as string };
}

/**
 * A code to the phone or the mailbox as a way in: `otp/send` texts or mails a
 * code where it can be used (the same answer where it cannot), `otp/login`
 * answers exactly what `login/json` answers for that account (tokens, or 403
 * with an mfa_token).
 */
export function v1OtpRoutes(fastify: FastifyInstance, { core, limits, style, accessTtl, tags }: V1Deps): void {
  const app = typed(fastify);
  const answers = answersIn(style);

  app.post(
    '/otp/send',
    {
      schema: {
        tags,
        summary: '发送登录验证码（短信或邮件）；无论账户是否存在，答复相同',
        body: OtpSendBody,
        response: { 200: style.Said },
      },
      config: { errors: answers('RATE_LIMITED', 'SMS_BUDGET_EXHAUSTED', 'STORE_UNAVAILABLE') },
      preHandler: limits.perIp('otp'),
    },
    async (request) => {
      await core.oneTimeCodes.send(addressOf(request.body), { ip: request.ip });
      return style.said('如果该手机号或邮箱可以登录，验证码已发送');
    },
  );

  app.post(
    '/otp/login',
    {
      schema: {
        tags,
        summary: '用登录验证码登录；答复与 /login/json 相同（已启用两步验证的账户得到 403 与 mfa_token）',
        body: OtpLoginBody,
        response: { 200: style.login.Answer, 403: style.Login403 },
      },
      config: { errors: answers('OTP_INVALID', 'RATE_LIMITED') },
      preHandler: limits.perIp('login'),
    },
    async (request) => {
      const { code, remember_me } = request.body;
      const grant = await core.oneTimeCodes.signIn(addressOf(request.body), code, {
        rememberMe: remember_me ?? false,
        accessTtl,
        withRefreshToken: style.issuesRefreshTokens,
        // An enrolled account gets 403 MFA_REQUIRED with an mfa_token, finished at POST /mfa/verify.
        askSecondFactor: true,
        ...clientMeta(request),
      });
      return style.login.view(grant, accessTtl);
    },
  );
}
