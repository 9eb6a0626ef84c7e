import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Core } from '../../core/core.ts';
import type { User } from '../../core/ports/user-store.ts';
import { callerOf, clientMeta } from '../shared/caller.ts';
import { errorHandler } from '../shared/error-map.ts';
import type { RateLimits } from '../shared/rate-limits.ts';
import { naiveUtc } from '../shared/timestamps.ts';
import { fastApiRenderer } from '../users/error-map.ts';
import { AUTH_ERRORS, REFRESH_ERRORS } from './error-map.ts';
import { LoginAnswer, LoginBody, RefreshAnswer, RefreshBody, RegisterBody, UpdateMeBody, UserObject } from './schemas.ts';

export interface AuthSurfaceOptions {
  core: Core;
  limits: RateLimits;
  /** Access-token lifetime, seconds (30 minutes by default). */
  accessTtl: number;
}

const TAG = 'auth (seed 002)';
const bearerAuth = [{ bearer: [] }];
const SEED_002_PASSWORDS = { requireLetterAndDigit: true };

/** Seed 002's user object. */
function userObject(u: User) {
  return {
    username: u.username,
    email: u.email,
    nickname: u.nickname,
    _id: u.uuid,
    is_admin: u.isSuperuser,
    is_active: u.status === 'active',
    created_at: naiveUtc(u.createdAt),
    updated_at: naiveUtc(u.updatedAt),
  };
}

/** Seed 002's `/api/auth/*` and `/api/user/me`: username login, refresh token handed to the client. Mounted at `/api`. */
export const authSurface: FastifyPluginAsync<AuthSurfaceOptions> = async (fastify, { core, accessTtl, limits }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.setErrorHandler(errorHandler(fastApiRenderer(AUTH_ERRORS)));

  app.post('/auth/register', { schema: { tags: [TAG], summary: 'Register with username, email, password and nickname', body: RegisterBody, response: { 201: UserObject } }, preHandler: limits.perIp('register') }, async (request, reply) => {
    const { username, email, password, nickname } = request.body;
    const user = await core.accounts.register({ username, email, password, nickname }, SEED_002_PASSWORDS);
    return reply.code(201).send(userObject(user));
  });

  app.post('/auth/login', { schema: { tags: [TAG], summary: 'Log in with username and password', body: LoginBody, response: { 200: LoginAnswer } }, preHandler: [limits.perIp('login'), limits.perAccount('login', 'username')] }, async (request, reply) => {
    const grant = await core.login.login({ by: 'username', identifier: request.body.username, password: request.body.password, accessTtl, withRefreshToken: true, ...clientMeta(request) });
    reply.header('cache-control', 'no-store');
    return { access_token: grant.accessToken, refresh_token: grant.refreshToken!, token_type: 'bearer' as const };
  });

  app.post(
    '/auth/refresh',
    { schema: { tags: [TAG], summary: 'New access token for a refresh token', body: RefreshBody, response: { 200: RefreshAnswer } }, config: { errors: REFRESH_ERRORS }, preHandler: limits.perIp('refresh') },
    async (request, reply) => {
      const grant = await core.sessions.refreshWithRefreshToken(request.body.refresh_token, accessTtl, false);
      reply.header('cache-control', 'no-store');
      return { access_token: grant.accessToken, token_type: 'bearer' as const };
    },
  );

  app.get('/user/me', { schema: { tags: [TAG], summary: 'The logged-in user', security: bearerAuth, response: { 200: UserObject } } }, async (request) => {
    const { user } = await callerOf(core, request);
    return userObject(user);
  });

  app.put(
    '/user/me',
    { schema: { tags: [TAG], summary: 'Change email, nickname or password (a new password ends the other sessions)', security: bearerAuth, body: UpdateMeBody, response: { 200: UserObject } } },
    async (request) => {
      const { user, session } = await callerOf(core, request);
      const { email, nickname, password } = request.body;
      return userObject(await core.accounts.updateSelf(user, { email, nickname }, password, session.id, SEED_002_PASSWORDS));
    },
  );
};
