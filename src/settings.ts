import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, resolve } from 'node:path';
import type { HashAlgorithm } from './core/passwords.ts';
import { JWT_ALGORITHMS, type JwtAlgorithm } from './core/jwt-algorithms.ts';
import { PROJECT_DIR } from './project-dir.ts';
import type { DatabaseTarget } from './store/open-stores.ts';
import { SURFACE_NAMES, type SurfaceName, surfaceRequires } from './surfaces/names.ts';

/** A setting has a value Gatehouse cannot use. The message names the setting. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

/** One setting: where it lands in `Config`, how it is read, its default as the README shows it, and what it means. */
export interface Setting<T> {
  /**
   * Its field in `Config`: `name`, or `group.name` for a field of a grouped object
   * (`tokenTtl.users`). A boolean row whose field is a group's name switches
   * the group: off makes the whole group `null` (`RATE_LIMIT`).
   */
  field: string;
  /** Reads the raw value (undefined when unset or blank); `env` for defaults that follow other settings. */
  parse(raw: string | undefined, env: Env, name: string): T;
  /**
   * The default as documented: a value in backticks (`$NAME` stands for another
   * setting's default) reads as the parser's own default, a test checks it; a
   * phrase or `—` documents a default decided elsewhere, the parser gives null
   * or an empty list.
   */
  default: string;
  meaning: string;
  /** Its value is never printed (`gatehouse doctor` masks it). */
  secret?: true;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

// ---- parsers --------------------------------------------------------------

const text = (fallback: string) => (raw: string | undefined) => raw ?? fallback;
const optionalText = (raw: string | undefined) => raw ?? null;

function integer(fallback: number, min: number, max: number) {
  return (raw: string | undefined, _env: Env, name: string): number => {
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max)
      throw new ConfigError(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
    return Number(raw);
  };
}

function boolean(fallback: boolean) {
  return (raw: string | undefined, _env: Env, name: string): boolean => {
    const value = raw?.toLowerCase();
    if (value === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(value)) return true;
    if (['0', 'false', 'no', 'off'].includes(value)) return false;
    // The README documents on/off; the other usual spellings are accepted alike.
    throw new ConfigError(`${name} must be on or off (or true/false, yes/no, 1/0; got "${value}")`);
  };
}

function oneOf<T extends string>(allowed: readonly T[], fallback: T) {
  return (raw: string | undefined, _env: Env, name: string): T => {
    if (raw === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(raw)) throw new ConfigError(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
    return raw as T;
  };
}

function url(protocols: string[]) {
  return (raw: string | undefined, _env: Env, name: string): string | null => {
    if (raw === undefined) return null;
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw new ConfigError(`${name} is not a valid URL`);
    }
    if (!protocols.includes(parsed.protocol)) throw new ConfigError(`${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
    return raw;
  };
}

/** A comma list of whole seconds (WEBHOOK_RETRY_SECONDS): the waits between attempts. */
function secondsList(fallback: readonly number[]) {
  return (raw: string | undefined, _env: Env, name: string): number[] => {
    if (raw === undefined) return [...fallback];
    const parts = raw.split(',').map((p) => p.trim());
    if (parts.length > 20 || parts.some((p) => !/^\d+$/.test(p) || Number(p) < 1 || Number(p) > 604_800))
      throw new ConfigError(`${name} must be a comma list of at most 20 whole seconds, each from 1 to 604800 (got "${raw}")`);
    return parts.map(Number);
  };
}

const minutes = (fallback: number) => (raw: string | undefined, env: Env, name: string) => integer(fallback, 1, 525_600)(raw, env, name) * 60;

/** DATA_DIR, which other defaults follow. */
const dataDir = (raw: string | undefined) => resolve(PROJECT_DIR, raw ?? 'data');
const HOST_DEFAULT = '127.0.0.1';

/** Blank counts as unset. */
export function clean(raw: string | undefined): string | undefined {
  const value = raw?.trim();
  return value === '' ? undefined : value;
}

function databaseTarget(raw: string | undefined, dataDir: string): DatabaseTarget {
  if (raw === undefined) return { kind: 'sqlite', path: resolve(dataDir, 'gatehouse.db') };
  if (raw === 'memory:' || raw === 'memory') return { kind: 'memory' };
  if (raw.startsWith('sqlite:')) {
    const path = raw.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '') throw new ConfigError('DATABASE_URL: sqlite: needs a file path, e.g. sqlite:./data/gatehouse.db');
    if (path === ':memory:') return { kind: 'sqlite', path };
    const file = resolve(PROJECT_DIR, path);
    // A mistyped folder would otherwise become a new, empty installation without a word; DATA_DIR is
    // the one folder Gatehouse creates (and says so).
    if (!existsSync(dirname(file)) && dirname(file) !== dataDir)
      throw new ConfigError(`DATABASE_URL: the folder ${dirname(file)} does not exist (create it first, or correct the path in ${raw})`);
    return { kind: 'sqlite', path: file };
  }
  if (raw.startsWith('postgres://') || raw.startsWith('postgresql://')) return { kind: 'postgres', url: raw };
  throw new ConfigError('DATABASE_URL: must start with sqlite: or postgres:// (or be memory: for a throwaway run)');
}

/** Parses a DATABASE_URL value (`sqlite:<path>`, `postgres://...`, `memory:`). */
export const parseDatabaseUrl = (raw: string, dataDir: string): DatabaseTarget => databaseTarget(raw, dataDir);

function surfaces(raw: string | undefined): ReadonlySet<SurfaceName> {
  if (raw === undefined) return new Set(SURFACE_NAMES);
  const names = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const name of names) {
    if (!(SURFACE_NAMES as readonly string[]).includes(name)) throw new ConfigError(`SURFACES: unknown surface "${name}" (known: ${SURFACE_NAMES.join(', ')})`);
  }
  return new Set(names as SurfaceName[]);
}

function corsOrigins(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
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

/** The named ranges proxy-addr knows, accepted as list entries. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];
const TRUST_PROXY_FORMS = "false, a hop count (e.g. 1), or the proxies' addresses/CIDRs (e.g. 10.0.0.5,10.1.0.0/16)";

/**
 * `true` is refused: it takes the left-most X-Forwarded-For entry, which the client
 * writes, so anyone could pick their address (open /metrics, escape per-IP limits).
 */
function trustProxy(raw: string | undefined): false | number | string[] {
  if (raw === undefined || raw === 'false' || raw === '0') return false;
  if (raw === 'true') throw new ConfigError(`TRUST_PROXY: true would let every client choose its own address; use ${TRUST_PROXY_FORMS}`);
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    if (hops > 100) throw new ConfigError(`TRUST_PROXY must be ${TRUST_PROXY_FORMS} (got "${raw}")`);
    return hops;
  }
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const entry of list) {
    if (PROXY_RANGE_NAMES.includes(entry)) continue;
    const [address = '', bits, ...rest] = entry.split('/');
    const family = isIP(address);
    const maxBits = family === 6 ? 128 : 32;
    const validBits = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits);
    if (family === 0 || !validBits || rest.length > 0) throw new ConfigError(`TRUST_PROXY must be ${TRUST_PROXY_FORMS} (got "${entry}")`);
  }
  return list;
}

function secret(raw: string | undefined, _env: Env, name: string): string | null {
  if (raw === undefined) return null;
  if (Buffer.byteLength(raw, 'utf8') < 32) throw new ConfigError(`${name} must be at least 32 bytes long (or unset, to have one generated)`);
  return raw;
}

/** 0.0.0.0, ::, [::] and the like: every address of the machine, none that a browser can open. */
function isWildcard(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  return bare === '0.0.0.0' || (isIP(bare) === 6 && /^[0:]+$/.test(bare));
}

function publicUrl(raw: string | undefined, env: Env): string {
  const host = clean(env.HOST) ?? HOST_DEFAULT;
  if (raw === undefined && isWildcard(host)) {
    // The OpenID issuer, the links in mail and passkeys' origin are all built from it: http://0.0.0.0 would break each.
    throw new ConfigError(`PUBLIC_URL: must be set when HOST is ${host}: the address people and apps reach this server at, e.g. https://auth.example.com`);
  }
  if (raw === undefined) return `http://${host}:${clean(env.PORT) ?? '8000'}`;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError('PUBLIC_URL is not a valid URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ConfigError('PUBLIC_URL must start with http:// or https://');
  return raw.replace(/\/+$/, '');
}

/** A link template with `{token}`; by default the page of that path on PUBLIC_URL. */
function linkTemplate(path: string) {
  return (raw: string | undefined, env: Env, name: string): string => {
    if (raw === undefined) return `${publicUrl(clean(env.PUBLIC_URL), env)}${path}?token={token}`;
    if (!raw.includes('{token}')) throw new ConfigError(`${name} must contain {token}`);
    return raw;
  };
}

/** SMS_ALLOWED_COUNTRY_CODES: `*`, or calling codes (1 to 3 digits, `+` optional). */
function callingCodes(raw: string | undefined, _env: Env, name: string): readonly string[] | '*' {
  if (raw === '*') return '*';
  const list = (raw ?? '86')
    .split(',')
    .map((c) => c.trim().replace(/^\+/, ''))
    .filter(Boolean);
  for (const code of list) if (!/^[1-9]\d{0,2}$/.test(code)) throw new ConfigError(`${name} must be * or calling codes like 86,852 (got "${code}")`);
  if (list.length === 0) throw new ConfigError(`${name} must be * or calling codes like 86,852`);
  return list;
}

/** PHONE_DEFAULT_REGION: an ISO 3166 two-letter region (checked against libphonenumber's list at start). */
function region(raw: string | undefined, _env: Env, name: string): string {
  if (raw === undefined) return 'CN';
  if (!/^[A-Za-z]{2}$/.test(raw)) throw new ConfigError(`${name} must be a two-letter region such as CN or US (got "${raw}")`);
  return raw.toUpperCase();
}

function envelopePort(raw: string | undefined, env: Env, name: string): number | null {
  return raw?.toLowerCase() === 'off' ? null : integer(5000, 0, 65535)(raw, env, name);
}

// ---- the table ------------------------------------------------------------

/**
 * Every setting Gatehouse reads, declared once: the parser gives the value's
 * type and checks it, and the README's settings table and `gatehouse doctor`
 * are written from the same rows (a test fails when the README differs).
 */
export const SETTINGS = {
  HOST: { field: 'host', parse: text(HOST_DEFAULT), default: '`127.0.0.1`', meaning: 'address to listen on' },
  PORT: { field: 'port', parse: integer(8000, 0, 65535), default: '`8000`', meaning: 'port of the main listener' },
  ENVELOPE_PORT: {
    field: 'envelopePort',
    parse: envelopePort,
    default: '`5000`',
    meaning: 'port of the second listener, where `/api/v1/auth` answers in the envelope style; `off`: none',
  },
  V1_AUTH_STYLE: {
    field: 'v1AuthStyle',
    parse: oneOf(['plain', 'envelope'] as const, 'plain'),
    default: '`plain`',
    meaning: 'the style of `/api/v1/auth` on the main listener: `plain` (Chinese `{detail}` messages) or `envelope`',
  },
  SURFACES: {
    field: 'surfaces',
    parse: surfaces,
    default: `\`${SURFACE_NAMES.join(',')}\``,
    meaning:
      "comma list of the surfaces to serve; one that sends people to another's page needs it too (`console` and `orgs` need `account`; `oidc` needs `account` with `MFA_REQUIRED`; what mails a link needs `pages` unless both link templates point elsewhere)",
  },
  DEMO_DATA: { field: 'demoData', parse: boolean(true), default: '`true`', meaning: 'load the demo catalog into an empty database at start' },
  LOG_LEVEL: {
    field: 'logLevel',
    parse: oneOf(LOG_LEVELS, 'info'),
    default: '`info`',
    meaning: '`fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`',
  },
  TRUST_PROXY: {
    field: 'trustProxy',
    parse: trustProxy,
    default: '`false`',
    meaning:
      "behind proxies: the number of proxies in front (the client is the address the last one saw), or the proxies' addresses/CIDRs (the right-most other address in X-Forwarded-For is the client); `true` is refused",
  },
  DATA_DIR: {
    field: 'dataDir',
    parse: dataDir,
    default: '`./data`',
    meaning:
      'where the SQLite file, the generated JWT secret and encryption key, and images live; a relative path is taken from the project folder, not the working directory',
  },
  DATABASE_URL: {
    field: 'database',
    secret: true,
    parse: (raw: string | undefined, env: Env) => databaseTarget(raw, dataDir(clean(env.DATA_DIR))),
    default: '`sqlite:$DATA_DIR/gatehouse.db`',
    meaning: '`sqlite:<path>`, `postgres://…` (several instances), or `memory:` for a throwaway run',
  },
  DATABASE_POOL_SIZE: { field: 'databasePoolSize', parse: integer(10, 1, 1000), default: '`10`', meaning: 'PostgreSQL connections per instance' },
  REDIS_URL: {
    field: 'redisUrl',
    secret: true,
    parse: url(['redis:', 'rediss:']),
    default: '—',
    meaning: '`redis://…`: sessions, lockout counters, reset tokens and rate-limit counters in Redis (shared by every instance)',
  },
  REDIS_PREFIX: { field: 'redisPrefix', parse: text('gatehouse:'), default: '`gatehouse:`', meaning: 'namespace of every Redis key' },
  STARTUP_WAIT_SECONDS: {
    field: 'startupWaitSeconds',
    parse: integer(30, 0, 3600),
    default: '`30`',
    meaning: 'how long to keep trying to reach PostgreSQL and Redis at start before giving up with one line (compose-style start order)',
  },
  STORE_TIMEOUT_MS: {
    field: 'storeTimeoutMs',
    parse: integer(2000, 100, 60_000),
    default: '`2000`',
    meaning: 'longest wait for the database or Redis before a request answers 503',
  },
  IMAGE_DIR: {
    field: 'imageDir',
    parse: (raw: string | undefined, env: Env) => resolve(PROJECT_DIR, raw ?? resolve(dataDir(clean(env.DATA_DIR)), 'images')),
    default: '`$DATA_DIR/images`',
    meaning: 'catalog images (`IMAGE_DIR/catalog/...`)',
  },
  JWT_ALGORITHM: {
    field: 'jwtAlgorithm',
    parse: (raw: string | undefined, env: Env, name: string): JwtAlgorithm | null =>
      raw === undefined ? null : oneOf(JWT_ALGORITHMS, 'ES256')(raw, env, name),
    default: '`ES256`, or `HS256` where a JWT secret exists',
    meaning:
      'what tokens are signed with: `ES256`, `EdDSA` or `RS256` (keys kept in the database, public at `/.well-known/jwks.json`, `gatehouse keys`), or `HS256` with `JWT_SECRET`. Unset: `HS256` for an installation that has a JWT secret (set, or in `DATA_DIR/jwt-secret`), `ES256` for a new one',
  },
  JWT_SECRET: {
    field: 'jwtSecret',
    secret: true,
    parse: secret,
    default: 'generated',
    meaning:
      'HS256 signing secret, at least 32 bytes. Unset with `HS256`: one is generated on first start and kept in `DATA_DIR/jwt-secret` (mode 0600). With another algorithm it only verifies tokens signed before the switch',
  },
  JWT_PREVIOUS_SECRETS: {
    field: 'jwtPreviousSecrets',
    secret: true,
    parse: (raw: string | undefined) =>
      (raw ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    default: '—',
    meaning:
      'comma-separated old HS256 secrets still accepted for verification: after a rotation, or after a move to another `JWT_ALGORITHM` until the tokens they signed expire',
  },
  MFA_ENCRYPTION_KEY: {
    field: 'encryptionKey',
    secret: true,
    parse: secret,
    default: 'generated',
    meaning:
      'the key (at least 32 bytes) sealing every secret kept at rest (AES-256-GCM): private signing keys, second-factor secrets. Unset: one is generated on first start and kept in `DATA_DIR/encryption-key` (mode 0600); required with PostgreSQL',
  },
  USERS_TOKEN_TTL_MINUTES: { field: 'tokenTtl.users', parse: minutes(180), default: '`180`', meaning: 'access-token lifetime on `/api/users`' },
  AUTH_TOKEN_TTL_MINUTES: { field: 'tokenTtl.auth', parse: minutes(30), default: '`30`', meaning: 'access-token lifetime on `/api/auth`' },
  V1_AUTH_TOKEN_TTL_MINUTES: { field: 'tokenTtl.v1Auth', parse: minutes(60), default: '`60`', meaning: 'access-token lifetime on `/api/v1/auth` (plain)' },
  ENVELOPE_TOKEN_TTL_MINUTES: {
    field: 'tokenTtl.envelope',
    parse: minutes(1440),
    default: '`1440`',
    meaning: 'access-token lifetime on `/api/v1/auth` (envelope)',
  },
  REFRESH_TOKEN_ROTATION: {
    field: 'refreshTokenRotation',
    parse: boolean(false),
    default: '`off`',
    meaning: '`on`: envelope-style refresh hands out a new refresh token each time; the replaced one gets the same answer for 10 s, later it ends the session',
  },
  SESSION_IDLE_MINUTES: {
    field: 'sessionIdleMinutes',
    parse: integer(0, 0, 525_600),
    default: '`0`',
    meaning: 'a session unused this long ends (0: no idle limit)',
  },
  PASSWORD_HASH: {
    field: 'passwordHash',
    parse: oneOf<HashAlgorithm>(['argon2id', 'argon2i'], 'argon2id'),
    default: '`argon2id`',
    meaning: '`argon2id` or `argon2i` for new hashes; any argon2 variant verifies and is upgraded on login',
  },
  RATE_LIMIT: {
    field: 'rateLimit',
    parse: boolean(true),
    default: '`on`',
    meaning: 'rate limits on login, register, refresh, forgot/reset and password changes (429 with `Retry-After`)',
  },
  RATE_LIMIT_PER_IP: {
    field: 'rateLimit.perIp',
    parse: integer(60, 1, 1_000_000),
    default: '`60`',
    meaning: 'requests a minute from one address to one group of limited endpoints',
  },
  RATE_LIMIT_PER_ACCOUNT: {
    field: 'rateLimit.perAccount',
    parse: integer(10, 1, 1_000_000),
    default: '`10`',
    meaning: 'failed logins (and reset mails) a minute naming one account, from anywhere',
  },
  CORS_ORIGINS: {
    field: 'corsOrigins',
    parse: corsOrigins,
    default: '—',
    meaning: 'comma list of browser origins allowed to call the API (`*` for any); unset: no CORS headers',
  },
  SMTP_URL: {
    field: 'smtpUrl',
    secret: true,
    parse: url(['smtp:', 'smtps:']),
    default: '—',
    meaning: '`smtp://` or `smtps://` URL for mail; unset: mail is kept in the outbox (`npx gatehouse mail list`)',
  },
  MAIL_FROM: {
    field: 'mailFrom',
    parse: text('Gatehouse <no-reply@localhost>'),
    default: '`Gatehouse <no-reply@localhost>`',
    meaning: "sender of Gatehouse's mail",
  },
  PUBLIC_URL: {
    field: 'publicUrl',
    parse: publicUrl,
    default: '`http://$HOST:$PORT`',
    meaning:
      'where people reach this server: the links in mail (its `/reset-password` and `/verify-email` pages), the OpenID issuer and passkeys are built from it; required when `HOST` is `0.0.0.0` or `::`',
  },
  RESET_URL_TEMPLATE: {
    field: 'resetUrlTemplate',
    parse: linkTemplate('/reset-password'),
    default: '`$PUBLIC_URL/reset-password?token={token}`',
    meaning: 'the link in the reset mail, for apps with their own page (`{token}` is replaced)',
  },
  VERIFY_URL_TEMPLATE: {
    field: 'verifyUrlTemplate',
    parse: linkTemplate('/verify-email'),
    default: '`$PUBLIC_URL/verify-email?token={token}`',
    meaning: 'the link in the verification mail, for apps with their own page (`{token}` is replaced)',
  },
  REQUIRE_VERIFIED_EMAIL: {
    field: 'requireVerifiedEmail',
    parse: boolean(false),
    default: '`off`',
    meaning: "`on`: an account with an unverified email cannot log in (403, in each surface's shape)",
  },
  MFA_REQUIRED: {
    field: 'mfaRequired',
    parse: oneOf(['off', 'staff', 'all'] as const, 'off'),
    default: '`off`',
    meaning:
      '`staff` (`is_staff` or superuser accounts) or `all`: accounts covered must set up a second factor at their next sign-in on `/account` before anything else (that sign-in can do nothing else), and cannot remove their last one; until then every API login answers 403',
  },
  CONSOLE_MFA: {
    field: 'consoleMfa',
    parse: boolean(true),
    default: '`on`',
    meaning:
      'staff power — the console (`/admin`) and the staff API (`/api/admin`) — needs a sign-in with a second factor (TOTP, recovery code or passkey): staff without one are sent to `/account` to set it up, an admin token from a password-only login gets 403; `off`: a password is enough there (`MFA_REQUIRED` still applies)',
  },
  CONSOLE_PROVIDERS: {
    field: 'consoleProviders',
    parse: boolean(false),
    default: '`off`',
    meaning:
      "`on`: the console's sign-in shows the upstream identity providers' buttons (`gatehouse providers`), and staff power — the console and the staff API — may come from a sign-in through one (the account's own second factor is still asked where `CONSOLE_MFA` covers it; the provider's counts only with `--trust-mfa`); `off`: staff sign in to the console with their own password or passkey only, and a session from a provider's sign-in holds no staff power",
  },
  MFA_LEGACY_LOGIN: {
    field: 'mfaLegacyLogin',
    parse: oneOf(['refuse', 'allow'] as const, 'refuse'),
    default: '`refuse`',
    meaning:
      '`/api/users/login` and `/api/auth/login` have no second step: `refuse` answers 403 (two-step verification required) for an account with a second factor; `allow` lets it in with the password alone (each such login audited), for a migration',
  },
  STEP_UP_MAX_AGE_SECONDS: {
    field: 'stepUpMaxAgeSeconds',
    parse: integer(300, 0, 86_400),
    default: '`300`',
    meaning:
      'a change to how an account is protected (a factor added or removed, new recovery codes, a new password or email) needs the password and, with an authenticator app, a code — unless the session signed in with a second factor at most this long ago',
  },
  SMS_WEBHOOK_URL: {
    field: 'smsWebhookUrl',
    secret: true,
    parse: url(['http:', 'https:']),
    default: '—',
    meaning: 'phone verification codes are POSTed here as `{"to", "text"}`; unset: kept in the outbox',
  },
  SMS_PROVIDER: {
    field: 'sms.provider',
    parse: oneOf(['webhook', 'aliyun', 'tencent', 'twilio'] as const, 'webhook'),
    default: '`webhook`',
    meaning:
      'where texts go: `webhook` (`SMS_WEBHOOK_URL`, else the outbox), `aliyun` (Alibaba Cloud SMS, `ALIYUN_SMS_*`), `tencent` (Tencent Cloud SMS, `TENCENT_SMS_*`) or `twilio` (`TWILIO_*`); a provider that fails or does not answer in time is a 503 with `Retry-After`',
  },
  SMS_ALLOWED_COUNTRY_CODES: {
    field: 'sms.allowedCallingCodes',
    parse: callingCodes,
    default: '`86`',
    meaning:
      'comma list of calling codes texts may go to (`86,852`), or `*` for every one: numbers elsewhere get a 400 before any account is looked at (an SMS-pumping brake)',
  },
  SMS_HOURLY_BUDGET: {
    field: 'sms.hourlyBudget',
    parse: integer(1000, 1, 10_000_000),
    default: '`1000`',
    meaning:
      'texts an hour per calling code, sign-in codes and phone verification together; past it texts to that calling code stop for an hour (503, an `sms.budget_exhausted` audit event and `gatehouse_sms_budget_refusals_total`)',
  },
  PHONE_DEFAULT_REGION: {
    field: 'phoneDefaultRegion',
    parse: region,
    default: '`CN`',
    meaning: 'the region a number written without `+` belongs to (`13800138000` is `+8613800138000`): how numbers are matched and where texts go',
  },
  ALIYUN_SMS_ACCESS_KEY_ID: { field: 'sms.aliyunAccessKeyId', parse: optionalText, default: '—', meaning: 'Alibaba Cloud SMS: the AccessKey ID' },
  ALIYUN_SMS_ACCESS_KEY_SECRET: {
    field: 'sms.aliyunAccessKeySecret',
    secret: true,
    parse: optionalText,
    default: '—',
    meaning: 'Alibaba Cloud SMS: the AccessKey secret (signs each request, HMAC-SHA1)',
  },
  ALIYUN_SMS_SIGN_NAME: {
    field: 'sms.aliyunSignName',
    parse: optionalText,
    default: '—',
    meaning: 'Alibaba Cloud SMS: the approved signature name (签名名称)',
  },
  ALIYUN_SMS_TEMPLATE_CODE: {
    field: 'sms.aliyunTemplateCode',
    parse: optionalText,
    default: '—',
    meaning: 'Alibaba Cloud SMS: the approved template (`SMS_…`), with one variable named `code`',
  },
  ALIYUN_SMS_ENDPOINT: {
    field: 'sms.aliyunEndpoint',
    parse: (raw: string | undefined, env: Env, name: string) => url(['https:', 'http:'])(raw, env, name) ?? 'https://dysmsapi.aliyuncs.com',
    default: '`https://dysmsapi.aliyuncs.com`',
    meaning: 'Alibaba Cloud SMS: the API endpoint',
  },
  TENCENT_SMS_SECRET_ID: { field: 'sms.tencentSecretId', parse: optionalText, default: '—', meaning: 'Tencent Cloud SMS: the SecretId' },
  TENCENT_SMS_SECRET_KEY: {
    field: 'sms.tencentSecretKey',
    secret: true,
    parse: optionalText,
    default: '—',
    meaning: 'Tencent Cloud SMS: the SecretKey (signs each request, TC3-HMAC-SHA256)',
  },
  TENCENT_SMS_SDK_APP_ID: {
    field: 'sms.tencentSdkAppId',
    parse: optionalText,
    default: '—',
    meaning: 'Tencent Cloud SMS: the SMS application id (`SmsSdkAppId`, 1400…)',
  },
  TENCENT_SMS_SIGN_NAME: {
    field: 'sms.tencentSignName',
    parse: optionalText,
    default: '—',
    meaning: 'Tencent Cloud SMS: the approved signature name (签名内容)',
  },
  TENCENT_SMS_TEMPLATE_ID: {
    field: 'sms.tencentTemplateId',
    parse: optionalText,
    default: '—',
    meaning: 'Tencent Cloud SMS: the approved template id, with one parameter `{1}` (the code)',
  },
  TENCENT_SMS_REGION: { field: 'sms.tencentRegion', parse: text('ap-guangzhou'), default: '`ap-guangzhou`', meaning: 'Tencent Cloud SMS: the region' },
  TENCENT_SMS_ENDPOINT: {
    field: 'sms.tencentEndpoint',
    parse: (raw: string | undefined, env: Env, name: string) => url(['https:', 'http:'])(raw, env, name) ?? 'https://sms.tencentcloudapi.com',
    default: '`https://sms.tencentcloudapi.com`',
    meaning: 'Tencent Cloud SMS: the API endpoint',
  },
  TWILIO_ACCOUNT_SID: { field: 'sms.twilioAccountSid', parse: optionalText, default: '—', meaning: 'Twilio: the Account SID (`AC…`)' },
  TWILIO_AUTH_TOKEN: { field: 'sms.twilioAuthToken', secret: true, parse: optionalText, default: '—', meaning: 'Twilio: the Auth Token' },
  TWILIO_FROM: {
    field: 'sms.twilioFrom',
    parse: optionalText,
    default: '—',
    meaning: 'Twilio: the sending number (`+1…`), or a Messaging Service SID (`MG…`)',
  },
  TWILIO_API_URL: {
    field: 'sms.twilioApiUrl',
    parse: (raw: string | undefined, env: Env, name: string) => url(['https:', 'http:'])(raw, env, name) ?? 'https://api.twilio.com',
    default: '`https://api.twilio.com`',
    meaning: 'Twilio: the API address',
  },
  OTP_SIGNUP: {
    field: 'otp.signup',
    parse: boolean(false),
    default: '`off`',
    meaning:
      '`on`: a sign-in code to a number or address no account holds creates the account at its first sign-in (a generated username, no password, the number or address verified); `off`: such a request answers the same and sends nothing',
  },
  OTP_CODE_TTL_SECONDS: {
    field: 'otp.codeTtlSeconds',
    parse: integer(300, 30, 3600),
    default: '`300`',
    meaning: 'how long a sign-in code (and its mailed link) works',
  },
  OTP_CODE_TRIES: { field: 'otp.codeTries', parse: integer(5, 1, 20), default: '`5`', meaning: 'wrong tries a sign-in code allows before it is void' },
  OTP_GUESSES_PER_HOUR: {
    field: 'otp.guessesPerHour',
    parse: integer(10, 1, 1000),
    default: '`10`',
    meaning: "wrong sign-in codes an hour per number or address, across every code sent to it; then an hour's pause (429)",
  },
  OTP_SEND_INTERVAL_SECONDS: {
    field: 'otp.sendIntervalSeconds',
    parse: integer(60, 1, 3600),
    default: '`60`',
    meaning: 'one sign-in code per number or address in this many seconds',
  },
  OTP_SENDS_PER_HOUR: { field: 'otp.sendsPerHour', parse: integer(5, 1, 1000), default: '`5`', meaning: 'codes an hour per number or address' },
  OTP_SENDS_PER_DAY: { field: 'otp.sendsPerDay', parse: integer(10, 1, 10_000), default: '`10`', meaning: 'codes a day per number or address' },
  OTP_SENDS_PER_IP_HOUR: {
    field: 'otp.sendsPerIpHour',
    parse: integer(30, 1, 100_000),
    default: '`30`',
    meaning: 'sign-in codes asked for an hour from one address',
  },
  OTP_SENDS_PER_ACCOUNT_HOUR: {
    field: 'otp.sendsPerAccountHour',
    parse: integer(10, 1, 1000),
    default: '`10`',
    meaning: 'sign-in codes an hour to one account, its number and address together (past it nothing is sent, and the answer is the same)',
  },
  OTP_LINK_URL_TEMPLATE: {
    field: 'otpLinkUrlTemplate',
    parse: (raw: string | undefined, env: Env, name: string) => (raw === undefined ? null : linkTemplate('/account/code-link')(raw, env, name)),
    default: "the `account` surface's code page",
    meaning:
      'the link in a sign-in code mail asked for through the API (`{token}` is replaced); the pages use their own. Unset: `$PUBLIC_URL/account/code-link?token={token}` where the `account` surface is served, else the mail carries the code alone',
  },
  PASSWORD_BREACH_CHECK: {
    field: 'passwordBreach.mode',
    parse: oneOf(['off', 'warn', 'block'] as const, 'off'),
    default: '`off`',
    meaning:
      'new passwords (every register path, reset, change, `/account`, the CLI) checked against a range API of breached passwords (k-anonymity: only 5 hex characters of the SHA-1 leave): `block` refuses with the validation error, `warn` accepts and records `password.breached`; an unreachable API never refuses (logged, `gatehouse_password_breach_check_failures_total`)',
  },
  PASSWORD_BREACH_URL: {
    field: 'passwordBreach.url',
    parse: (raw: string | undefined, env: Env, name: string) => url(['https:', 'http:'])(raw, env, name) ?? 'https://api.pwnedpasswords.com/range/',
    default: '`https://api.pwnedpasswords.com/range/`',
    meaning: 'the range API: the 5-character prefix is appended, `Add-Padding: true` is sent (Pwned Passwords)',
  },
  RESET_MAIL_SUBJECT: { field: 'resetMailSubject', parse: optionalText, default: 'bilingual built-in', meaning: 'subject of the reset mail' },
  RESET_MAIL_TEXT: {
    field: 'resetMailText',
    parse: (raw: string | undefined) => raw?.replaceAll('\\n', '\n') ?? null,
    default: 'bilingual built-in',
    meaning: 'text of the reset mail; may use `{link}`, `{token}`, `{minutes}` (`\\n` for a new line)',
  },
  LOG_REQUESTS: {
    field: 'logRequests',
    parse: boolean(true),
    default: '`on`',
    meaning: 'one log line per request at `info` (method, route, status, ms, request id, user id); `off` for benchmarks',
  },
  METRICS: { field: 'metrics', parse: boolean(true), default: '`on`', meaning: 'Prometheus metrics at `/metrics` on every listener' },
  METRICS_TOKEN: {
    field: 'metricsToken',
    secret: true,
    parse: optionalText,
    default: '—',
    meaning: 'unset: `/metrics` answers loopback clients only; set: any client presenting `Authorization: Bearer <token>`',
  },
  AUDIT_WEBHOOK_URL: {
    field: 'auditWebhookUrl',
    secret: true,
    parse: url(['http:', 'https:']),
    default: '—',
    meaning:
      'deprecated (kept for one release): every audit event is also POSTed here as JSON, once, unsigned; use a webhook endpoint subscribed to every event instead (`gatehouse webhooks add`, docs/webhooks.md)',
  },
  WEBHOOK_RETRY_SECONDS: {
    field: 'webhookRetrySeconds',
    parse: secondsList([5, 300, 1800, 7200, 18000, 36000, 36000]),
    default: '`5,300,1800,7200,18000,36000,36000`',
    meaning:
      'the waits (seconds, each spread by ±10%) between the attempts of a webhook delivery that got no 2xx; after the last, it has failed. The default is the Standard Webhooks schedule: over 27 hours of tries',
  },
  WEBHOOK_CONCURRENCY: {
    field: 'webhookConcurrency',
    parse: integer(16, 1, 1000),
    default: '`16`',
    meaning:
      'webhook delivery attempts in flight at once, per instance: each holds one until its receiver answers or its 10 s are up, so receivers that are slow to answer deliver at most this many events every 10 s',
  },
  WEBHOOK_ALLOW_PRIVATE: {
    field: 'webhookAllowPrivate',
    parse: boolean(false),
    default: '`off`',
    meaning:
      '`on`: webhooks may be delivered to private, loopback and link-local addresses (tests, receivers inside your network); `off`: such addresses are refused, as resolved when each attempt connects',
  },
} as const satisfies Record<string, Setting<unknown>>;

export type SettingName = keyof typeof SETTINGS;

type Rows = typeof SETTINGS;
type Value<K extends SettingName> = ReturnType<Rows[K]['parse']>;
type Field = Rows[SettingName]['field'];
type Group = Field extends infer F ? (F extends `${infer G}.${string}` ? G : never) : never;
type RowOf<F> = { [K in SettingName]: Rows[K]['field'] extends F ? K : never }[SettingName];
type Members<G extends string> = { [K in SettingName as Rows[K]['field'] extends `${G}.${infer F}` ? F : never]: Value<K> };

/**
 * Every setting's value, under its row's `field`: what the code that uses the
 * settings reads. Built once at start; nothing else reads the environment.
 */
export type Config = { [F in Exclude<Field, Group | `${string}.${string}`>]: Value<RowOf<F>> } & {
  [G in Group]: Members<G> | (G extends Field ? null : never);
};

/** Reads and checks every setting into {@link Config}. Throws {@link ConfigError} naming the first bad one. */
export function readConfig(env: Env): Config {
  const rows = Object.entries(SETTINGS) as Array<[string, Setting<unknown>]>;
  const config: Record<string, unknown> = {};
  const switches = new Map<string, unknown>();
  for (const [name, row] of rows) {
    const value = row.parse(clean(env[name]), env, name);
    const [group, member] = row.field.split('.') as [string, string | undefined];
    if (member !== undefined) ((config[group] ??= {}) as Record<string, unknown>)[member] = value;
    else if (rows.some(([, other]) => other.field.startsWith(`${group}.`))) switches.set(group, value);
    else config[group] = value;
  }
  for (const [group, on] of switches) if (!on) config[group] = null;
  checkSurfaceNeeds(config as Config, env);
  checkSmsProvider(config as Config);
  return config as Config;
}

/** SMS_PROVIDER names a provider: every setting it needs is set (one line naming those missing). */
function checkSmsProvider({ sms }: Config): void {
  const needs: Record<Config['sms']['provider'], Array<[string, unknown]>> = {
    webhook: [],
    aliyun: [
      ['ALIYUN_SMS_ACCESS_KEY_ID', sms.aliyunAccessKeyId],
      ['ALIYUN_SMS_ACCESS_KEY_SECRET', sms.aliyunAccessKeySecret],
      ['ALIYUN_SMS_SIGN_NAME', sms.aliyunSignName],
      ['ALIYUN_SMS_TEMPLATE_CODE', sms.aliyunTemplateCode],
    ],
    tencent: [
      ['TENCENT_SMS_SECRET_ID', sms.tencentSecretId],
      ['TENCENT_SMS_SECRET_KEY', sms.tencentSecretKey],
      ['TENCENT_SMS_SDK_APP_ID', sms.tencentSdkAppId],
      ['TENCENT_SMS_SIGN_NAME', sms.tencentSignName],
      ['TENCENT_SMS_TEMPLATE_ID', sms.tencentTemplateId],
    ],
    twilio: [
      ['TWILIO_ACCOUNT_SID', sms.twilioAccountSid],
      ['TWILIO_AUTH_TOKEN', sms.twilioAuthToken],
      ['TWILIO_FROM', sms.twilioFrom],
    ],
  };
  const missing = needs[sms.provider].filter(([, value]) => value === null).map(([name]) => name);
  if (missing.length > 0) throw new ConfigError(`SMS_PROVIDER=${sms.provider} needs ${missing.join(', ')}`);
}

/** Every surface served has the surfaces it sends people to (surfaces/names.ts): one line naming both otherwise. */
function checkSurfaceNeeds(config: Config, env: Env): void {
  const needs = {
    mfaRequired: config.mfaRequired,
    mailLinksElsewhere: clean(env.RESET_URL_TEMPLATE) !== undefined && clean(env.VERIFY_URL_TEMPLATE) !== undefined,
  };
  for (const name of config.surfaces)
    for (const { surface, why } of surfaceRequires(name, needs))
      if (!config.surfaces.has(surface)) throw new ConfigError(`SURFACES: ${name} needs ${surface} (${why}); add it to SURFACES`);
}

/** The README's settings table, written from {@link SETTINGS}. */
export function settingsTable(): string {
  const rows = (Object.entries(SETTINGS) as Array<[string, Setting<unknown>]>).map(([name, s]) => `| \`${name}\` | ${s.default} | ${s.meaning} |`);
  return ['| setting | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

/** One line per setting for `gatehouse doctor`: set or default, with the value (secret rows masked, but a URL's host). */
export function describeSettings(env: Env): string[] {
  return (Object.entries(SETTINGS) as Array<[string, Setting<unknown>]>).map(([name, s]) => {
    const raw = clean(env[name]);
    // Plain text for a terminal: the defaults are written for the README's Markdown table.
    if (raw === undefined) return `${name} = ${s.default.replaceAll('`', '')} (default)`;
    const shown = s.secret ? raw.replace(/\/\/[^@/]*@/, '//***@').replace(/^(?!\w+:\/\/).+$/, '***') : raw;
    return `${name} = ${shown} (set)`;
  });
}
