import type { FastifyPluginAsync } from 'fastify';
import { useErrors } from '../shared/documented-answers.ts';
import type { SurfaceOptions } from '../shared/surface.ts';
import type { V1Deps } from './deps.ts';
import { v1LoginRoutes } from './login-routes.ts';
import { v1OtpRoutes } from './otp-routes.ts';
import { v1IdpRoutes } from './idp-routes.ts';
import { mfaRoutes } from './mfa-routes.ts';
import { v1PasswordRoutes } from './password-routes.ts';
import { v1SessionRoutes } from './session-routes.ts';
import { STYLES } from './styles.ts';
import { v1VerificationRoutes } from './verification-routes.ts';

/**
 * `/api/v1/auth/*`, one set of routes for both styles: the listener's style
 * supplies the bodies, the error renderer, the token lifetime and the refresh
 * policy. One part a file: logging in, the session, passwords, verification
 * and own sessions, second factors.
 */
export const v1AuthRoutes: FastifyPluginAsync<SurfaceOptions> = async (fastify, { core, config, limits, style: styleName }) => {
  const style = STYLES[styleName];
  useErrors(fastify, style.renderer);
  const deps: V1Deps = { core, config, limits, style, accessTtl: style.accessTtl(config), tags: [style.tag] };
  v1LoginRoutes(fastify, deps);
  v1OtpRoutes(fastify, deps);
  v1IdpRoutes(fastify, deps);
  mfaRoutes(fastify, { core, style, accessTtl: deps.accessTtl, tags: deps.tags, limits });
  v1SessionRoutes(fastify, deps);
  v1PasswordRoutes(fastify, deps);
  v1VerificationRoutes(fastify, deps);
};
