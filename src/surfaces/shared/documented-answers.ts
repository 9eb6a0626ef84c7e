import type { FastifyInstance, RouteOptions } from 'fastify';

import { errorHandler, type ErrorOverrides, type ErrorRenderer, type MappedCode } from './error-map.ts';

/** Codes any bearer-token check can end in. */
export const TOKEN_CODES: readonly MappedCode[] = [
  'TOKEN_MISSING',
  'TOKEN_NOT_BEARER',
  'TOKEN_MALFORMED',
  'TOKEN_INVALID',
  'TOKEN_EXPIRED',
  'TOKEN_WRONG_TYPE',
  'SESSION_ENDED',
  'TOKEN_REUSED',
  'ACCOUNT_GONE',
  'USER_DISABLED',
];
/** Codes an operation that changes or checks an account can end in. */
const ACCOUNT_CODES: MappedCode[] = [
  'EMAIL_TAKEN',
  'USERNAME_TAKEN',
  'INVALID_CREDENTIALS',
  'PASSWORD_INCORRECT',
  'USER_NOT_FOUND',
  'USER_DISABLED',
  'ACCOUNT_LOCKED',
  'RESET_TOKEN_INVALID',
];

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad request',
  401: 'Not authenticated',
  403: 'Forbidden',
  404: 'Not found',
  413: 'Request body too large',
  415: 'Unsupported media type',
  422: 'Validation error',
  423: 'Account locked',
  429: 'Too many requests (Retry-After)',
  500: 'Unexpected fault (x-request-id names the log line)',
  503: 'A storage backend is unreachable (Retry-After)',
};

const ANSWERS = Symbol('answers');

/**
 * A route hook that says which codes it can end a request with: the OpenAPI
 * document lists what the hooks a route runs declare, so a guard that is off
 * (RATE_LIMIT=off) documents nothing, and a hook that declares nothing adds nothing.
 */
export function answering<Hook extends object>(codes: readonly MappedCode[], hook: Hook): Hook {
  return Object.assign(hook, { [ANSWERS]: codes });
}

/** The codes a route can answer with, from what it and its hooks declare. */
function codesOf(route: RouteOptions): Set<MappedCode> {
  const codes = new Set<MappedCode>(['STORE_UNAVAILABLE']);
  const schema = route.schema ?? {};
  for (const hook of [route.preHandler ?? []].flat()) for (const c of (hook as { [ANSWERS]?: readonly MappedCode[] })[ANSWERS] ?? []) codes.add(c);
  // A route reading the bearer token itself (logout, refresh by access token) says so with its security entry.
  if (schema.security) for (const c of TOKEN_CODES) codes.add(c);
  const method = [route.method].flat()[0];
  if (method !== 'GET' && method !== 'HEAD') for (const c of ACCOUNT_CODES) codes.add(c);
  if (schema.params || method !== 'GET' || route.config?.errors?.NOT_FOUND) codes.add('NOT_FOUND');
  for (const c of Object.keys(route.config?.errors ?? {}) as MappedCode[]) codes.add(c);
  return codes;
}

/**
 * A surface's error handling, and the truth about it in the OpenAPI document:
 * installs the surface's error handler, and adds to every route of the surface
 * each status it can answer (from its error map, route overrides, validation,
 * body limits, rate limits, outages and faults) with the surface's error body
 * schema. A test drives every operation from the document and fails on any
 * status it does not list.
 */
export function useErrors(app: FastifyInstance, renderer: ErrorRenderer): void {
  app.setErrorHandler(errorHandler(renderer));
  app.addHook('onRoute', (route) => {
    const schema = route.schema ?? {};
    if (schema.hide) return;
    const overrides: ErrorOverrides = route.config?.errors ?? {};
    const statuses = new Set<number>([500]);
    for (const code of codesOf(route)) statuses.add((overrides[code] ?? renderer.map[code])[0]);
    if (schema.body || schema.querystring || schema.params) statuses.add(renderer.validationStatus);
    if (schema.body) {
      statuses.add(413);
      statuses.add(415);
    }
    const response: Record<string, unknown> = { ...(schema.response as Record<string, unknown> | undefined) };
    for (const status of statuses) response[status] ??= { description: STATUS_TEXT[status] ?? 'Error', ...renderer.errorSchema(status) };
    route.schema = { ...schema, response };
  });
}
