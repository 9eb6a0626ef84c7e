import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigError, readSettings, type Env, type SettingValues } from './settings.ts';

export { ConfigError, parseDatabaseUrl } from './settings.ts';

type V = SettingValues;

/**
 * Every setting Gatehouse reads, grouped for the code that uses them. Built
 * once at start by {@link loadConfig}; nothing else reads the environment.
 * Each field's type is its setting's parser's (`settings.ts`), so the table
 * of settings is the one place a setting is declared.
 */
export interface Config {
  host: V['HOST'];
  /** Port of the main listener. */
  port: V['PORT'];
  dataDir: V['DATA_DIR'];
  database: V['DATABASE_URL'];
  redisUrl: V['REDIS_URL'];
  /** Namespace of every Redis key. */
  redisPrefix: V['REDIS_PREFIX'];
  /** PostgreSQL connections per instance. */
  databasePoolSize: V['DATABASE_POOL_SIZE'];
  /** How long a database or Redis call may take before the request answers 503 (ms). */
  storeTimeoutMs: V['STORE_TIMEOUT_MS'];
  /** How long to keep trying to reach PostgreSQL and Redis at start (s). */
  startupWaitSeconds: V['STARTUP_WAIT_SECONDS'];
  /** null: ES256, or HS256 where a JWT secret exists (decided in boot.ts). */
  jwtAlgorithm: V['JWT_ALGORITHM'];
  /** null: generate one and keep it in DATA_DIR. */
  jwtSecret: V['JWT_SECRET'];
  /** Old signing secrets still accepted for verification. */
  jwtPreviousSecrets: V['JWT_PREVIOUS_SECRETS'];
  /** The key sealing secrets at rest; null: generate one and keep it in DATA_DIR. */
  encryptionKey: V['MFA_ENCRYPTION_KEY'];
  imageDir: V['IMAGE_DIR'];
  smtpUrl: V['SMTP_URL'];
  mailFrom: V['MAIL_FROM'];
  /** Where people reach this server; links in mail are built from it. */
  publicUrl: V['PUBLIC_URL'];
  /** The reset link; `{token}` is replaced. */
  resetUrlTemplate: V['RESET_URL_TEMPLATE'];
  /** The verification link; `{token}` is replaced. */
  verifyUrlTemplate: V['VERIFY_URL_TEMPLATE'];
  requireVerifiedEmail: V['REQUIRE_VERIFIED_EMAIL'];
  mfaLegacyLogin: V['MFA_LEGACY_LOGIN'];
  mfaRequired: V['MFA_REQUIRED'];
  smsWebhookUrl: V['SMS_WEBHOOK_URL'];
  resetMailSubject: V['RESET_MAIL_SUBJECT'];
  /** The reset mail's text; `{link}`, `{token}` and `{minutes}` are replaced. null: the built-in bilingual text. */
  resetMailText: V['RESET_MAIL_TEXT'];
  /** The style of `/api/v1/auth` on the main listener. */
  v1AuthStyle: V['V1_AUTH_STYLE'];
  /** A second listener answering `/api/v1/auth` in envelope style; null: none. */
  envelopePort: V['ENVELOPE_PORT'];
  /** Envelope-style refresh hands out a new refresh token each time (and retires the presented one). */
  refreshTokenRotation: V['REFRESH_TOKEN_ROTATION'];
  surfaces: V['SURFACES'];
  passwordHash: V['PASSWORD_HASH'];
  logLevel: V['LOG_LEVEL'];
  /** Access-token lifetimes per surface, seconds. */
  tokenTtl: {
    users: V['USERS_TOKEN_TTL_MINUTES'];
    auth: V['AUTH_TOKEN_TTL_MINUTES'];
    v1Auth: V['V1_AUTH_TOKEN_TTL_MINUTES'];
    envelope: V['ENVELOPE_TOKEN_TTL_MINUTES'];
  };
  /** Load the demo products into an empty catalog at start. */
  demoData: V['DEMO_DATA'];
  /** Rate limits on the sensitive endpoints (per minute); null when RATE_LIMIT=off. */
  rateLimit: { perIp: V['RATE_LIMIT_PER_IP']; perAccount: V['RATE_LIMIT_PER_ACCOUNT'] } | null;
  /** Browser origins allowed to call the API (CORS); empty: no CORS headers. */
  corsOrigins: V['CORS_ORIGINS'];
  /** A session unused this long ends (minutes; 0 = no idle limit). */
  sessionIdleMinutes: V['SESSION_IDLE_MINUTES'];
  /** Where audit events are also POSTed as JSON (optional). */
  auditWebhookUrl: V['AUDIT_WEBHOOK_URL'];
  /** One access-log line per request. */
  logRequests: V['LOG_REQUESTS'];
  /** Prometheus metrics at /metrics. */
  metrics: V['METRICS'];
  /** Bearer token for /metrics from other hosts; null: loopback only. */
  metricsToken: V['METRICS_TOKEN'];
  /** Which proxies' X-Forwarded-For to believe for the client IP. */
  trustProxy: V['TRUST_PROXY'];
}

/**
 * The environment merged with `.env` in the working directory (when present).
 * Real environment variables win over the file.
 */
export function readEnvironment(cwd = process.cwd(), env: Env = process.env): Env {
  const file = resolve(cwd, '.env');
  if (!existsSync(file)) return { ...env };
  let fromFile: Env;
  try {
    fromFile = parseEnv(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`.env: cannot be read (${(error as Error).message})`);
  }
  return { ...fromFile, ...env };
}

/** Validates every setting (see `settings.ts`). Throws {@link ConfigError} naming the first bad one. */
export function loadConfig(env: Env, overrides: Partial<Config> = {}): Config {
  const v = readSettings(env);
  const config: Config = {
    host: v.HOST,
    port: v.PORT,
    dataDir: v.DATA_DIR,
    database: v.DATABASE_URL,
    redisUrl: v.REDIS_URL,
    redisPrefix: v.REDIS_PREFIX,
    databasePoolSize: v.DATABASE_POOL_SIZE,
    storeTimeoutMs: v.STORE_TIMEOUT_MS,
    startupWaitSeconds: v.STARTUP_WAIT_SECONDS,
    jwtAlgorithm: v.JWT_ALGORITHM,
    jwtSecret: v.JWT_SECRET,
    jwtPreviousSecrets: v.JWT_PREVIOUS_SECRETS,
    encryptionKey: v.MFA_ENCRYPTION_KEY,
    imageDir: v.IMAGE_DIR,
    smtpUrl: v.SMTP_URL,
    mailFrom: v.MAIL_FROM,
    publicUrl: v.PUBLIC_URL,
    resetUrlTemplate: v.RESET_URL_TEMPLATE,
    verifyUrlTemplate: v.VERIFY_URL_TEMPLATE,
    requireVerifiedEmail: v.REQUIRE_VERIFIED_EMAIL,
    mfaLegacyLogin: v.MFA_LEGACY_LOGIN,
    mfaRequired: v.MFA_REQUIRED,
    smsWebhookUrl: v.SMS_WEBHOOK_URL,
    resetMailSubject: v.RESET_MAIL_SUBJECT,
    resetMailText: v.RESET_MAIL_TEXT,
    v1AuthStyle: v.V1_AUTH_STYLE,
    envelopePort: v.ENVELOPE_PORT,
    refreshTokenRotation: v.REFRESH_TOKEN_ROTATION,
    surfaces: v.SURFACES,
    passwordHash: v.PASSWORD_HASH,
    logLevel: v.LOG_LEVEL,
    tokenTtl: { users: v.USERS_TOKEN_TTL_MINUTES, auth: v.AUTH_TOKEN_TTL_MINUTES, v1Auth: v.V1_AUTH_TOKEN_TTL_MINUTES, envelope: v.ENVELOPE_TOKEN_TTL_MINUTES },
    demoData: v.DEMO_DATA,
    trustProxy: v.TRUST_PROXY,
    rateLimit: v.RATE_LIMIT ? { perIp: v.RATE_LIMIT_PER_IP, perAccount: v.RATE_LIMIT_PER_ACCOUNT } : null,
    corsOrigins: v.CORS_ORIGINS,
    sessionIdleMinutes: v.SESSION_IDLE_MINUTES,
    auditWebhookUrl: v.AUDIT_WEBHOOK_URL,
    logRequests: v.LOG_REQUESTS,
    metrics: v.METRICS,
    metricsToken: v.METRICS_TOKEN,
  };
  return { ...config, ...overrides };
}
