import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import type { V1AuthStyle } from './shared/surface.ts';
import { openApiWebhooks } from './shared/webhook-docs.ts';

/** OpenAPI document from the route schemas, served at /openapi.json, and Swagger UI at /docs; each listener documents its own style. */
export async function registerApiDocs(app: FastifyInstance, style: V1AuthStyle): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Gatehouse',
        version: '0.1.0',
        description: `One authentication server serving every legacy contract (surface) from one user base and one session store. On this listener /api/v1/auth answers in the ${style} style. Everywhere: no string may contain a NUL character, JSON bodies nest at most 64 levels and are at most 64 KiB; every operation lists each status it can answer, in its surface's error shape.`,
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      // What Gatehouse POSTs to an app's webhook endpoints (docs/webhooks.md).
      webhooks: openApiWebhooks(),
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
