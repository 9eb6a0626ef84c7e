import type { FastifyInstance, RouteOptions } from 'fastify';

import { errorHandler, type ErrorOverrides, type ErrorRenderer, type MappedCode } from './error-map.ts';

/** Codes any bearer-token check can end in. */
const TOKEN_CODES: MappedCode[] = [
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

/** The codes a route can answer with, judged from what it declares. */
function codesOf(route: RouteOptions): Set<MappedCode> {
  const codes = new Set<MappedCode>(['STORE_UNAVAILABLE']);
  const schema = route.schema ?? {};
  // Routes that check a token declare it (auth option or security entry); a refresh by body token names its answers in config.errors.
  const checksToken = !!route.config?.auth || !!schema.security;
  if (checksToken) for (const c of TOKEN_CODES) codes.add(c);
  if (route.config?.auth === 'superuser') codes.add('FORBIDDEN');
  if (route.preHandler) codes.add('RATE_LIMITED');
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
