import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { CatalogService } from '../../core/catalog.ts';
import { useErrors } from '../shared/documented-answers.ts';
import { DETAIL_BODY, fastApiRenderer } from '../shared/fastapi-errors.ts';
import type { SurfaceOptions } from '../shared/surface.ts';
import { contentTypeOf } from './content-types.ts';
import { CATALOG_ERRORS } from './errors.ts';
import { formatHttpDate, parseHttpDate } from './http-dates.ts';
import { PopularAnswer, PopularQuery, ProductAnswer, ProductParams } from './schemas.ts';

const TAG = 'catalog (products, popular list, image files)';

/** Seed 001's product endpoints (`/api/products/*`). */
export const productRoutes: FastifyPluginAsync<SurfaceOptions> = async (fastify, { core }) => {
  const { catalog } = core;
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  useErrors(app, fastApiRenderer(CATALOG_ERRORS));

  app.get(
    '/product/:product_id',
    {
      schema: { tags: [TAG], summary: 'One product', params: ProductParams, response: { 200: ProductAnswer } },
      config: { errors: { NOT_FOUND: [404, 'Product not found'] } },
    },
    async (request) => {
      const p = await catalog.product(request.params.product_id);
      return { id: p.id, model: p.model, quantity: p.quantity, image_url: p.image, price: p.price, name: p.name, description: p.description };
    },
  );

  app.get(
    '/popular',
    {
      schema: { tags: [TAG], summary: 'Featured products first, then the most viewed', querystring: PopularQuery, response: { 200: PopularAnswer } },
      config: { errors: { NOT_FOUND: [404, 'No popular products found'] } },
    },
    async (request) => {
      const products = await catalog.popular(request.query.limit ?? 10);
      return products.map((p) => ({ id: p.id, img_url: p.image, name: p.name, model: p.model }));
    },
  );
};

const FILE_NOT_FOUND = { detail: 'File not found' };

/**
 * Seed 001's image files (`/cache/catalog/*`), with HTTP caching: ETag and
 * Last-Modified validators, 304 for a matching If-None-Match or a not-older
 * If-Modified-Since, and streamed bodies.
 */
export const imageRoutes: FastifyPluginAsync<SurfaceOptions> = async (app, { core }) => {
  useErrors(app, fastApiRenderer(CATALOG_ERRORS));
  app.route({
    method: ['GET', 'HEAD'],
    url: '/*',
    schema: {
      tags: [TAG],
      summary: 'A catalog image (GET or HEAD), cacheable for 10 minutes',
      response: {
        200: { description: 'The file, with Content-Type from its extension, Last-Modified and ETag', type: 'string', format: 'binary' },
        304: { description: 'Not modified since If-Modified-Since, or If-None-Match matches', type: 'null' },
        400: { description: 'If-Modified-Since is not an HTTP date', ...DETAIL_BODY },
        404: { description: 'No such file inside the image folder', ...DETAIL_BODY },
      },
    },
    handler: (request, reply) => serveImage(core.catalog, request, reply),
  });
};

async function serveImage(catalog: CatalogService, request: FastifyRequest, reply: FastifyReply) {
  const path = (request.params as { '*': string })['*'];
  const file = await catalog.image(path);
  if (!file) return reply.code(404).send(FILE_NOT_FOUND);
  const mtimeSeconds = Math.floor(file.mtimeMs / 1000);
  const etag = `"${file.size.toString(16)}-${Math.floor(file.mtimeMs).toString(16)}"`;
  reply.headers({
    'cache-control': 'public, max-age=600',
    'last-modified': formatHttpDate(mtimeSeconds * 1000),
    etag,
    'x-content-type-options': 'nosniff',
    // An uploaded SVG must not run script on this origin.
    'content-security-policy': "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
  });

  const ifNoneMatch = request.headers['if-none-match'];
  const ifModifiedSince = request.headers['if-modified-since'];
  let notModified = false;
  if (ifNoneMatch !== undefined) {
    // If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2).
    notModified = ifNoneMatch.trim() === '*' || ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
  } else if (ifModifiedSince !== undefined) {
    const since = parseHttpDate(ifModifiedSince);
    if (since === null) return reply.code(400).send({ detail: 'Invalid If-Modified-Since header' });
    notModified = mtimeSeconds * 1000 <= since;
  }
  if (notModified) return reply.code(304).send();
  reply.header('content-type', contentTypeOf(path)).header('content-length', file.size);
  if (request.method === 'HEAD') return reply.send();
  return reply.send(file.open());
}
