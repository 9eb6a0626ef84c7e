import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { clientMeta } from '../shared/authentication.ts';
import { useErrors } from '../shared/documented-answers.ts';
import { fastApiRenderer } from '../shared/fastapi-errors.ts';
import type { SurfaceOptions } from '../shared/surface.ts';
import { AUTH_ERRORS, REFRESH_ERRORS } from './errors.ts';
import { LoginAnswer, LoginBody, RefreshAnswer, RefreshBody, RegisterBody, UpdateMeBody, UserObject } from './schemas.ts';
import { userObject } from './views.ts';

const TAG = 'auth (username login, refresh token)';
const SEED_002_PASSWORDS = { requireLetterAndDigit: true };

/** Seed 002's `/api/auth/*` and `/api/user/me`: username login, refresh token handed to the client. Mounted at `/api`. */
export const authRoutes: FastifyPluginAsync<SurfaceOptions> = async (fastify, { core, config, limits }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  useErrors(app, fastApiRenderer(AUTH_ERRORS));
  const accessTtl = config.tokenTtl.auth;

  app.post(
    '/auth/register',
    {
      schema: { tags: [TAG], summary: 'Register with username, email, password and nickname', body: RegisterBody, response: { 201: UserObject } },
      preHandler: limits.perIp('register'),
    },
    async (request, reply) => {
      const { username, email, password, nickname } = request.body;
      const user = await core.accounts.register({ username, email, password, nickname }, SEED_002_PASSWORDS);
      return reply.code(201).send(userObject(user));
    },
  );

  app.post(
    '/auth/login',
    {
      schema: { tags: [TAG], summary: 'Log in with username and password', body: LoginBody, response: { 200: LoginAnswer } },
      preHandler: [limits.perIp('login'), limits.perAccount('login', 'username')],
    },
    async (request) => {
      const grant = await core.login.login({
        by: 'username',
        identifier: request.body.username,
        password: request.body.password,
        accessTtl,
        withRefreshToken: true,
        ...clientMeta(request),
      });
      return { access_token: grant.accessToken, refresh_token: grant.refreshToken!, token_type: 'bearer' as const };
    },
  );

  app.post(
    '/auth/refresh',
    {
      schema: { tags: [TAG], summary: 'New access token for a refresh token', body: RefreshBody, response: { 200: RefreshAnswer } },
      config: { errors: REFRESH_ERRORS },
      preHandler: limits.perIp('refresh'),
    },
    async (request) => {
      // Never rotates: this answer has no field for a new refresh token.
      const grant = await core.sessions.refreshWithRefreshToken(request.body.refresh_token, accessTtl, false);
      return { access_token: grant.accessToken, token_type: 'bearer' as const };
    },
  );

  app.get('/user/me', { schema: { tags: [TAG], summary: 'The logged-in user', response: { 200: UserObject } }, config: { auth: 'caller' } }, async (request) =>
    userObject(request.caller.user),
  );

  app.put(
    '/user/me',
    {
      schema: {
        tags: [TAG],
        summary: 'Change email, nickname or password (a new password ends the other sessions)',
        body: UpdateMeBody,
        response: { 200: UserObject },
      },
      config: { auth: 'caller' },
      // An email change mails a code and tells whether an address is taken: limited per address
      // here, and per account in the core.
      preHandler: limits.perIp('profile'),
    },
    async (request) => {
      const { user, session } = request.caller;
      const { email, nickname, password } = request.body;
      return userObject(await core.accounts.updateSelf(user, { email, nickname }, password, session.id, SEED_002_PASSWORDS));
    },
  );
};
