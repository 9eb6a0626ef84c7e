import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import formbody from '@fastify/formbody';
import { pino, type DestinationStream, type Logger } from 'pino';
import { Metrics } from './metrics.ts';
import { metricsRoute } from './surfaces/metrics-route.ts';
import type { Config } from './config.ts';
import { boot, type BootOptions } from './boot.ts';
import type { Core } from './core/core.ts';
import type { Stores } from './core/ports/stores.ts';
import { registerApiDocs } from './surfaces/api-docs.ts';
import { healthRoutes } from './surfaces/health.ts';
import { assetRoutes } from './surfaces/shared/html/assets.ts';
import { SURFACES } from './surfaces/registry.ts';
import { installAuthentication } from './surfaces/shared/authentication.ts';
import { connectRedis } from './store/redis/connect-redis.ts';
import { rateLimitCounters, type RateLimitStore } from './store/rate-limit-counters.ts';
import { StartupError } from './startup-error.ts';
import { installCors, MAX_HEADER_BYTES, REQUEST_TIMEOUT_MS, setSecurityHeaders } from './surfaces/shared/http-hardening.ts';
import { installJsonParser, otherMediaType } from './surfaces/shared/json-body.ts';
import { installRateLimits } from './surfaces/shared/rate-limits.ts';
import { currentOrigin, withRequestOrigin } from './surfaces/shared/request-origin.ts';
import { countServerError } from './surfaces/shared/server-errors.ts';
import { installNotFound } from './surfaces/shared/not-found.ts';
import { refuseNulCharacters } from './surfaces/shared/nul-characters.ts';
import type { V1AuthStyle } from './surfaces/shared/surface.ts';
import { serializerCompiler } from './surfaces/shared/serializers.ts';
import { validatorCompiler } from './surfaces/shared/validators.ts';
import { lazyLogger } from './lazy-logger.ts';
import { bufferedStdout, type LogOutput } from './log-destination.ts';

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
  // Readable lines for a person at a terminal; buffered JSON lines for everything else.
  const output: LogOutput | undefined = options.logStream || process.stdout.isTTY ? undefined : bufferedStdout();
  const logger = pino(
    {
      level: config.logLevel,
      // Belt and braces: nothing should ever log these, but if it does they are masked.
      redact: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.token', '*.access_token', '*.refresh_token', '*.passwordHash'],
    },
    options.logStream ??
      output?.stream ??
      // Loaded only for a terminal, so a service never carries it.
      (await import('pino-pretty')).default({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }),
  ) as FastifyBaseLogger;
  let hasher: Core['hasher'] | undefined;
  const metrics = config.metrics ? new Metrics(() => hasher?.queueLength ?? 0) : undefined;
  const core = await boot(config, {
    ...options,
    log: (fields, message) => logger.info(fields, message),
    warn: (fields, message) => logger.warn(fields, message),
    origin: currentOrigin,
    observeAudit: (event) => {
      metrics?.auditEvent(event);
      // What an operator looks for after a storm: lockouts and stolen credentials stand out.
      const level = event.type === 'account.locked' || event.type === 'session.reuse_detected' || event.type === 'sms.budget_exhausted' ? 'warn' : 'info';
      logger[level]({ audit: event.type, userId: event.userId, ip: event.ip }, `audit: ${event.type}`);
    },
    observeStore: metrics ? (store, method, seconds, unavailable) => metrics.storeCall(store, method, seconds, unavailable) : undefined,
    observeDelivery: metrics ? (outcome, seconds) => metrics.webhookAttempt(outcome, seconds) : undefined,
    observeUpstream: metrics ? (provider, outcome) => metrics.identityProvider(provider, outcome) : undefined,
    observeTexts: { budgetRefused: (callingCode) => metrics?.smsBudgetRefused(callingCode) },
    observeBreachCheckFailure: () => metrics?.breachCheckFailed(),
  });
  hasher = core.hasher;
  metrics?.watchOutbox(() => core.webhooks.pending());
  // Webhooks are delivered in the background, never on a request's path; core.close() stops the loop.
  core.deliveries.start();
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
    fellBack: () => metrics?.rateLimitFallback(),
  });
  const stops: Array<() => Promise<void>> = [];
  for (const surface of SURFACES) {
    if (surface.start && config.surfaces.has(surface.name)) stops.push(await surface.start(core, config, logger));
  }

  const listeners: Listener[] = [
    {
      name: 'main',
      setting: 'PORT',
      port: config.port,
      style: config.v1AuthStyle,
      app: await buildApp(config, core, logger, config.v1AuthStyle, counters, metrics),
    },
  ];
  if (config.envelopePort !== null) {
    listeners.push({
      name: 'envelope',
      setting: 'ENVELOPE_PORT',
      port: config.envelopePort,
      style: 'envelope',
      app: await buildApp(config, core, logger, 'envelope', counters, metrics),
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
        await core.close();
        // Every line logged up to here (the access log of the last requests included) is written before close() returns.
        await output?.drain();
      })();
      return closed;
    },
  };
}

// A random prefix per process and a counter: unique across listeners and instances, and far
// cheaper than a UUID per request (measured: randomUUID cost ~2% of /healthz).
const REQUEST_ID_PREFIX = randomUUID().slice(0, 8);
let requestCounter = 0;
const nextRequestId = () => `${REQUEST_ID_PREFIX}-${(++requestCounter).toString(36)}`;

/**
 * The access log and the request metrics, in one hook: one line per request
 * at `info` (method, route, status, milliseconds, request id, user id when
 * known; never a token, password or hash).
 */
function installRequestLog(app: FastifyInstance, logger: FastifyBaseLogger | undefined, metrics: Metrics | undefined): void {
  // The line's fields are fixed: numbers, the method and the route's pattern (never the URL, which may carry a token in
  // its query), so it skips the redaction every other line gets, and the per-request child logger (measured: the
  // wildcard redaction paths tripled the cost of a line).
  const access = logger?.child({}, { redact: [] });
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const ms = reply.elapsedTime;
    metrics?.request(request.method, route, reply.statusCode, ms / 1000);
    if (reply.statusCode >= 500) countServerError(Date.now());
    access?.info(
      { reqId: request.id, method: request.method, route, status: reply.statusCode, ms: Math.round(ms * 10) / 10, userId: request.caller?.user.id },
      'request',
    );
    done();
  });
}

/**
 * Fastify's trust function for TRUST_PROXY. A hop count is given as a function:
 * Fastify 5 given a number trusts no proxy at all (it cannot check the peer), so
 * every client behind the proxy would have the proxy's address. proxy-addr walks
 * from the socket's peer (index 0) leftwards through X-Forwarded-For; trusting the
 * first `hops` makes the client the address the last trusted proxy saw. An address
 * list is handed over as is: proxy-addr skips trusted addresses from the right and
 * the first one it does not trust is the client.
 */
function trustedProxies(setting: Config['trustProxy']): false | string[] | ((address: string, index: number) => boolean) {
  if (typeof setting === 'number') return setting === 0 ? false : (_address, index) => index < setting;
  return setting;
}

/** One listener's app: the shared hooks, the docs, health, and every enabled surface. */
async function buildApp(
  config: Config,
  core: Core,
  logger: FastifyBaseLogger,
  style: V1AuthStyle,
  counters: new () => RateLimitStore,
  metrics: Metrics | undefined,
): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: lazyLogger(logger as unknown as Logger),
    // Fastify's own request logging writes two lines a request; Gatehouse writes one (installRequestLog, LOG_REQUESTS).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    // Unique across listeners and instances, so a log line and an x-request-id find each other.
    genReqId: nextRequestId,
    requestTimeout: REQUEST_TIMEOUT_MS,
    // Given to Node at creation: Fastify sets requestTimeout on the server afterwards, where Node's own
    // headersTimeout (60 s) stays above it and a trickled body was held for 90 s and more (measured).
    // Node checks the timeouts once per connectionsCheckingInterval (30 s by default): once a second cuts at 30-31 s.
    http: { maxHeaderSize: MAX_HEADER_BYTES, requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: REQUEST_TIMEOUT_MS, connectionsCheckingInterval: 1000 },
    trustProxy: trustedProxies(config.trustProxy),
    return503OnClosing: true,
    frameworkErrors: (error, request, rawReply) => {
      const reply = rawReply as FastifyReply;
      // A URL that cannot be decoded: under /cache/ it names no file; elsewhere it is a bad request.
      if (request.url.startsWith('/cache/')) return reply.code(404).send({ detail: 'File not found' });
      return reply.code(400).send({ detail: error.code === 'FST_ERR_BAD_URL' ? 'Bad Request: the URL cannot be decoded' : 'Bad Request' });
    },
  });
  app.setValidatorCompiler(validatorCompiler());
  app.setSerializerCompiler(serializerCompiler);
  const unroutedMethod = installNotFound(app, style);
  installJsonParser(app);
  // What every request goes through first, as one hook (each hook is a step of Fastify's own per request; in a CPU
  // profile of /healthz under load, its hook runner and the four hooks were ~2% of the busy samples): methods no
  // route uses answered (404/405); a body that is not JSON refused under /api/ (415) before it is read; the
  // security headers; the client's address known to the core for a request that can change something (audit events).
  app.addHook('onRequest', (request, reply, done) => {
    if (unroutedMethod(request, reply)) return;
    const refused = otherMediaType(request);
    if (refused) return done(refused);
    setSecurityHeaders(request, reply);
    withRequestOrigin(request, done);
  });
  await installCors(app, config.corsOrigins);
  refuseNulCharacters(app);
  installAuthentication(app, core);
  await app.register(formbody, { bodyLimit: BODY_LIMIT });
  await registerApiDocs(app, style);
  await app.register(healthRoutes, { stores: core.stores });
  // The pages' style and scripts, for every page surface (pages, account, sign-in, console).
  await app.register(assetRoutes);
  if (metrics) await app.register(metricsRoute, { metrics, token: config.metricsToken });
  if (config.logRequests || metrics) installRequestLog(app, config.logRequests ? logger : undefined, metrics);
  const limits = await installRateLimits(app, config.rateLimit, counters);
  for (const surface of SURFACES) {
    if (config.surfaces.has(surface.name)) await app.register(surface.plugin, { core, config, limits, style });
  }
  return app;
}
