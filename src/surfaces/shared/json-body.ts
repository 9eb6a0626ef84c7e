import type { FastifyInstance } from 'fastify';
import sjson from 'secure-json-parse';

/**
 * Fastify's JSON parser, except that an empty body counts as no body (as in
 * FastAPI): a POST with `Content-Type: application/json` and nothing after it
 * reaches validation as "missing", not as malformed JSON. `__proto__` and
 * `constructor.prototype` keys are refused, as Fastify's own parser does.
 */
export function installJsonParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch (error) {
      const failure = error as Error & { statusCode?: number; code?: string };
      failure.statusCode = 400;
      failure.code = 'FST_ERR_CTP_INVALID_JSON_BODY';
      done(failure, undefined);
    }
  });
}
