import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import formbody from '@fastify/formbody';
import { pino, type DestinationStream } from 'pino';
import type { Config } from './config.ts';
import { boot, type BootOptions } from './boot.ts';
import type { Core } from './core/core.ts';
import type { Stores } from './core/ports/stores.ts';
import { registerApiDocs } from './surfaces/api-docs.ts';
import { healthRoutes } from './surfaces/health.ts';
import { SURFACES } from './surfaces/registry.ts';
import { installAuthentication } from './surfaces/shared/authentication.ts';
import { connectRedis } from './store/redis/connect-redis.ts';
import { rateLimitCounters, type RateLimitStore } from './store/rate-limit-counters.ts';
import { StartupError } from './startup-error.ts';
import { installSecurityHeaders, MAX_HEADER_BYTES, REQUEST_TIMEOUT_MS } from './surfaces/shared/http-hardening.ts';
import { installJsonParser } from './surfaces/shared/json-body.ts';
import { installRateLimits } from './surfaces/shared/rate-limits.ts';
import { currentOrigin, trackRequestOrigins } from './surfaces/shared/request-origin.ts';
import { installNotFound } from './surfaces/shared/not-found.ts';
import { refuseNulCharacters } from './surfaces/shared/nul-characters.ts';
import type { V1AuthStyle } from './surfaces/shared/surface.ts';
import { validatorCompiler } from './surfaces/shared/validators.ts';

export interface ServerOptions extends BootOptions {
  config: Config;
  /** Where log lines go (default stdout). */
  logStream?: DestinationStream;
}

/** One HTTP listener: its own Fastify app over the shared core, with its style of `/api/v1/auth`. */
export interface Listener {
  /** `main` (PORT) or `envelope` (ENVELOPE_PORT). */
  name: 'main' | 'envelope';
  /** The setting that names its port, for messages. */
  setting: 'PORT' | 'ENVELOPE_PORT';
  port: number;
  style: V1AuthStyle;
  app: FastifyInstance;
}

export interface Gatehouse {
  /** The main listener's app. */
  app: FastifyInstance;
  /** Every listener: the main one first, then the envelope one when ENVELOPE_PORT is not off. */
  listeners: Listener[];
  core: Core;
  stores: Stores;
  log: FastifyBaseLogger;
  /** Stops every listener (finishing requests in flight), the background work, then storage. */
  close(): Promise<void>;
}

/** The largest request body accepted (the contract's 64 KiB); larger ones get 413. */
export const BODY_LIMIT = 64 * 1024;

/**
 * Builds the whole server from settings: storage and core once, then one app
 * per listener, each with every enabled surface of the registry. Both apps
 * share the core, so they share one user base and one session store.
 */
export async function buildServer(options: ServerOptions): Promise<Gatehouse> {
  const { config } = options;
  const logger = pino(
    {
      level: config.logLevel,
      // Belt and braces: nothing should ever log these, but if it does they are masked.
      redact: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.token', '*.access_token', '*.refresh_token', '*.passwordHash'],
    },
    options.logStream,
  ) as FastifyBaseLogger;
  const core = await boot(config, { ...options, log: (fields, message) => logger.info(fields, message), origin: currentOrigin });
  const { stores } = core;

  const redisUrl = config.rateLimit ? config.redisUrl : null;
  const limiterRedis = redisUrl
    ? await connectRedis(redisUrl, config.storeTimeoutMs).catch((error: unknown) => {
        throw new StartupError(`REDIS_URL: cannot connect (${(error as Error).message})`, { cause: error });
      })
    : undefined;
  // One set of counters for every listener, so a client cannot double its budget by using both ports.
  const counters = rateLimitCounters(limiterRedis, config.redisPrefix, {
    outage: (state, error) =>
      state === 'down'
        ? logger.warn({ err: error }, 'Redis is unreachable: rate limits are counted in this instance until it is back')
        : logger.info('Redis is reachable again: rate limits are counted in Redis'),
    fellBack: () => {},
  });
  const stops: Array<() => Promise<void>> = [];
  for (const surface of SURFACES) {
    if (surface.start && config.surfaces.has(surface.name)) stops.push(await surface.start(core, config, logger));
  }

  const listeners: Listener[] = [
    { name: 'main', setting: 'PORT', port: config.port, style: config.v1AuthStyle, app: await buildApp(config, core, logger, config.v1AuthStyle, counters) },
  ];
  if (config.envelopePort !== null) {
    listeners.push({
      name: 'envelope',
      setting: 'ENVELOPE_PORT',
      port: config.envelopePort,
      style: 'envelope',
      app: await buildApp(config, core, logger, 'envelope', counters),
    });
  }
  let closed: Promise<void> | undefined;
  return {
    app: listeners[0]!.app,
    listeners,
    core,
    stores,
    log: logger,
    close() {
      closed ??= (async () => {
        await Promise.all(listeners.map((l) => l.app.close()));
        for (const stop of stops) await stop();
        limiterRedis?.disconnect();
        await stores.close();
      })();
      return closed;
    },
  };
}

/** One listener's app: the shared hooks, the docs, health, and every enabled surface. */
async function buildApp(
  config: Config,
  core: Core,
  logger: FastifyBaseLogger,
  style: V1AuthStyle,
  counters: new () => RateLimitStore,
): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger,
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
  installNotFound(app, style);
  installJsonParser(app);
  await installSecurityHeaders(app, config.corsOrigins);
  refuseNulCharacters(app);
  trackRequestOrigins(app);
  installAuthentication(app, core);
  await app.register(formbody, { bodyLimit: BODY_LIMIT });
  await registerApiDocs(app, style);
  await app.register(healthRoutes, { stores: core.stores });
  const limits = await installRateLimits(app, config.rateLimit, counters);
  for (const surface of SURFACES) {
    if (config.surfaces.has(surface.name)) await app.register(surface.plugin, { core, config, limits, style });
  }
  return app;
}
