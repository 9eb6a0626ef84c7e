import type { FastifyPluginAsync } from 'fastify';
import type { SurfaceOptions } from '../shared/surface.ts';

/**
 * How long apps and proxies may keep the key set. A new key signs as soon as
 * each instance has read it (within 10 s of a rotation), so a cached set can
 * lack it for this long: jose's and PyJWT's JWKS clients fetch again when a
 * token names a kid they do not have, and a retired key is refused by
 * Gatehouse itself at once. Five minutes keeps the endpoint off every request
 * of a busy app.
 */
const JWKS_CACHE_CONTROL = 'public, max-age=300';

/** `GET /.well-known/jwks.json`: the public part of every key that signs or still verifies (RFC 7517). */
export const jwksRoutes: FastifyPluginAsync<SurfaceOptions> = async (app, { core }) => {
  app.get('/.well-known/jwks.json', { schema: { hide: true } }, async (_request, reply) => {
    reply.header('cache-control', JWKS_CACHE_CONTROL);
    reply.type('application/jwk-set+json');
    return core.signingKeys.publicJwks();
  });
};
