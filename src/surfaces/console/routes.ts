import type { FastifyPluginAsync } from 'fastify';
import { classifyError } from '../shared/classify-error.ts';
import { useCookies } from '../shared/html/cookies.ts';
import { PAGE_REFUSALS, type PageRefusal } from '../shared/html/sign-in/refusals.ts';
import type { SurfaceOptions } from '../shared/surface.ts';
import { consoleAccountRoutes } from './account-routes.ts';
import { consoleAppRoutes } from './app-routes.ts';
import { consoleAuditRoutes } from './audit-routes.ts';
import { consoleContext } from './context.ts';
import { staffGuard } from './guard.ts';
import { consoleHealthRoutes } from './health-routes.ts';
import { consoleKeyRoutes } from './key-routes.ts';
import { consoleWebhookRoutes } from './webhook-routes.ts';
import { consoleOrganizationRoutes } from './org-routes.ts';
import { consoleProviderRoutes } from './provider-routes.ts';
import { consoleSignInRoutes } from './sign-in-routes.ts';

/** The staff pages, by job: each a sibling plugin behind the one guard. */
const STAFF_PLUGINS = [
  consoleAccountRoutes,
  consoleOrganizationRoutes,
  consoleAuditRoutes,
  consoleAppRoutes,
  consoleKeyRoutes,
  consoleWebhookRoutes,
  consoleProviderRoutes,
  consoleHealthRoutes,
];

/**
 * The staff console at `/admin`: server-rendered pages on the page kit
 * (surfaces/shared/html) over the core's staff service, in Chinese and
 * English, working without JavaScript. The sign-in is the HTML pages' one
 * flow; every other page and form is behind one guard (guard.ts: a signed-in
 * staff member, the core's admission rule, the CSRF value, the audit's actor).
 */
export const consoleRoutes: FastifyPluginAsync<SurfaceOptions> = async (fastify, { core, config, limits }) => {
  await useCookies(fastify);
  const context = consoleContext(core, config);
  const guard = staffGuard(context);

  // What no route answered itself, as the HTML pages answer it (PAGE_REFUSALS): a core refusal with its status and
  // sentence, the per-address limit (429) and an outage (503) with Retry-After, bad input 400 — a 500 only for a bug.
  fastify.setErrorHandler(async (error, request, reply) => {
    const failure = classifyError(error);
    if (failure.kind === 'internal') request.log.error({ err: error }, 'unexpected failure');
    const answer: PageRefusal =
      failure.kind === 'core' ? PAGE_REFUSALS[failure.error.code] : failure.kind === 'internal' ? [500, 'failed'] : PAGE_REFUSALS.VALIDATION_FAILED;
    const [status] = answer;
    if (status === 429 || status === 503) {
      const retry = reply.getHeader('retry-after') ?? (failure.kind === 'core' ? failure.error.retryAfterSeconds : undefined);
      reply.header('retry-after', String(retry ?? (status === 503 ? 1 : 60)));
    }
    // The staff member past the guard, when there is one: the page keeps its navigation.
    return context.refuse(request, reply, answer, request.caller);
  });

  await fastify.register(consoleSignInRoutes, { context, limits, guard });
  await fastify.register(async (staff) => {
    staff.addHook('preHandler', guard);
    for (const plugin of STAFF_PLUGINS) await staff.register(plugin, { context, limits, guard });
  });
};
