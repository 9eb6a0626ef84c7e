import type { FastifyPluginAsync } from 'fastify';
import { classifyError } from '../shared/classify-error.ts';
import { useCookies } from '../shared/html/cookies.ts';
import { pageRefusal } from '../shared/html/sign-in/refusals.ts';
import type { SurfaceOptions } from '../shared/surface.ts';
import { accountCodeRoutes } from './code-routes.ts';
import { accountContext } from './context.ts';
import { accountFactorRoutes } from './factor-routes.ts';
import { accountIdpRoutes } from './idp-routes.ts';
import { accountPageRoutes } from './page-routes.ts';
import { accountSignInRoutes } from './sign-in-routes.ts';
import { signInPage } from './views.ts';

/**
 * `/account`: the self-service page. Sign in (the HTML pages' one sign-in
 * flow), the profile, two-step verification (TOTP with its QR code, recovery
 * codes, passkeys), devices, the password, sign out. Server-rendered on the
 * page kit (surfaces/shared/html); every form carries a CSRF token; the
 * signed-in cookie is a core session (shared/html/page-session.ts).
 */
export const accountRoutes: FastifyPluginAsync<SurfaceOptions> = async (fastify, { core, config, limits }) => {
  await useCookies(fastify);
  const context = accountContext(core, config);
  // The providers' buttons are drawn from a list read again every few seconds.
  fastify.addHook('onRequest', async () => core.identities.freshButtons());

  // What no route answered itself: the per-address limit (429), an outage (503), a malformed form (400).
  fastify.setErrorHandler((error, request, reply) => {
    const failure = classifyError(error);
    if (failure.kind === 'internal') request.log.error({ err: error }, 'unexpected failure');
    const [status, refusal] =
      failure.kind === 'core' ? pageRefusal(failure.error) : failure.kind === 'internal' ? ([500, 'failed'] as const) : ([400, 'formExpired'] as const);
    if (status === 429 || status === 503) reply.header('retry-after', reply.getHeader('retry-after') ?? (status === 503 ? '1' : '60'));
    return context.send(reply, status, signInPage(context.page(request, reply), refusal));
  });

  accountSignInRoutes(fastify, context, limits);
  accountCodeRoutes(fastify, context, config, limits);
  accountPageRoutes(fastify, context, limits);
  accountFactorRoutes(fastify, context, limits);
  accountIdpRoutes(fastify, context, limits);
};
