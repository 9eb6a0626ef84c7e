import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyRequest } from 'fastify';
import type { RequestOrigin } from '../../core/audit.ts';

const origins = new AsyncLocalStorage<RequestOrigin>();

/** The client of the request being handled (for audit events), or undefined outside a request. */
export const currentOrigin = (): RequestOrigin | undefined => origins.getStore();

/**
 * Runs the rest of a request that can change something (its hooks, handler and
 * answer) with its client address and user agent known to the core (audit
 * events). Reads (GET, HEAD) record no events, so they skip the async context.
 * The last step of the server's one onRequest hook.
 */
export function withRequestOrigin(request: FastifyRequest, next: () => void): void {
  if (request.method === 'GET' || request.method === 'HEAD') next();
  else origins.run({ ip: request.ip, userAgent: request.headers['user-agent'] ?? null }, next);
}

/**
 * Names the staff member acting in the current (non-GET) request, so every
 * audit event the request causes records who did it.
 */
export function actAs(actorId: number): void {
  const origin = origins.getStore();
  if (origin) origin.actorId = actorId;
}
