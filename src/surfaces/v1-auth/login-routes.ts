import type { FastifyInstance } from 'fastify';
import { type V1Deps, typed } from './deps.ts';
import { clientMeta } from '../shared/authentication.ts';
import { JsonLoginBody } from './schemas.ts';

type LoginFields = { username: string; password: string; remember_me?: boolean };

/** Registering and logging in (form and JSON); an enrolled account gets 403 with an mfa_token. */
export function v1LoginRoutes(fastify: FastifyInstance, { core, limits, style, accessTtl, tags }: V1Deps): void {
  const app = typed(fastify);
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
}
