import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { BEARER_SECURITY, clientMeta } from '../shared/authentication.ts';
import { bearerToken } from '../shared/bearer.ts';
import { useErrors } from '../shared/documented-answers.ts';
import { fastApiRenderer } from '../shared/fastapi-errors.ts';
import type { SurfaceOptions } from '../shared/surface.ts';
import { LOGOUT_ERRORS, REFRESH_ERRORS, USERS_ERRORS } from './errors.ts';
import { Detail, LoginBody, Me, Message, RegisterBody, ResetPasswordBody, TokenAnswer } from './schemas.ts';

const TAG = 'users (email login, refresh by access token)';
const AT_LEAST_ONE = 'At least one of the following must be provided: first_name, last_name, phone_number';

function hasAny(...values: Array<string | null | undefined>): boolean {
  return values.some((v) => typeof v === 'string' && v.trim() !== '');
}

/** Seed 000/001's `/api/users/*`: email login, server-side refresh, FastAPI-shaped errors. */
export const usersRoutes: FastifyPluginAsync<SurfaceOptions> = async (fastify, { core, config, limits }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  useErrors(app, fastApiRenderer(USERS_ERRORS));
  const accessTtl = config.tokenTtl.users;
  // `expires_in` is in minutes on this surface (seed 000 says 180).
  const tokenAnswer = (accessToken: string) => ({ access_token: accessToken, token_type: 'bearer' as const, expires_in: Math.round(accessTtl / 60) });

  app.post(
    '/register',
    {
      schema: { tags: [TAG], summary: 'Register with email and password', body: RegisterBody, response: { 200: Message, 400: Detail, 422: Detail } },
      preHandler: limits.perIp('register'),
    },
    async (request, reply) => {
      const b = request.body;
      if (!hasAny(b.first_name, b.last_name, b.phone_number)) return reply.code(422).send({ detail: AT_LEAST_ONE });
      await core.accounts.register({ email: b.email, password: b.password, firstName: b.first_name, lastName: b.last_name, phone: b.phone_number });
      return { message: 'User registered successfully.' };
    },
  );

  app.post(
    '/login',
    {
      schema: { tags: [TAG], summary: 'Log in with email and password', body: LoginBody, response: { 200: TokenAnswer } },
      preHandler: [limits.perIp('login'), limits.perAccount('login', 'email')],
    },
    async (request) => {
      const grant = await core.login.login({ by: 'email', identifier: request.body.email, password: request.body.password, accessTtl, ...clientMeta(request) });
      return tokenAnswer(grant.accessToken);
    },
  );

  app.get('/me', { schema: { tags: [TAG], summary: 'The logged-in user', response: { 200: Me } }, config: { auth: 'caller' } }, async (request) => {
    const { user } = request.caller;
    return { email: user.email, first_name: user.firstName, last_name: user.lastName, phone_number: user.phone };
  });

  // Logout checks the token itself (not `auth`): an ended session is its own answer here (404).
  app.post(
    '/logout',
    {
      schema: { tags: [TAG], summary: 'End the session of this token', security: BEARER_SECURITY, response: { 200: Message } },
      config: { errors: LOGOUT_ERRORS },
    },
    async (request) => {
      await core.sessions.logout(bearerToken(request.headers.authorization));
      return { message: 'You have been logged out.' };
    },
  );

  app.post(
    '/refresh_token',
    {
      schema: { tags: [TAG], summary: 'New access token for the (possibly expired) one presented', security: BEARER_SECURITY, response: { 200: TokenAnswer } },
      config: { errors: REFRESH_ERRORS },
      preHandler: limits.perIp('refresh'),
    },
    async (request) => {
      const grant = await core.sessions.refreshWithAccessToken(bearerToken(request.headers.authorization), accessTtl, { mayBeExpired: true });
      return tokenAnswer(grant.accessToken);
    },
  );

  app.post(
    '/reset_password',
    {
      schema: { tags: [TAG], summary: 'Set a new password given the old one (no login needed)', body: ResetPasswordBody, response: { 200: Message } },
      preHandler: [limits.perIp('password'), limits.perAccount('password', 'email')],
    },
    async (request) => {
      const b = request.body;
      await core.accounts.resetWithOldPassword(b.email, b.old_password, b.new_password);
      return { message: 'Password has been reset successfully.' };
    },
  );
};
