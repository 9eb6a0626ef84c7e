import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance } from 'fastify';
import type { RequestOrigin } from '../../core/audit.ts';

const origins = new AsyncLocalStorage<RequestOrigin>();

/** The client of the request being handled (for audit events), or undefined outside a request. */
export const currentOrigin = (): RequestOrigin | undefined => origins.getStore();

/**
 * Makes the client address and user agent of every request that can change
 * something known to the core while it is handled (audit events). Reads (GET,
 * HEAD) record no events, so they skip the async context.
 */
export function trackRequestOrigins(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.method === 'GET' || request.method === 'HEAD') return done();
    origins.run({ ip: request.ip, userAgent: request.headers['user-agent'] ?? null }, done);
  });
}

/**
 * Names the staff member acting in the current (non-GET) request, so every
 * audit event the request causes records who did it.
 */
export function actAs(actorId: number): void {
  const origin = origins.getStore();
  if (origin) origin.actorId = actorId;
}
