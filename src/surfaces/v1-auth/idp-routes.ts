import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { clientMeta } from '../shared/authentication.ts';
import { answersIn } from './styles.ts';
import { type V1Deps, typed } from './deps.ts';

const IdTokenBody = Type.Object(
  {
    id_token: Type.String({ minLength: 1, maxLength: 8192 }),
    nonce: Type.String({ minLength: 1, maxLength: 256 }),
    remember_me: Type.Optional(Type.Boolean()),
  },
  { examples: [{ id_token: 'eyJhbGciOiJSUzI1NiIs…', nonce: 'n-0S6_WzA2Mj' }] },
);

/**
 * Native apps with the platform's own provider button (Google, Apple): the
 * id_token the SDK gave them, for Gatehouse's tokens — the same answer as
 * `login/json` (tokens, or 403 with an mfa_token). 409 IDENTITY_LINK_REQUIRED
 * when the email belongs to an account not linked to this identity (it is
 * linked on the hosted pages, where the account can be proved).
 */
export function v1IdpRoutes(fastify: FastifyInstance, { core, limits, style, accessTtl, tags }: V1Deps): void {
  const app = typed(fastify);
  const answers = answersIn(style);
  app.post(
    '/idp/:id/token',
    {
      schema: {
        tags,
        summary: '用身份提供方（Google、Apple 等）签发给原生应用的 id_token 登录；答复与 /login/json 相同',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 32 }) }),
        body: IdTokenBody,
        response: { 200: style.login.Answer, 403: style.Login403 },
      },
      config: { errors: answers('UPSTREAM_FAILED', 'IDENTITY_LINK_REQUIRED', 'IDENTITY_NOT_ALLOWED', 'NOT_FOUND') },
      preHandler: limits.perIp('login'),
    },
    async (request) => {
      const { id_token, nonce, remember_me } = request.body;
      const grant = await core.identities.signInWithIdToken(request.params.id, id_token, nonce, {
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
