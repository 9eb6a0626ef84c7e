import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import cors from '@fastify/cors';
import helmet, { type HelmetOptions } from 'helmet';

/** Largest request header block accepted (bytes); more answers 431. */
export const MAX_HEADER_BYTES = 16 * 1024;
/** A request must arrive whole within this time (ms), or the connection is closed (slow-loris). */
export const REQUEST_TIMEOUT_MS = 30_000;

/**
 * The headers helmet would set, computed once: helmet's middleware is run a
 * single time against a stand-in response and what it sets is kept, instead of
 * recomputing the same values on every request (measured: @fastify/helmet's
 * per-request hook cost ~8% of /healthz throughput).
 */
export function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string) => {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader: () => {},
  } as unknown as ServerResponse;
  helmet(options)({} as IncomingMessage, response, () => {});
  return headers;
}

/**
 * What every API answer carries, written as what it is: never sniffed as HTML,
 * never framed, no referrer. The headers that only matter for HTML documents
 * (cross-origin isolation, legacy IE switches) go on the pages, which take
 * helmet's full set with their own Content-Security-Policy (`PAGE_HEADERS`).
 */
const API_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
} as const;

/** The full helmet set for HTML pages; they add their own strict Content-Security-Policy. */
export const PAGE_HEADERS = helmetHeaders({
  contentSecurityPolicy: false,
  referrerPolicy: { policy: 'no-referrer' },
  strictTransportSecurity: false,
  xFrameOptions: { action: 'deny' },
});

const NO_STORE = { ...API_HEADERS, 'cache-control': 'no-store' };

/**
 * The headers on every response, one object per response (the server's one
 * onRequest hook sets them). API answers are never cached by shared caches (the
 * catalog images set their own caching; Swagger UI its own Content-Security-Policy).
 */
export function setSecurityHeaders(request: FastifyRequest, reply: FastifyReply): void {
  reply.headers(request.url.startsWith('/api/') ? NO_STORE : API_HEADERS);
}

/** CORS for the configured browser origins (@fastify/cors); none configured, nothing. */
export async function installCors(app: FastifyInstance, corsOrigins: readonly string[]): Promise<void> {
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
