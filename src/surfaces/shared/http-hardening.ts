import type { FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';

/** Largest request header block accepted (bytes); more answers 431. */
export const MAX_HEADER_BYTES = 16 * 1024;
/** A request must arrive whole within this time (ms), or the connection is closed (slow-loris). */
export const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Headers every response carries (@fastify/helmet), and CORS for the
 * configured browser origins (@fastify/cors). Answers are API data: never
 * sniffed as HTML, never framed, no referrer leaks from the docs page, and
 * API answers are never cached by shared caches (the catalog images set their
 * own caching; Swagger UI sets its own Content-Security-Policy).
 */
export async function installSecurityHeaders(app: FastifyInstance, corsOrigins: readonly string[]): Promise<void> {
  await app.register(helmet, {
    // JSON answers run no script; the pages that do (/docs) send their own policy.
    contentSecurityPolicy: false,
    referrerPolicy: { policy: 'no-referrer' },
    frameguard: { action: 'deny' },
    // HTTPS is the proxy's business: Gatehouse itself listens on plain HTTP.
    strictTransportSecurity: false,
  });
  app.addHook('onRequest', (request, reply, done) => {
    if (request.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
    done();
  });
  if (corsOrigins.length === 0) return;
  const anyOrigin = corsOrigins.includes('*');
  await app.register(cors, {
    origin: anyOrigin ? '*' : [...corsOrigins],
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type'],
    exposedHeaders: ['retry-after', 'www-authenticate'],
    // Tokens travel in the Authorization header, never in cookies: no credentials mode.
    credentials: false,
    maxAge: 600,
    // A preflight from an origin that is not allowed is refused outright.
    strictPreflight: true,
  });
}
