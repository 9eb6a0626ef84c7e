import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Metrics } from '../metrics.ts';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

function presentsToken(request: FastifyRequest, token: string): boolean {
  const given = Buffer.from(request.headers.authorization ?? '');
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * `GET /metrics` in Prometheus' text format. Without METRICS_TOKEN only
 * loopback clients are answered (the client address as TRUST_PROXY resolves
 * it, so a proxy on the same host does not open it to the world); with it,
 * any client that presents it as a bearer token.
 */
export const metricsRoute: FastifyPluginAsync<{ metrics: Metrics; token: string | null }> = async (app, { metrics, token }) => {
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    const allowed = token === null ? LOOPBACK.test(request.ip) : presentsToken(request, token);
    if (!allowed)
      return reply.code(token === null ? 403 : 401).send({ detail: token === null ? 'Metrics are served to loopback clients only' : 'Not authenticated' });
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
};
