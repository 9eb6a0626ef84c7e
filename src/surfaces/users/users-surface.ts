import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Core } from '../../core/core.ts';
import { bearerToken } from '../shared/bearer.ts';
import { callerOf, clientMeta } from '../shared/caller.ts';
import { errorHandler } from '../shared/error-map.ts';
import type { RateLimits } from '../shared/rate-limits.ts';
import { fastApiRenderer, USERS_ERRORS } from './error-map.ts';
import { Detail, LoginBody, Me, Message, RegisterBody, ResetPasswordBody, TokenAnswer } from './schemas.ts';

export interface UsersSurfaceOptions {
  core: Core;
  limits: RateLimits;
  /** Access-token lifetime, seconds (`expires_in` is reported in minutes). */
  accessTtl: number;
}

const TAG = 'users (seeds 000, 001)';
const AT_LEAST_ONE = 'At least one of the following must be provided: first_name, last_name, phone_number';
const bearerAuth = [{ bearer: [] }];

function hasAny(...values: Array<string | null | undefined>): boolean {
  return values.some((v) => typeof v === 'string' && v.trim() !== '');
}

/** Seed 000/001's `/api/users/*`: email login, server-side refresh, FastAPI-shaped errors. */
export const usersSurface: FastifyPluginAsync<UsersSurfaceOptions> = async (fastify, { core, accessTtl, limits }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.setErrorHandler(errorHandler(fastApiRenderer(USERS_ERRORS)));
  const tokenAnswer = (accessToken: string) => ({ access_token: accessToken, token_type: 'bearer' as const, expires_in: Math.round(accessTtl / 60) });

  app.post('/register', { schema: { tags: [TAG], summary: 'Register with email and password', body: RegisterBody, response: { 200: Message, 400: Detail, 422: Detail } }, preHandler: limits.perIp('register') }, async (request, reply) => {
    const b = request.body;
    if (!hasAny(b.first_name, b.last_name, b.phone_number)) return reply.code(422).send({ detail: AT_LEAST_ONE });
    await core.accounts.register({ email: b.email, password: b.password, firstName: b.first_name, lastName: b.last_name, phone: b.phone_number });
    return { message: 'User registered successfully.' };
  });

  app.post('/login', { schema: { tags: [TAG], summary: 'Log in with email and password', body: LoginBody, response: { 200: TokenAnswer } }, preHandler: [limits.perIp('login'), limits.perAccount('login', 'email')] }, async (request, reply) => {
    const grant = await core.login.login({ by: 'email', identifier: request.body.email, password: request.body.password, accessTtl, ...clientMeta(request) });
    reply.header('cache-control', 'no-store');
    return tokenAnswer(grant.accessToken);
  });

  app.get('/me', { schema: { tags: [TAG], summary: 'The logged-in user', security: bearerAuth, response: { 200: Me } } }, async (request) => {
    const { user } = await callerOf(core, request);
    return { email: user.email, first_name: user.firstName, last_name: user.lastName, phone_number: user.phone };
  });

  app.post(
    '/logout',
    {
      schema: { tags: [TAG], summary: 'End the session of this token', security: bearerAuth, response: { 200: Message } },
      config: { errors: { SESSION_ENDED: [404, 'Token record not found'] } },
    },
    async (request) => {
      await core.sessions.logout(bearerToken(request.headers.authorization));
      return { message: 'You have been logged out.' };
    },
  );

  const refreshRefused = [403, 'Refresh token is invalid or expired'] as const;
  app.post(
    '/refresh_token',
    {
      schema: { tags: [TAG], summary: 'New access token for the (possibly expired) one presented', security: bearerAuth, response: { 200: TokenAnswer } },
      config: { errors: { SESSION_ENDED: refreshRefused, TOKEN_REUSED: refreshRefused, USER_NOT_FOUND: refreshRefused } },
      preHandler: limits.perIp('refresh'),
    },
    async (request, reply) => {
      const grant = await core.sessions.refreshWithAccessToken(bearerToken(request.headers.authorization), accessTtl);
      reply.header('cache-control', 'no-store');
      return tokenAnswer(grant.accessToken);
    },
  );

  app.post(
    '/reset_password',
    {
      schema: { tags: [TAG], summary: 'Set a new password given the old one (no login needed)', body: ResetPasswordBody, response: { 200: Message } },
      config: { errors: { USER_NOT_FOUND: [404, 'User not found'] } },
      preHandler: [limits.perIp('password'), limits.perAccount('password', 'email')],
    },
    async (request) => {
      const b = request.body;
      await core.accounts.resetWithOldPassword(b.email, b.old_password, b.new_password);
      return { message: 'Password has been reset successfully.' };
    },
  );
};
