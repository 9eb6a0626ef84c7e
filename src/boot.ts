import { ConfigError, type Config } from './config.ts';
import { createCore, type Core } from './core/core.ts';
import type { UpstreamFetch } from './store/upstream/openid-upstream.ts';
import type { UpstreamOutcome } from './core/identities.ts';
import { Upstreams } from './store/upstream/upstreams.ts';
import { DEFAULT_HASH_SETTINGS, type HashSettings } from './core/passwords.ts';
import { systemClock, type Clock } from './core/ports/clock.ts';
import type { RequestOrigin } from './core/audit.ts';
import type { AuditEvent } from './core/ports/audit-log.ts';
import type { StoreObserver } from './store/unavailable.ts';
import { DEFAULT_SESSION_POLICY } from './core/sessions.ts';
import { DEFAULT_RESET_MAIL, type ResetMailSettings } from './core/password-reset.ts';
import { join } from 'node:path';
import { ImageDirectory } from './store/files/image-directory.ts';
import { ensureWritableFolder } from './store/folders.ts';
import { WebhookSms } from './store/sms/webhook-sms.ts';
import { AliyunSms } from './store/sms/aliyun-sms.ts';
import { TencentSms } from './store/sms/tencent-sms.ts';
import { TwilioSms } from './store/sms/twilio-sms.ts';
import type { SmsSender } from './core/ports/sms.ts';
import type { TextObserver } from './core/text-messages.ts';
import { isKnownRegion } from './core/phones.ts';
import type { AttemptKind } from './core/lockout.ts';
import type { LockoutRule } from './core/ports/lockout-store.ts';
import { PwnedRange } from './store/breach/pwned-range.ts';
import { DEFAULT_VERIFICATION } from './core/verification.ts';
import { OutboxMailer } from './store/mail/outbox-mailer.ts';
import type { IdSource } from './core/ports/ids.ts';
import type { Stores } from './core/ports/stores.ts';
import { openStores, type StoreOptions } from './store/open-stores.ts';
import { ENCRYPTION_KEY_FILE, loadOrCreateSecret, readSecret } from './store/secret-file.ts';
import type { JwtAlgorithm } from './core/signing-keys.ts';
import { StartupError } from './startup-error.ts';
import { SecretBox } from './core/secret-box.ts';
import type { AttemptOutcome } from './core/webhook-delivery.ts';
import { HttpWebhookSender } from './store/webhooks/http-sender.ts';

export interface BootOptions {
  /** Use these stores instead of opening the configured database. */
  stores?: Stores;
  clock?: Clock;
  ids?: IdSource;
  /** Hash cost; tests may lower it. Defaults to OWASP's argon2id settings with PASSWORD_HASH's variant. */
  hash?: HashSettings;
  /** Where notices (e.g. "mail kept in the outbox") are logged. */
  log?: (fields: Record<string, unknown>, message: string) => void;
  /** Where start-up warnings are logged (the server's log at `warn`). */
  warn?: (fields: Record<string, unknown>, message: string) => void;
  /** The client of the current request, for audit events. */
  origin?: () => RequestOrigin | undefined;
  /** Sees every audit event (log lines, metrics). */
  observeAudit?: (event: AuditEvent) => void;
  /** Times every PostgreSQL and Redis store call. */
  observeStore?: StoreObserver;
  /** Sees every finished webhook delivery attempt. */
  observeDelivery?: (outcome: AttemptOutcome, seconds: number) => void;
  /** Told when a text is refused for the SMS budget (metrics). */
  observeTexts?: TextObserver;
  /** Told each time the breached-password range API cannot be reached (metrics). */
  observeBreachCheckFailure?: () => void;
  /** Told of each identity provider's outcomes (metrics). */
  observeUpstream?: (provider: string, outcome: UpstreamOutcome) => void;
  /** How `oidc` identity providers are reached; the global fetch unless a test answers as a provider it cannot reach. */
  upstreamFetch?: UpstreamFetch;
}

/** Opens (and migrates) storage, resolves the signing secret and the encryption key, and wires the core. Shared by the server and the CLI. */
export async function boot(config: Config, options: BootOptions = {}): Promise<Core> {
  if (!isKnownRegion(config.phoneDefaultRegion))
    throw new ConfigError(`PHONE_DEFAULT_REGION: ${config.phoneDefaultRegion} is not a region phone numbers are known for`);
  const algorithm = signingAlgorithm(config);
  if (config.database.kind === 'postgres' && algorithm === 'HS256' && !config.jwtSecret) {
    // Several instances share one database: a secret generated per instance would make each reject the others' tokens.
    throw new ConfigError('JWT_SECRET must be set when DATABASE_URL is PostgreSQL (every instance must share it)');
  }
  if (config.database.kind === 'postgres' && !config.encryptionKey) {
    // The sealed secrets live in the shared database: every instance must open them with the same key.
    throw new ConfigError('MFA_ENCRYPTION_KEY must be set when DATABASE_URL is PostgreSQL (every instance must share it)');
  }
  // Every file Gatehouse writes lives in DATA_DIR (the SQLite file by default, the generated secrets): check it first.
  const generates = (algorithm === 'HS256' && !config.jwtSecret) || !config.encryptionKey;
  if (!options.stores && (config.database.kind === 'sqlite' || generates) && ensureWritableFolder(config.dataDir, 'DATA_DIR')) {
    // Said whatever LOG_LEVEL is, on stderr (stdout may be a command's JSON): a new, empty folder is either
    // a first start or a wrong DATA_DIR, and the absolute path tells which.
    console.error(`gatehouse: created the data folder ${config.dataDir} (DATA_DIR): a new, empty installation`);
  }
  const stores = options.stores ?? (await openStores(config.database, { ...storeOptions(config), observe: options.observeStore, clock: options.clock }));
  // HS256 signs with JWT_SECRET or the generated secret; after a switch to another algorithm, that secret still verifies the tokens it signed.
  const secret =
    config.jwtSecret ?? (algorithm === 'HS256' ? loadOrCreateSecret(config.dataDir) : config.database.kind === 'postgres' ? null : readSecret(config.dataDir));
  // The one place the key sealing secrets at rest is read.
  const secretBox = new SecretBox(config.encryptionKey ?? loadOrCreateSecret(config.dataDir, ENCRYPTION_KEY_FILE));
  const hash = options.hash ?? { ...DEFAULT_HASH_SETTINGS, algorithm: config.passwordHash };
  const clock = options.clock ?? systemClock;
  const log = options.log ?? (() => {});
  // The SMTP client is loaded only where SMTP is configured.
  const mailer = config.smtpUrl
    ? new (await import('./store/mail/smtp-mailer.ts')).SmtpMailer(config.smtpUrl, config.mailFrom)
    : new OutboxMailer(stores.outbox, clock, log);
  const resetMail: ResetMailSettings = {
    urlTemplate: config.resetUrlTemplate,
    subject: config.resetMailSubject ?? DEFAULT_RESET_MAIL.subject,
    text: config.resetMailText ?? DEFAULT_RESET_MAIL.text,
  };
  const webhook = config.auditWebhookUrl;
  const core = createCore({
    stores,
    keys: { current: secret, previous: config.jwtPreviousSecrets, algorithm },
    longestTokenSeconds: Math.max(...Object.values(config.tokenTtl)),
    secretBox,
    clock,
    ids: options.ids,
    hash,
    mailer,
    resetMail,
    sessionPolicy: { ...DEFAULT_SESSION_POLICY, idleMs: config.sessionIdleMinutes * 60_000 },
    origin: options.origin,
    auditWebhook: webhook ? (event) => postJson(webhook, event, config.storeTimeoutMs) : undefined,
    images: new ImageDirectory(join(config.imageDir, 'catalog')),
    observeAudit: options.observeAudit,
    sms: smsSender(config),
    observeTexts: options.observeTexts,
    phones: { defaultRegion: config.phoneDefaultRegion, allowedCallingCodes: config.sms.allowedCallingCodes },
    attemptRules: attemptRules(config),
    passwordBreach: {
      mode: config.passwordBreach.mode,
      range: config.passwordBreach.mode === 'off' ? null : new PwnedRange(config.passwordBreach.url, config.storeTimeoutMs),
      unreachable: options.observeBreachCheckFailure,
    },
    oneTimeCodes: {
      signup: config.otp.signup,
      ttlMs: config.otp.codeTtlSeconds * 1000,
      tries: config.otp.codeTries,
      // The API's mails link to /account's code page, where one is served (or wherever the setting says).
      apiLinkTemplate: config.otpLinkUrlTemplate ?? (config.surfaces.has('account') ? `${config.publicUrl}/account/code-link?token={token}` : null),
    },
    verification: { ...DEFAULT_VERIFICATION, emailUrlTemplate: config.verifyUrlTemplate },
    // The invitation mail's link opens /account's accept page (it signs in, or signs up, then accepts).
    invitations: { acceptUrlTemplate: `${config.publicUrl}/account/invitations?token={token}` },
    requireVerifiedEmail: config.requireVerifiedEmail,
    consoleMfa: config.consoleMfa,
    consoleProviders: config.consoleProviders,
    secondFactors: {
      legacyLogin: config.mfaLegacyLogin,
      required: config.mfaRequired,
      stepUpMaxAgeMs: config.stepUpMaxAgeSeconds * 1000,
      // Passkeys belong to the host people reach this server at.
      webauthn: { rpId: new URL(config.publicUrl).hostname, rpName: 'Gatehouse', origins: [new URL(config.publicUrl).origin] },
    },
    onBackgroundError: (error, what) => log({ err: error }, `${what} failed`),
    webhookSender: new HttpWebhookSender({ allowPrivate: config.webhookAllowPrivate, maxSockets: config.webhookConcurrency }),
    delivery: { retrySeconds: config.webhookRetrySeconds, concurrency: config.webhookConcurrency },
    observeDelivery: options.observeDelivery,
    observeUpstream: options.observeUpstream,
    upstream: new Upstreams({ fetch: options.upstreamFetch }),
    publicUrl: config.publicUrl,
  });
  try {
    await core.start();
  } catch (error) {
    await core.close();
    const message = (error as Error).message;
    // A key that does not open is MFA_ENCRYPTION_KEY's fault; anything else, the database's.
    throw new StartupError(`${/MFA_ENCRYPTION_KEY/.test(message) ? 'MFA_ENCRYPTION_KEY' : 'DATABASE_URL'}: cannot load the signing keys: ${message}`, {
      cause: error,
    });
  }
  announceSigning(core, config, options);
  return core;
}

/**
 * One start-up line: what signs the tokens and whether /.well-known/jwks.json
 * publishes anything. HS256 is a warning: app backends (docs/verify-tokens.md)
 * cannot verify its tokens, and a cluster that copied an old example would not know.
 */
function announceSigning(core: Core, config: Config, options: BootOptions): void {
  const { algorithm } = core.signingKeys;
  const published = core.signingKeys.publicJwks().keys.length;
  if (algorithm === 'HS256') {
    const source = config.jwtSecret ? 'JWT_SECRET' : `${config.dataDir}/jwt-secret`;
    (options.warn ?? options.log)?.(
      { algorithm, jwksKeys: published },
      `signing tokens with HS256 (${source}): /.well-known/jwks.json ${published === 0 ? 'is empty' : `has only ${published} older key${published === 1 ? '' : 's'}`}, so app backends cannot verify these tokens with public keys; set JWT_ALGORITHM=ES256 to sign with published keys (docs/operations.md, "Signing keys")`,
    );
    return;
  }
  const { kid } = core.signingKeys.signer();
  options.log?.(
    { algorithm, kid, jwksKeys: published },
    `signing tokens with ${algorithm} (key ${kid}, kept in the database); /.well-known/jwks.json publishes ${published} key${published === 1 ? '' : 's'}`,
  );
}

/**
 * JWT_ALGORITHM, or else HS256 for an installation that already has a JWT
 * secret (its tokens and its operator's expectations stay as they were) and
 * ES256 for a new one.
 */
export function signingAlgorithm(config: Config): JwtAlgorithm {
  if (config.jwtAlgorithm) return config.jwtAlgorithm;
  if (config.jwtSecret) return 'HS256';
  return config.database.kind !== 'postgres' && readSecret(config.dataDir) !== null ? 'HS256' : 'ES256';
}

/** The storage settings of a config. */
/** SMS_PROVIDER's sender; the webhook without SMS_WEBHOOK_URL is the outbox (undefined: the core's default). */
function smsSender(config: Config): SmsSender | undefined {
  const { sms } = config;
  // checkSmsProvider (settings.ts) made sure each provider's settings are there.
  const given = (value: string | null) => value as string;
  switch (sms.provider) {
    case 'aliyun':
      return new AliyunSms(
        {
          accessKeyId: given(sms.aliyunAccessKeyId),
          accessKeySecret: given(sms.aliyunAccessKeySecret),
          signName: given(sms.aliyunSignName),
          templateCode: given(sms.aliyunTemplateCode),
          endpoint: sms.aliyunEndpoint,
        },
        config.storeTimeoutMs,
      );
    case 'tencent':
      return new TencentSms(
        {
          secretId: given(sms.tencentSecretId),
          secretKey: given(sms.tencentSecretKey),
          sdkAppId: given(sms.tencentSdkAppId),
          signName: given(sms.tencentSignName),
          templateId: given(sms.tencentTemplateId),
          region: sms.tencentRegion,
          endpoint: sms.tencentEndpoint,
        },
        config.storeTimeoutMs,
      );
    case 'twilio':
      return new TwilioSms(
        { accountSid: given(sms.twilioAccountSid), authToken: given(sms.twilioAuthToken), from: given(sms.twilioFrom), apiUrl: sms.twilioApiUrl },
        config.storeTimeoutMs,
      );
    case 'webhook':
      return config.smsWebhookUrl ? new WebhookSms(config.smsWebhookUrl, config.storeTimeoutMs) : undefined;
  }
}

/** The sign-in codes' budgets (OTP_*) and the SMS budget (SMS_HOURLY_BUDGET), as attempt-budget rules. */
function attemptRules({ otp, sms }: Config): Partial<Record<AttemptKind, LockoutRule>> {
  const rule = (maxFailures: number, windowMs: number): LockoutRule => ({ maxFailures, windowMs, lockMs: windowMs });
  const hour = 3_600_000;
  return {
    'send-interval': rule(1, otp.sendIntervalSeconds * 1000),
    'send-hour': rule(otp.sendsPerHour, hour),
    'send-day': rule(otp.sendsPerDay, 24 * hour),
    'otp-send-ip': rule(otp.sendsPerIpHour, hour),
    'otp-send-account': rule(otp.sendsPerAccountHour, hour),
    'otp-code': rule(otp.guessesPerHour, hour),
    'sms-budget': rule(sms.hourlyBudget, hour),
  };
}

export function storeOptions(config: Config): StoreOptions {
  return {
    redisUrl: config.redisUrl,
    redisPrefix: config.redisPrefix,
    poolSize: config.databasePoolSize,
    timeoutMs: config.storeTimeoutMs,
    startupWaitMs: config.startupWaitSeconds * 1000,
    phoneRegion: config.phoneDefaultRegion,
  };
}

/** POSTs one JSON document; gives up after `timeoutMs`. */
async function postJson(url: string, body: object, timeoutMs: number): Promise<void> {
  await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
}
