import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorCode } from '../../core/errors.ts';
import { classifyError, type Classified } from './classify-error.ts';

/** A status code, the message the contract gives, and (envelope surfaces) the code it names. */
export type ErrorAnswer = readonly [status: number, message: string, code?: string];

/** How one surface (or one route, as an override) answers core errors. */
export type ErrorMap = Partial<Record<ErrorCode, ErrorAnswer>>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Route-specific answers that take precedence over the surface's error map. */
    errors?: ErrorMap;
  }
}

/** How a surface writes a failure into its own body shape. */
export interface ErrorRenderer {
  map: ErrorMap;
  /** The body for a given status and message (e.g. `{detail}` or the envelope). */
  body(status: number, message: string, code: string): unknown;
  /** Schema violations and unparseable bodies. */
  invalid(reply: FastifyReply, failure: Extract<Classified, { kind: 'validation' | 'malformed-body' }>): unknown;
  /** Headers added to a given status (e.g. WWW-Authenticate on 401). */
  headers?(status: number): Record<string, string>;
  internalMessage?: string;
  internalCode?: string;
}

/** `WWW-Authenticate: Bearer` on 401 answers (RFC 6750), as FastAPI's HTTPBearer sends it. */
export function bearerChallenge(status: number): Record<string, string> {
  return status === 401 ? { 'www-authenticate': 'Bearer' } : {};
}

/**
 * One answer for every way a bearer token can fail (signature, expiry, type,
 * ended session, deleted user); `missing` for no or a non-Bearer header.
 */
export function everyTokenFailure(answer: ErrorAnswer, missing: ErrorAnswer = answer): ErrorMap {
  return {
    TOKEN_MISSING: missing,
    TOKEN_NOT_BEARER: missing,
    TOKEN_MALFORMED: answer,
    TOKEN_INVALID: answer,
    TOKEN_EXPIRED: answer,
    TOKEN_WRONG_TYPE: answer,
    SESSION_ENDED: answer,
    TOKEN_REUSED: answer,
    USER_NOT_FOUND: answer,
  };
}

/** Answers every surface gives unless its map says otherwise. */
const FALLBACK: ErrorMap = {
  STORE_UNAVAILABLE: [503, 'Service temporarily unavailable'],
  RATE_LIMITED: [429, 'Too many requests, try again later'],
};

/**
 * Builds a surface's `setErrorHandler`: core errors through its error map (route
 * overrides first), schema errors through its validation shape, anything
 * unexpected as a logged 500 with no detail for the client.
 */
export function errorHandler(renderer: ErrorRenderer) {
  return function handle(this: unknown, error: unknown, request: FastifyRequest, reply: FastifyReply) {
    const failure = classifyError(error);
    switch (failure.kind) {
      case 'core': {
        const code = failure.error.code;
        // An outage is the operator's business: say so in the log, once per refused request.
        if (code === 'STORE_UNAVAILABLE') request.log.warn({ method: request.method, url: request.url.split('?')[0] }, 'a storage backend is unreachable: answered 503');
        const answer = request.routeOptions.config.errors?.[code] ?? renderer.map[code] ?? FALLBACK[code];
        if (!answer) {
          request.log.error({ code }, 'core error without a mapping on this surface');
          return send(reply, renderer, 500, renderer.internalMessage ?? 'Internal Server Error', renderer.internalCode ?? 'INTERNAL_ERROR');
        }
        return send(reply, renderer, answer[0], answer[1], answer[2] ?? code);
      }
      case 'validation':
      case 'malformed-body':
        return renderer.invalid(reply, failure);
      case 'http':
        return send(reply, renderer, failure.status, failure.message, `HTTP_${failure.status}`);
      case 'internal':
        request.log.error({ err: error }, 'unexpected failure');
        return send(reply, renderer, 500, renderer.internalMessage ?? 'Internal Server Error', renderer.internalCode ?? 'INTERNAL_ERROR');
    }
  };
}

function send(reply: FastifyReply, renderer: ErrorRenderer, status: number, message: string, code: string) {
  const headers = renderer.headers?.(status);
  if (headers) reply.headers(headers);
  // A backend is away: tell clients when to try again (it reconnects by itself).
  if (status === 503) reply.header('retry-after', '1');
  return reply.code(status).send(renderer.body(status, message, code));
}
