import type { FastifyInstance, FastifyRequest } from 'fastify';
import sjson from 'secure-json-parse';

/** The deepest nesting of arrays and objects a JSON body may have; no contract needs more than 3. */
export const MAX_JSON_DEPTH = 64;

/**
 * Whether JSON text nests arrays and objects deeper than `max`. One pass over
 * the characters, no recursion, so no input can overflow the stack (a 13 KB
 * body of 7,000 brackets once did, further down the line).
 */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/**
 * Fastify's JSON parser, except that an empty body counts as no body (as in
 * FastAPI): a POST with `Content-Type: application/json` and nothing after it
 * reaches validation as "missing", not as malformed JSON. `__proto__` and
 * `constructor.prototype` keys are refused, as Fastify's own parser does, and
 * so is nesting deeper than {@link MAX_JSON_DEPTH} (a malformed body: 422 or 400).
 */
export function installJsonParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      if (nestsDeeperThan(text, MAX_JSON_DEPTH)) throw new SyntaxError(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
      done(null, sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch (error) {
      const failure = error as Error & { statusCode?: number; code?: string };
      failure.statusCode = 400;
      failure.code = 'FST_ERR_CTP_INVALID_JSON_BODY';
      done(failure, undefined);
    }
  });
}

/**
 * Under `/api/`, a body that is not JSON is 415 in the surface's shape unless the
 * route's schema lists its type in `consumes` (the form login of `/api/v1/auth`):
 * a form or a text/plain body is what any web page can make its visitors' browsers
 * send to another origin without asking (no CORS preflight), so an API that took
 * forms would let such a page send reset mails and failed logins in their name.
 * The HTML pages outside `/api/` take their own forms. The refusal, or undefined;
 * the server's one onRequest hook asks it before the body is read.
 */
export function otherMediaType(request: FastifyRequest): Error | undefined {
  const type = request.headers['content-type'];
  if (type === undefined || !request.url.startsWith('/api/')) return undefined;
  const media = type.split(';', 1)[0]!.trim().toLowerCase();
  if (media === 'application/json') return undefined;
  const consumes = (request.routeOptions.schema as { consumes?: string[] } | undefined)?.consumes;
  if (consumes?.includes(media)) return undefined;
  return Object.assign(new Error('Unsupported Media Type'), { statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' });
}
