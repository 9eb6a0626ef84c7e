import type { FastifyPluginAsync } from 'fastify';
import type { Core } from '../../core/core.ts';
import { classifyError } from '../shared/classify-error.ts';
import { useCookies } from '../shared/html/cookies.ts';
import type { SurfaceOptions } from '../shared/surface.ts';
import { oidcCodeRoutes } from './code-routes.ts';
import { oidcConsentRoutes } from './consent-routes.ts';
import { interactions } from './interactions.ts';
import { providerAccess, providerRoutes } from './provider-access.ts';
import type { SigningKeySource } from './signing-keys.ts';
import { oidcSignInRoutes } from './sign-in-routes.ts';
import { signInPage } from './views.ts';

/**
 * The OpenID Connect provider under `/oidc`: the provider's own routes handed
 * the raw request (it reads its own bodies), and the interaction pages —
 * sign-in (the pages' one sign-in flow, the core login), consent — as
 * ordinary page routes on the page kit.
 */
export function oidcRoutes(keys: (core: Core) => SigningKeySource): FastifyPluginAsync<SurfaceOptions> {
  return async (fastify, { core, config, limits }) => {
    await useCookies(fastify);
    const provider = providerAccess(core, config, keys(core), fastify.log);
    await providerRoutes(fastify, provider);
    const io = interactions(core, config.publicUrl, provider);
    // The providers' buttons are drawn from a list read again every few seconds.
    fastify.addHook('onRequest', async () => core.identities.freshButtons());
    fastify.setErrorHandler(async (error, request, reply) => {
      const failure = classifyError(error);
      if (failure.kind === 'internal' && !(error instanceof Error && error.name === 'SessionNotFound')) request.log.error({ err: error }, 'unexpected failure');
      // The per-address limit, before a sign-in form was looked at: the same page and sentence as every sign-in's (429).
      if (failure.kind === 'core' && failure.error.code === 'RATE_LIMITED') {
        const uid = (request.params as { uid?: string } | undefined)?.uid;
        const interaction = uid ? await io.details(request, reply, uid).catch(() => null) : null;
        if (!interaction) return io.failure(request, reply, 429);
        return io.send(reply, 429, signInPage(await io.page(request, reply, interaction), 'tooMany'), interaction);
      }
      if (failure.kind === 'core' && failure.error.code === 'STORE_UNAVAILABLE') return io.failure(request, reply.header('retry-after', '1'), 503);
      return io.failure(request, reply, 400);
    });
    oidcSignInRoutes(fastify, core, io, limits);
    oidcCodeRoutes(fastify, core, io, limits, config.publicUrl);
    oidcConsentRoutes(fastify, io);
  };
}
