import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorCode, GatehouseError } from '../../core/errors.ts';
import { classifyError, type Classified } from './classify-error.ts';

/** A status code, the message the contract gives, and (envelope surfaces) the code it names. */
export type ErrorAnswer = readonly [status: number, message: string, code?: string];

/** Codes a surface answers through its map; VALIDATION_FAILED is rendered by the surface's `invalid`. */
export type MappedCode = Exclude<ErrorCode, 'VALIDATION_FAILED'>;

/**
 * How one surface answers core errors: total over the core's codes, so a code
 * added to the core and missing from any surface fails the type check instead
 * of becoming a 500 at run time.
 */
export type ErrorMap = Readonly<Record<MappedCode, ErrorAnswer>>;

/** Route-specific answers that take precedence over the surface's map. */
export type ErrorOverrides = Partial<Record<MappedCode, ErrorAnswer>>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Route-specific answers that take precedence over the surface's error map. */
    errors?: ErrorOverrides;
  }
}

/** How a surface writes a failure into its own body shape. */
export interface ErrorRenderer {
  map: ErrorMap;
  /** The body for a given status and message (e.g. `{detail}` or the envelope); `error`: the core failure, when it is one. */
  body(status: number, message: string, code: string, error?: GatehouseError): unknown;
  /** Schema violations and unparseable bodies. */
  invalid(reply: FastifyReply, failure: Extract<Classified, { kind: 'validation' | 'malformed-body' }>): unknown;
  /** Headers added to a given status (e.g. WWW-Authenticate on 401). */
  headers?(status: number): Record<string, string>;
  /** The 500 answer: message and code. */
  internal: readonly [message: string, code: string];
  /** The status of a schema violation or a malformed body (422 FastAPI-style, 400 elsewhere). */
  validationStatus: number;
  /** The JSON schema of this surface's error body for a status (for the OpenAPI document). */
  errorSchema(status: number): Record<string, unknown>;
}

/** `WWW-Authenticate: Bearer` on 401 answers (RFC 6750), as FastAPI's HTTPBearer sends it. */
export function bearerChallenge(status: number): Record<string, string> {
  return status === 401 ? { 'www-authenticate': 'Bearer' } : {};
}

type TokenFailureCode =
  | 'TOKEN_MISSING'
  | 'TOKEN_NOT_BEARER'
  | 'TOKEN_MALFORMED'
  | 'TOKEN_INVALID'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_WRONG_TYPE'
  | 'SESSION_ENDED'
  | 'TOKEN_REUSED'
  | 'ACCOUNT_GONE';

/**
 * One answer for every way a bearer token can fail (signature, expiry, type,
 * ended session, the caller's account deleted); `missing` for no or a non-Bearer header.
 */
export function everyTokenFailure(answer: ErrorAnswer, missing: ErrorAnswer = answer): Record<TokenFailureCode, ErrorAnswer> {
  return {
    TOKEN_MISSING: missing,
    TOKEN_NOT_BEARER: missing,
    TOKEN_MALFORMED: answer,
    TOKEN_INVALID: answer,
    TOKEN_EXPIRED: answer,
    TOKEN_WRONG_TYPE: answer,
    SESSION_ENDED: answer,
    TOKEN_REUSED: answer,
    ACCOUNT_GONE: answer,
  };
}

/** The 429 and 503 answers of the English, FastAPI-shaped surfaces. */
export const FASTAPI_SERVICE_ROWS = {
  STORE_UNAVAILABLE: [503, 'Service temporarily unavailable'],
  SMS_BUDGET_EXHAUSTED: [503, 'Texts cannot be sent right now, try again later'],
  RATE_LIMITED: [429, 'Too many requests, try again later'],
} as const satisfies ErrorOverrides;

/** The 429 and 503 answers of the Chinese surfaces; the codes are used by the envelope. */
export const CHINESE_SERVICE_ROWS = {
  STORE_UNAVAILABLE: [503, '服务暂时不可用', 'SERVICE_UNAVAILABLE'],
  SMS_BUDGET_EXHAUSTED: [503, '短信发送量已达上限，请稍后再试', 'SMS_UNAVAILABLE'],
  RATE_LIMITED: [429, '请求过于频繁，请稍后再试', 'RATE_LIMITED'],
} as const satisfies ErrorOverrides;

/** Whatever the rest of the response says, a 500 names the request id the log has the cause under. */
const REQUEST_ID_HEADER = 'x-request-id';

/**
 * Builds a surface's `setErrorHandler`: core errors through its error map (route
 * overrides first), schema errors through its validation shape, anything
 * unexpected as a logged 500 with no detail for the client but the request id.
 */
export function errorHandler(renderer: ErrorRenderer) {
  return function handle(this: unknown, error: unknown, request: FastifyRequest, reply: FastifyReply) {
    const failure = classifyError(error);
    switch (failure.kind) {
      case 'core': {
        const code = failure.error.code as MappedCode;
        // An outage is the operator's business: say so in the log, once per refused request, with the driver's error.
        if (code === 'STORE_UNAVAILABLE')
          request.log.warn(
            { method: request.method, url: request.url.split('?')[0], err: failure.error.cause },
            'a storage backend is unreachable: answered 503',
          );
        const answer = request.routeOptions.config.errors?.[code] ?? renderer.map[code];
        const wait = failure.error.retryAfterSeconds;
        if (wait !== undefined && !reply.hasHeader('retry-after')) reply.header('retry-after', String(wait));
        return send(reply, renderer, answer[0], answer[1], answer[2] ?? code, failure.error);
      }
      case 'validation':
      case 'malformed-body':
        return renderer.invalid(reply, failure);
      case 'http':
        return send(reply, renderer, failure.status, failure.message, `HTTP_${failure.status}`);
      case 'internal':
        request.log.error({ err: error }, 'unexpected failure');
        reply.header(REQUEST_ID_HEADER, request.id);
        return send(reply, renderer, 500, renderer.internal[0], renderer.internal[1]);
    }
  };
}

function send(reply: FastifyReply, renderer: ErrorRenderer, status: number, message: string, code: string, error?: GatehouseError) {
  const headers = renderer.headers?.(status);
  if (headers) reply.headers(headers);
  // A backend is away: tell clients when to try again (it reconnects by itself); a spent budget says when it opens.
  if (status === 503 && !reply.hasHeader('retry-after')) reply.header('retry-after', '1');
  return reply.code(status).send(renderer.body(status, message, code, error));
}
