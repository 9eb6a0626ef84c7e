import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import { pino, type DestinationStream } from 'pino';
import type { Config } from './config.ts';
import { boot, type BootOptions } from './boot.ts';
import type { Core } from './core/core.ts';
import type { Stores } from './core/ports/stores.ts';
import { registerApiDocs } from './surfaces/api-docs.ts';
import { healthRoutes } from './surfaces/health.ts';
import { installJsonParser } from './surfaces/shared/json-body.ts';
import { installNotFound } from './surfaces/shared/not-found.ts';
import { validatorCompiler } from './surfaces/shared/validators.ts';
import { authSurface } from './surfaces/auth/auth-surface.ts';
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
  const core = await boot(config, { ...options, log: (fields, message) => logger.info(fields, message) });
  const { stores } = core;

  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // One log line per request costs ~10% of throughput; failures are logged by the error handlers instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    return503OnClosing: true,
  });
  app.setValidatorCompiler(validatorCompiler());
  app.addHook('onClose', async () => stores.close());
  installNotFound(app);
  installJsonParser(app);
  await app.register(formbody, { bodyLimit: BODY_LIMIT });
  await registerApiDocs(app);
  await app.register(healthRoutes, { stores });

  const { surfaces, tokenTtl } = config;
  if (surfaces.has('users')) await app.register(usersSurface, { prefix: '/api/users', core, accessTtl: tokenTtl.users });
  if (surfaces.has('auth')) await app.register(authSurface, { prefix: '/api', core, accessTtl: tokenTtl.auth });
  if (surfaces.has('v1-auth')) {
    if (config.v1AuthStyle === 'envelope') await app.register(v1AuthEnvelopeSurface, { prefix: '/api/v1/auth', core, accessTtl: tokenTtl.envelope });
    else await app.register(v1AuthPlainSurface, { prefix: '/api/v1/auth', core, accessTtl: tokenTtl.v1Auth });
  }
  if (surfaces.has('v1-users')) await app.register(v1UsersSurface, { prefix: '/api/v1/users', core });

  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode >= 500) request.log.warn({ method: request.method, url: request.url.split('?')[0], status: reply.statusCode }, 'request failed');
  });
  return { app, core, stores };
}
