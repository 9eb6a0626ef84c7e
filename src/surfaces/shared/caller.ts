import type { FastifyRequest } from 'fastify';
import type { Core } from '../../core/core.ts';
import type { Caller } from '../../core/sessions.ts';
import { bearerToken } from './bearer.ts';

/** The authenticated caller of a protected request (throws the core's token errors). */
export function callerOf(core: Core, request: FastifyRequest): Promise<Caller> {
  return core.sessions.authenticate(bearerToken(request.headers.authorization));
}

/** Client details kept with a new session. */
export function clientMeta(request: FastifyRequest): { ip: string; userAgent: string | null } {
  return { ip: request.ip, userAgent: request.headers['user-agent'] ?? null };
}
