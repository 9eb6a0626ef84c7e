import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { readFileSync } from 'node:fs';
import type { HashAlgorithm } from './core/passwords.ts';
import type { DatabaseTarget } from './store/open-stores.ts';
import { SURFACE_NAMES, type SurfaceName } from './surfaces/registry.ts';

export { SURFACE_NAMES, type SurfaceName };

/** Every setting Gatehouse reads. Built once at start by {@link loadConfig}; nothing else reads the environment. */
export interface Config {
  host: string;
  port: number;
  dataDir: string;
  database: DatabaseTarget;
  redisUrl: string | null;
  /** Namespace of every Redis key. */
  redisPrefix: string;
  /** PostgreSQL connections per instance. */
  databasePoolSize: number;
  /** How long a database or Redis call may take before the request answers 503 (ms). */
  storeTimeoutMs: number;
  /** null: generate one and keep it in DATA_DIR. */
  jwtSecret: string | null;
  /** Old signing secrets still accepted for verification (comma separated in JWT_PREVIOUS_SECRETS). */
  jwtPreviousSecrets: string[];
  imageDir: string;
  smtpUrl: string | null;
  /** Sender address of Gatehouse's mail. */
  mailFrom: string;
  /** The reset link; `{token}` is replaced. */
  resetUrlTemplate: string;
  resetMailSubject: string | null;
  /** The reset mail's text; `{link}`, `{token}` and `{minutes}` are replaced. null: the built-in bilingual text. */
  resetMailText: string | null;
  /** The style of `/api/v1/auth` on the main listener (PORT). */
  v1AuthStyle: 'plain' | 'envelope';
  /** A second listener answering `/api/v1/auth` in envelope style (seed 003's clients); null: none. */
  envelopePort: number | null;
  /** Envelope-style refresh hands out a new refresh token each time (and retires the presented one). */
  refreshTokenRotation: boolean;
  surfaces: ReadonlySet<SurfaceName>;
  passwordHash: HashAlgorithm;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Access-token lifetimes per surface, seconds. */
  tokenTtl: { users: number; auth: number; v1Auth: number; envelope: number };
  /** Load the demo products into an empty catalog at start. */
  demoData: boolean;
  /** Rate limits on the sensitive endpoints (per minute); null when RATE_LIMIT=off. */
  rateLimit: { perIp: number; perAccount: number } | null;
  /** Browser origins allowed to call the API (CORS); empty: no CORS headers. */
  corsOrigins: string[];
  /** A session unused this long ends (minutes; 0 = no idle limit). */
  sessionIdleMinutes: number;
  /** Where audit events are also POSTed as JSON (optional). */
  auditWebhookUrl: string | null;
  /** Which proxies' X-Forwarded-For to believe for the client IP: false, true, a hop count, or addresses/CIDRs. */
  trustProxy: boolean | number | string[];
}

/** A setting has a value Gatehouse cannot use. The message names the setting. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

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

/** Validates every setting. Throws {@link ConfigError} naming the first bad one. */
export function loadConfig(env: Env, overrides: Partial<Config> = {}): Config {
  const dataDir = resolve(text(env, 'DATA_DIR') ?? './data');
  const config: Config = {
    host: text(env, 'HOST') ?? '127.0.0.1',
    port: integer(env, 'PORT', 8000, 0, 65535),
    dataDir,
    database: databaseTarget(text(env, 'DATABASE_URL'), dataDir),
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    redisPrefix: text(env, 'REDIS_PREFIX') ?? 'gatehouse:',
    databasePoolSize: integer(env, 'DATABASE_POOL_SIZE', 10, 1, 1000),
    storeTimeoutMs: integer(env, 'STORE_TIMEOUT_MS', 2000, 100, 60_000),
    jwtSecret: secret(env),
    jwtPreviousSecrets: (text(env, 'JWT_PREVIOUS_SECRETS') ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    imageDir: resolve(text(env, 'IMAGE_DIR') ?? resolve(dataDir, 'images')),
    smtpUrl: url(env, 'SMTP_URL', ['smtp:', 'smtps:']),
    mailFrom: text(env, 'MAIL_FROM') ?? 'Gatehouse <no-reply@localhost>',
    resetUrlTemplate: resetTemplate(env),
    resetMailSubject: text(env, 'RESET_MAIL_SUBJECT') ?? null,
    resetMailText: text(env, 'RESET_MAIL_TEXT')?.replaceAll('\\n', '\n') ?? null,
    v1AuthStyle: oneOf(env, 'V1_AUTH_STYLE', ['plain', 'envelope'] as const, 'plain'),
    envelopePort: text(env, 'ENVELOPE_PORT')?.toLowerCase() === 'off' ? null : integer(env, 'ENVELOPE_PORT', 5000, 0, 65535),
    refreshTokenRotation: boolean(env, 'REFRESH_TOKEN_ROTATION', false),
    surfaces: surfaces(env),
    passwordHash: oneOf(env, 'PASSWORD_HASH', ['argon2id', 'argon2i'] as const, 'argon2id'),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    tokenTtl: {
      users: integer(env, 'USERS_TOKEN_TTL_MINUTES', 180, 1, 525600) * 60,
      auth: integer(env, 'AUTH_TOKEN_TTL_MINUTES', 30, 1, 525600) * 60,
      v1Auth: integer(env, 'V1_AUTH_TOKEN_TTL_MINUTES', 60, 1, 525600) * 60,
      envelope: integer(env, 'ENVELOPE_TOKEN_TTL_MINUTES', 1440, 1, 525600) * 60,
    },
    demoData: boolean(env, 'DEMO_DATA', true),
    trustProxy: trustProxy(env),
    rateLimit: boolean(env, 'RATE_LIMIT', true)
      ? { perIp: integer(env, 'RATE_LIMIT_PER_IP', 60, 1, 1_000_000), perAccount: integer(env, 'RATE_LIMIT_PER_ACCOUNT', 10, 1, 1_000_000) }
      : null,
    corsOrigins: corsOrigins(env),
    sessionIdleMinutes: integer(env, 'SESSION_IDLE_MINUTES', 0, 0, 525_600),
    auditWebhookUrl: url(env, 'AUDIT_WEBHOOK_URL', ['http:', 'https:']),
  };
  return { ...config, ...overrides };
}

function text(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
  }
  return Number(raw);
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = text(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false (got "${raw}")`);
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new ConfigError(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
  return raw as T;
}

function url(env: Env, name: string, protocols: string[]): string | null {
  const raw = text(env, name);
  if (raw === undefined) return null;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a valid URL`);
  }
  if (!protocols.includes(parsed.protocol)) throw new ConfigError(`${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  return raw;
}

function corsOrigins(env: Env): string[] {
  const raw = text(env, 'CORS_ORIGINS');
  if (raw === undefined) return [];
  const list = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const origin of list) {
    if (origin === '*') continue;
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      throw new ConfigError(`CORS_ORIGINS: "${origin}" is not an origin like https://app.example.com`);
    }
    if (parsed.origin !== origin) throw new ConfigError(`CORS_ORIGINS: "${origin}" is not an origin like https://app.example.com (no path, no trailing slash)`);
  }
  return list;
}

function trustProxy(env: Env): boolean | number | string[] {
  const raw = text(env, 'TRUST_PROXY');
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  const list = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const entry of list) {
    if (!/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(entry)) throw new ConfigError(`TRUST_PROXY must be true, false, a hop count, or IP addresses/CIDRs (got "${entry}")`);
  }
  return list;
}

function resetTemplate(env: Env): string {
  const raw = text(env, 'RESET_URL_TEMPLATE');
  if (raw === undefined) return `http://${text(env, 'HOST') ?? '127.0.0.1'}:${text(env, 'PORT') ?? '8000'}/reset-password?token={token}`;
  if (!raw.includes('{token}')) throw new ConfigError('RESET_URL_TEMPLATE must contain {token}');
  return raw;
}

function secret(env: Env): string | null {
  const raw = env.JWT_SECRET;
  if (raw === undefined || raw === '') return null;
  if (Buffer.byteLength(raw, 'utf8') < 32) throw new ConfigError('JWT_SECRET must be at least 32 bytes long (or unset, to have one generated)');
  return raw;
}

function surfaces(env: Env): ReadonlySet<SurfaceName> {
  const raw = text(env, 'SURFACES');
  if (raw === undefined) return new Set(SURFACE_NAMES);
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const name of names) {
    if (!(SURFACE_NAMES as readonly string[]).includes(name)) throw new ConfigError(`SURFACES: unknown surface "${name}" (known: ${SURFACE_NAMES.join(', ')})`);
  }
  return new Set(names as SurfaceName[]);
}

/** Parses a DATABASE_URL value (`sqlite:<path>`, `postgres://...`, `memory:`). */
export function parseDatabaseUrl(raw: string, dataDir: string): DatabaseTarget {
  return databaseTarget(raw, dataDir);
}

function databaseTarget(raw: string | undefined, dataDir: string): DatabaseTarget {
  if (raw === undefined) return { kind: 'sqlite', path: resolve(dataDir, 'gatehouse.db') };
  if (raw === 'memory:' || raw === 'memory') return { kind: 'memory' };
  if (raw.startsWith('sqlite:')) {
    const path = raw.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '') throw new ConfigError('DATABASE_URL: sqlite: needs a file path, e.g. sqlite:./data/gatehouse.db');
    return { kind: 'sqlite', path: path === ':memory:' ? path : resolve(path) };
  }
  if (raw.startsWith('postgres://') || raw.startsWith('postgresql://')) return { kind: 'postgres', url: raw };
  throw new ConfigError('DATABASE_URL must start with sqlite: or postgres://');
}
