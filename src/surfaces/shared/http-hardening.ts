import type { FastifyInstance } from 'fastify';

/** Largest request header block accepted (bytes); more answers 431. */
export const MAX_HEADER_BYTES = 16 * 1024;
/** A request must arrive whole within this time (ms), or the connection is closed (slow-loris). */
export const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Headers every response carries, and CORS for the configured browser origins.
 * Answers are API data: never sniffed as HTML, never framed, never cached by
 * shared caches (except the catalog images, which set their own caching), and
 * no referrer leaks from the docs page.
 */
export function installSecurityHeaders(app: FastifyInstance, corsOrigins: readonly string[]): void {
  const anyOrigin = corsOrigins.includes('*');
  const allowed = new Set(corsOrigins);
  // Callback style: this runs on every request, and there is nothing to await.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    if (request.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
    const origin = request.headers.origin;
    if (origin && (anyOrigin || allowed.has(origin))) {
      // Tokens travel in the Authorization header, never in cookies: no credentials mode needed.
      reply.header('access-control-allow-origin', anyOrigin ? '*' : origin);
      reply.header('vary', 'Origin');
      reply.header('access-control-expose-headers', 'retry-after, www-authenticate');
    }
    done();
  });
  if (corsOrigins.length === 0) return;
  // Preflight for every path: answer what may be sent from an allowed origin.
  app.options('/*', { schema: { hide: true } }, async (request, reply) => {
    const origin = request.headers.origin;
    if (!origin || !(anyOrigin || allowed.has(origin))) return reply.code(403).send({ detail: 'Origin not allowed' });
    return reply
      .code(204)
      .header('access-control-allow-methods', 'GET, HEAD, POST, PUT, DELETE')
      .header('access-control-allow-headers', 'Authorization, Content-Type')
      .header('access-control-max-age', '600')
      .send();
  });
}
