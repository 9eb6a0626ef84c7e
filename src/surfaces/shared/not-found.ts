import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Router, { type HTTPMethod } from 'find-my-way';
import type { V1AuthStyle } from './surface.ts';

// OPTIONS is left out: with CORS on, a preflight route matches every path.
const METHODS: HTTPMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH'];
const ROUTED = new Set<string>([...METHODS, 'OPTIONS']);

/** Answers a request whose method no route uses, and says so (the server's one onRequest hook calls it first). */
export type UnroutedMethods = (request: FastifyRequest, reply: FastifyReply) => boolean;

/**
 * Unknown routes answer 404 `{"detail": "Not Found"}` (the contract's answer
 * everywhere); a known path with the wrong method answers 405 with `Allow`, as
 * FastAPI does, in the shape of the surface the path belongs to (the envelope under `/api/v1/users`, and under
 * `/api/v1/auth` on an envelope listener). Fastify's own router answers 404
 * for both, so the routes are mirrored into a second router that is only
 * consulted on a miss. Methods no route uses (QUERY, PROPFIND, ...) are
 * answered before Fastify reads a body for them.
 */
export function installNotFound(app: FastifyInstance, style: V1AuthStyle): UnroutedMethods {
  const shadow = Router();
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      try {
        shadow.on(method as HTTPMethod, route.url, () => {});
      } catch {
        // the same route registered twice (e.g. HEAD next to GET): already mirrored
      }
    }
  });
  const enveloped = (path: string) => path.startsWith('/api/v1/users') || (style === 'envelope' && path.startsWith('/api/v1/auth'));
  const answer = (reply: FastifyReply, method: string, url: string) => {
    const path = url.split('?')[0] ?? '/';
    const allowed = METHODS.filter((m) => m !== method && shadow.find(m, path));
    if (allowed.length > 0) {
      reply.code(405).header('allow', allowed.join(', '));
      return reply.send(enveloped(path) ? { status: 'error', message: '请求方法不允许', code: 'METHOD_NOT_ALLOWED' } : { detail: 'Method Not Allowed' });
    }
    // The contract's one answer for an unknown route, whatever the prefix.
    return reply.code(404).send({ detail: 'Not Found' });
  };
  app.setNotFoundHandler((request, reply) => answer(reply, request.method, request.url));
  return (request, reply) => {
    if (ROUTED.has(request.method)) return false;
    void answer(reply, request.method, request.url);
    return true;
  };
}
