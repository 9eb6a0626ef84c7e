import { join } from 'node:path';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import formbody from '@fastify/formbody';
import { pino, type DestinationStream } from 'pino';
import type { Config } from './config.ts';
import { boot, type BootOptions } from './boot.ts';
import type { Core } from './core/core.ts';
import type { Stores } from './core/ports/stores.ts';
import { registerApiDocs } from './surfaces/api-docs.ts';
import { healthRoutes } from './surfaces/health.ts';
import { connectRedis } from './store/redis/connect-redis.ts';
import { installSecurityHeaders, MAX_HEADER_BYTES, REQUEST_TIMEOUT_MS } from './surfaces/shared/http-hardening.ts';
import { installJsonParser } from './surfaces/shared/json-body.ts';
import { installRateLimits } from './surfaces/shared/rate-limits.ts';
import { currentOrigin, trackRequestOrigins } from './surfaces/shared/request-origin.ts';
import { installNotFound } from './surfaces/shared/not-found.ts';
import { refuseNulCharacters } from './surfaces/shared/nul-characters.ts';
import { validatorCompiler } from './surfaces/shared/validators.ts';
import { loadDemoCatalog } from './store/demo/demo-catalog.ts';
import { ImageDirectory } from './store/files/image-directory.ts';
import { adminSurface } from './surfaces/admin/admin-surface.ts';
import { authSurface } from './surfaces/auth/auth-surface.ts';
import { catalogSurface, imageFilesSurface } from './surfaces/catalog/catalog-surface.ts';
import { usersSurface } from './surfaces/users/users-surface.ts';
import { v1AuthEnvelopeSurface } from './surfaces/v1-auth/envelope-surface.ts';
import { v1AuthPlainSurface } from './surfaces/v1-auth/plain-surface.ts';
import { v1UsersSurface } from './surfaces/v1-users/v1-users-surface.ts';

export interface ServerOptions extends BootOptions {
  config: Config;
  /** Where log lines go (default stdout). */
  logStream?: DestinationStream;
}

export interface Gatehouse {
  app: FastifyInstance;
  core: Core;
  stores: Stores;
}

/** How often counted product views are written (the contract allows 2 s). */
export const VIEW_FLUSH_MS = 1000;

/** The largest request body accepted (the contract's 64 KiB); larger ones get 413. */
export const BODY_LIMIT = 64 * 1024;

/** Builds the whole server from settings: storage, core, and every enabled surface. */
export async function buildServer(options: ServerOptions): Promise<Gatehouse> {
  const { config } = options;
  const logger = pino(
    {
      level: config.logLevel,
      // Belt and braces: nothing should ever log these, but if it does they are masked.
      redact: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.token', '*.access_token', '*.refresh_token', '*.passwordHash'],
    },
    options.logStream,
  );
  const core = await boot(config, { ...options, log: (fields, message) => logger.info(fields, message), origin: currentOrigin });
  const { stores } = core;

  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // One log line per request costs ~10% of throughput; failures are logged by the error handlers instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    requestTimeout: REQUEST_TIMEOUT_MS,
    http: { maxHeaderSize: MAX_HEADER_BYTES },
    // A hop count is valid (Fastify trusts that many proxies); the typings omit it.
    trustProxy: config.trustProxy as unknown as boolean | string[],
    return503OnClosing: true,
    frameworkErrors: (error, request, rawReply) => {
      const reply = rawReply as FastifyReply;
      // A URL that cannot be decoded: under /cache/ it names no file; elsewhere it is a bad request.
      if (request.url.startsWith('/cache/')) return reply.code(404).send({ detail: 'File not found' });
      return reply.code(400).send({ detail: error.code === 'FST_ERR_BAD_URL' ? 'Bad Request: the URL cannot be decoded' : 'Bad Request' });
    },
  });
  app.setValidatorCompiler(validatorCompiler());
  app.addHook('onClose', async () => stores.close());
  installNotFound(app);
  installJsonParser(app);
  installSecurityHeaders(app, config.corsOrigins);
  refuseNulCharacters(app);
  trackRequestOrigins(app);
  await app.register(formbody, { bodyLimit: BODY_LIMIT });
  await registerApiDocs(app);
  await app.register(healthRoutes, { stores });

  const { surfaces, tokenTtl } = config;
  const limiterRedis = config.rateLimit && config.redisUrl ? await connectRedis(config.redisUrl, config.storeTimeoutMs) : undefined;
  if (limiterRedis) app.addHook('onClose', async () => limiterRedis.disconnect());
  const limits = await installRateLimits(app, config.rateLimit, limiterRedis, config.redisPrefix);
  if (surfaces.has('users')) await app.register(usersSurface, { prefix: '/api/users', core, accessTtl: tokenTtl.users, limits });
  if (surfaces.has('auth')) await app.register(authSurface, { prefix: '/api', core, accessTtl: tokenTtl.auth, limits });
  if (surfaces.has('v1-auth')) {
    if (config.v1AuthStyle === 'envelope') await app.register(v1AuthEnvelopeSurface, { prefix: '/api/v1/auth', core, accessTtl: tokenTtl.envelope, limits });
    else await app.register(v1AuthPlainSurface, { prefix: '/api/v1/auth', core, accessTtl: tokenTtl.v1Auth, limits });
  }
  if (surfaces.has('v1-users')) await app.register(v1UsersSurface, { prefix: '/api/v1/users', core });
  if (surfaces.has('admin')) await app.register(adminSurface, { prefix: '/api/admin', core });
  if (surfaces.has('catalog')) {
    if (config.demoData) {
      const loaded = await loadDemoCatalog(stores.products, config.imageDir, core.clock.now());
      if (loaded > 0) logger.info({ products: loaded, imageDir: config.imageDir }, 'empty catalog: demo products loaded');
    }
    await app.register(catalogSurface, { prefix: '/api/products', catalog: core.catalog });
    await app.register(imageFilesSurface, { prefix: '/cache/catalog', images: new ImageDirectory(join(config.imageDir, 'catalog')) });
    core.catalog.views.start(VIEW_FLUSH_MS);
    app.addHook('onClose', async () => core.catalog.views.stop());
  }
  return { app, core, stores };
}
