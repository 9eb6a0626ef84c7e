import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { installationChecks, runChecks } from '../../health/installation-checks.ts';
import { serverErrorsInLastHour } from '../shared/server-errors.ts';
import type { ConsolePluginOptions } from './context.ts';
import { healthPage } from './health-views.ts';
import { LangQuery } from './schemas.ts';

/** Health (behind the staff guard): the checks `gatehouse doctor` runs, and the last hour in four numbers. */
export const consoleHealthRoutes: FastifyPluginAsync<ConsolePluginOptions> = async (fastify, { context }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { core, config } = context;

  app.get('/admin/health', { schema: { hide: true, querystring: LangQuery } }, async (request, reply) => {
    const { user: actor } = request.caller;
    const ping = async () => {
      await core.staff.ping(actor);
      return 'reachable from this server';
    };
    const checks = await runChecks(installationChecks(config, { database: ping, redis: ping, signingAlgorithm: core.signingKeys.algorithm }));
    const counts = await core.audit.countRecent(3600_000);
    const numbers = {
      logins: counts['login.succeeded'] ?? 0,
      failures: counts['login.failed'] ?? 0,
      lockouts: counts['account.locked'] ?? 0,
      serverErrors: serverErrorsInLastHour(Date.now()),
    };
    return context.send(reply, 200, healthPage(context.page(request, reply, request.caller), checks, numbers));
  });
};
