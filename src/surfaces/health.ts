import type { FastifyPluginAsync } from 'fastify';
import type { Stores } from '../core/ports/stores.ts';

/** Liveness and readiness for load balancers and orchestrators. */
export const healthRoutes: FastifyPluginAsync<{ stores: Stores }> = async (app, { stores }) => {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (request, reply) => {
    try {
      await stores.ping();
      return { status: 'ready' };
    } catch (error) {
      request.log.warn({ err: error }, 'readiness check failed');
      return reply.code(503).send({ status: 'unavailable' });
    }
  });
};
