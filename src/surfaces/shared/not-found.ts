import type { FastifyInstance } from 'fastify';
import Router, { type HTTPMethod } from 'find-my-way';

// OPTIONS is left out: with CORS on, a preflight route matches every path.
const METHODS: HTTPMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH'];

/**
 * Unknown routes answer 404 `{"detail": "Not Found"}`; a known path with the
 * wrong method answers 405 with `Allow`, as FastAPI does. Fastify's own router
 * answers 404 for both, so the routes are mirrored into a second router that
 * is only consulted on a miss.
 */
export function installNotFound(app: FastifyInstance): void {
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
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed = METHODS.filter((m) => m !== request.method && shadow.find(m, path));
    if (allowed.length > 0) return reply.code(405).header('allow', allowed.join(', ')).send({ detail: 'Method Not Allowed' });
    return reply.code(404).send({ detail: 'Not Found' });
  });
}
