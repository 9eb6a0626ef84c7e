import { AccountService } from './accounts.ts';
import { Admission } from './admission.ts';
import { isGatehouseError } from './errors.ts';
import { AppService } from './apps.ts';
import { Audit, type RequestOrigin } from './audit.ts';
import { CatalogService } from './catalog.ts';
import { type AttemptKind, DEFAULT_LOCKOUT_RULE, Lockout } from './lockout.ts';
import { LoginService } from './login.ts';
import { OidcService } from './oidc.ts';
import { DEFAULT_ONE_TIME_CODES, OneTimeCodes, type OneTimeCodeSettings } from './one-time-codes.ts';
import { TextMessages, type TextObserver } from './text-messages.ts';
import { DEFAULT_RESET_MAIL, PasswordResetService, type ResetMailSettings } from './password-reset.ts';
import type { AuditEvent } from './ports/audit-log.ts';
import type { ImageFiles } from './ports/image-files.ts';
import type { Mailer } from './ports/mailer.ts';
import { DEFAULT_HASH_SETTINGS, PasswordHasher, type HashSettings } from './passwords.ts';
import { systemClock, type Clock } from './ports/clock.ts';
import { randomIds, type IdSource } from './ports/ids.ts';
import type { LockoutRule } from './ports/lockout-store.ts';
import type { Stores } from './ports/stores.ts';
import { DEFAULT_SESSION_POLICY, SessionService, type SessionPolicy } from './sessions.ts';
import { DEFAULT_PHONES, Phones, type PhoneSettings } from './phones.ts';
import { type BreachCheckMode, PasswordBreaches } from './password-breaches.ts';
import type { BreachRange } from './ports/breach-range.ts';
import { StaffService } from './staff.ts';
import { TokenIssuer, type TokenKeys } from './tokens.ts';
import { importAccounts, type AccountImportReport, type ForeignAccount } from './user-import.ts';
import { DEFAULT_VERIFICATION, VerificationService, type VerificationSettings } from './verification.ts';
import type { SmsSender } from './ports/sms.ts';
import type { SecretBox } from './secret-box.ts';
import { SecondFactors } from './second-factors/second-factors.ts';
import { DEFAULT_SECOND_FACTORS, type SecondFactorSettings } from './second-factors/settings.ts';
import { SigningKeys } from './signing-keys.ts';
import { Events } from './events.ts';
import { rfc3339 } from './user-view.ts';
import type { WebhookSender } from './ports/webhook-sender.ts';
import { type AttemptOutcome, DEFAULT_DELIVERY, type DeliverySettings, WebhookDeliveries } from './webhook-delivery.ts';
import { WebhookService } from './webhooks.ts';
import { OrganizationService } from './organizations/service.ts';
import type { InvitationSettings } from './organizations/invitations.ts';
import { Identities, type UpstreamOutcome } from './identities.ts';
import type { UpstreamProtocol } from './ports/upstream.ts';

export interface CoreOptions {
  stores: Stores;
  keys: TokenKeys;
  /** The longest lifetime of a token this instance signs (s); at least the refresh-token lifetime. */
  longestTokenSeconds?: number;
  /** Seals secrets kept at rest (MFA_ENCRYPTION_KEY). */
  secretBox: SecretBox;
  clock?: Clock;
  ids?: IdSource;
  hash?: HashSettings;
  sessionPolicy?: SessionPolicy;
  lockoutRule?: LockoutRule;
  /** Other attempt budgets' rules (sign-in code sends and guesses, the SMS budget, ...), over lockout.ts's defaults. */
  attemptRules?: Partial<Record<AttemptKind, LockoutRule>>;
  /** Where mail goes; defaults to the stores' outbox. */
  mailer?: Mailer;
  resetMail?: ResetMailSettings;
  /** The client of the current request, for audit events. */
  origin?: () => RequestOrigin | undefined;
  /** Also sends each audit event here. */
  auditWebhook?: (event: object) => Promise<void>;
  /** The catalog's image files. */
  images?: ImageFiles;
  /** Sees every audit event as it happens. */
  observeAudit?: (event: AuditEvent) => void;
  /** Where SMS go (phone verification, sign-in codes); defaults to the outbox. */
  sms?: SmsSender;
  /** Told when a text is refused for the SMS budget (metrics). */
  observeTexts?: TextObserver;
  /** Sign-in codes: OTP_SIGNUP, their lifetime and tries, the API's link. */
  oneTimeCodes?: Partial<OneTimeCodeSettings>;
  verification?: VerificationSettings;
  /** PASSWORD_BREACH_CHECK with its range API; `unreachable` is told each time the API cannot be reached (metrics). */
  passwordBreach?: { mode: BreachCheckMode; range: BreachRange | null; unreachable?: () => void };
  /** PHONE_DEFAULT_REGION and SMS_ALLOWED_COUNTRY_CODES. */
  phones?: PhoneSettings;
  /** REQUIRE_VERIFIED_EMAIL. */
  requireVerifiedEmail?: boolean;
  /** CONSOLE_MFA: staff power (the console, the admin API) needs a sign-in with a second factor (default on). */
  consoleMfa?: boolean;
  /** CONSOLE_PROVIDERS: staff may reach the console and the staff API through an upstream identity provider's sign-in. */
  consoleProviders?: boolean;
  /** Second factors: otpauth issuer, MFA_LEGACY_LOGIN, mfa_token lifetime and tries. */
  secondFactors?: Partial<SecondFactorSettings>;
  /** Where background failures (a verification mail that could not be sent) are reported. */
  onBackgroundError?: (error: unknown, what: string) => void;
  /** How webhooks are POSTed (store/webhooks/http-sender.ts); without one, every attempt fails. */
  webhookSender?: WebhookSender;
  /** The retry schedule (WEBHOOK_RETRY_SECONDS) and the delivery loop's limits. */
  delivery?: Partial<DeliverySettings>;
  /** Sees every finished delivery attempt (metrics). */
  observeDelivery?: (outcome: AttemptOutcome, seconds: number) => void;
  /** The invitation mail's link to the hosted accept page. */
  invitations?: InvitationSettings;
  /** Told of each identity provider's outcomes (metrics). */
  observeUpstream?: (provider: string, outcome: UpstreamOutcome) => void;
  /** How upstream identity providers are spoken to (store/upstream/openid-upstream.ts); without one, their sign-ins fail. */
  upstream?: UpstreamProtocol;
  /** PUBLIC_URL: the upstream providers' callbacks are under it. */
  publicUrl?: string;
}

/** The services every surface is built on. */
export interface Core {
  accounts: AccountService;
  /** Apps that sign their users in with Gatehouse (OpenID Connect clients). */
  apps: AppService;
  /** The OpenID provider's rules that are Gatehouse's: its sessions bound to core sessions, its cookie keys, purging. */
  oidc: OidcService;
  login: LoginService;
  resets: PasswordResetService;
  catalog: CatalogService;
  audit: Audit;
  verification: VerificationService;
  /** Sign-in codes texted or mailed (and the mailed link): sending, signing in. */
  oneTimeCodes: OneTimeCodes;
  sessions: SessionService;
  lockout: Lockout;
  /** The staff console's actions, rights checked. */
  staff: StaffService;
  /** The second step of a login, TOTP and recovery codes, passkeys, and the step-up every change to them needs. */
  secondFactors: SecondFactors;
  hasher: PasswordHasher;
  tokens: TokenIssuer;
  /** The signing keys: JWKS documents, rotation, retirement (`gatehouse keys`), the OpenID provider's private JWKS. */
  signingKeys: SigningKeys;
  /** Seals and opens secrets kept at rest; the only holder of MFA_ENCRYPTION_KEY. */
  secretBox: SecretBox;
  /** Webhook endpoints: add, list, remove, rotate secrets, test, deliveries and replay. */
  webhooks: WebhookService;
  /** The webhook delivery loop: started by a server (`gatehouse serve`), not by the other commands. */
  deliveries: WebhookDeliveries;
  /** Organisations, members, invitations and the roles catalog. */
  orgs: OrganizationService;
  /** Upstream identity providers: the providers, signing in with them, linked identities. */
  identities: Identities;
  clock: Clock;
  stores: Stores;
  /** Moves accounts in from another system (the original FastAPI database, an export). */
  importAccounts(accounts: Iterable<ForeignAccount>, options?: { dryRun?: boolean; onProgress?: (done: number) => void }): Promise<AccountImportReport>;
  /** Loads the signing keys (making the first one on a new database) and starts following rotations. */
  start(): Promise<void>;
  /** Closes storage; the core is unusable afterwards. */
  close(): Promise<void>;
}

/** Wires the core's services to their storage, clock and id source. */
export function createCore(options: CoreOptions): Core {
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? randomIds;
  const { users } = options.stores;
  const hasher = new PasswordHasher(options.hash ?? DEFAULT_HASH_SETTINGS);
  const policy = options.sessionPolicy ?? DEFAULT_SESSION_POLICY;
  const report = options.onBackgroundError ?? (() => {});
  const { current = null, previous = [] } = options.keys;
  const signingKeys = new SigningKeys({
    store: options.stores.signingKeys,
    box: options.secretBox,
    clock,
    algorithm: options.keys.algorithm ?? (current ? 'HS256' : 'ES256'),
    secrets: { current, previous },
    longestTokenSeconds: Math.max(options.longestTokenSeconds ?? 0, policy.refreshTtlSeconds),
    onError: (error) => report(error, 'reading the signing keys'),
  });
  const tokens = new TokenIssuer(signingKeys, clock);
  const audit = new Audit({ log: options.stores.audit, clock, origin: options.origin, webhook: options.auditWebhook, observe: options.observeAudit });
  const events = new Events({ ids, clock, store: options.stores.webhooks });
  const webhookSender = options.webhookSender ?? NO_SENDER;
  const lockout = new Lockout(options.stores.lockouts, clock, options.lockoutRule ?? DEFAULT_LOCKOUT_RULE, options.attemptRules);
  const sessions = new SessionService({ sessions: options.stores.sessions, users, tokens, clock, ids, audit, events }, policy);
  lockout.onLocked = async (userId) => {
    const user = await users.findById(userId);
    const { lockedUntil } = await lockout.state(userId);
    if (user) await events.publish(events.about('user.locked', user, { locked_until: lockedUntil === null ? null : rfc3339(lockedUntil) }));
  };
  const mailer = options.mailer ?? { send: async (mail) => void (await options.stores.outbox.add(mail, clock.now())) };
  const admission = new Admission(options.requireVerifiedEmail ?? false);
  const phones = new Phones(options.phones ?? DEFAULT_PHONES);
  const secondFactors = new SecondFactors(
    {
      factors: options.stores.factors,
      challenges: options.stores.mfaChallenges,
      users,
      sessions,
      lockout,
      hasher,
      box: options.secretBox,
      audit,
      mailer,
      events,
      admission,
      clock,
      ids,
      report,
      identities: options.stores.identities,
    },
    { ...DEFAULT_SECOND_FACTORS, ...options.secondFactors },
  );
  const accounts = new AccountService({
    users,
    hasher,
    sessions,
    lockout,
    clock,
    ids,
    audit,
    pending: { resets: options.stores.resets, verifications: options.stores.verifications },
    stepUp: secondFactors.stepUp,
    events,
    phones,
    breaches: new PasswordBreaches(options.passwordBreach?.mode ?? 'off', options.passwordBreach?.range ?? null, (error) => {
      report(error, 'the breached-password check (the range API is unreachable: the password was accepted)');
      options.passwordBreach?.unreachable?.();
    }),
  });
  const login = new LoginService({
    accounts,
    users,
    hasher,
    lockout,
    sessions,
    clock,
    audit,
    admission,
    secondFactors: secondFactors.step,
  });
  const resets = new PasswordResetService({ accounts, resets: options.stores.resets, mailer, clock, ids, lockout }, options.resetMail ?? DEFAULT_RESET_MAIL);
  const catalog = new CatalogService(options.stores.products, options.images);
  // Without an SMS gateway, texts are kept in the outbox like mail (`gatehouse mail list`).
  const sms: SmsSender = options.sms ?? { send: async ({ to, text }) => mailer.send({ to, subject: 'SMS', text }) };
  const texts = new TextMessages({ sms, lockout, audit, observe: options.observeTexts });
  const verification = new VerificationService(
    { accounts, store: options.stores.verifications, mailer, texts, phones, clock, ids, audit, lockout },
    options.verification ?? DEFAULT_VERIFICATION,
  );
  const oneTimeCodes = new OneTimeCodes(
    { store: options.stores.oneTimeCodes, accounts, login, lockout, texts, phones, mailer, audit, clock, ids },
    { ...DEFAULT_ONE_TIME_CODES, ...options.oneTimeCodes },
  );
  const apps = new AppService({ store: options.stores.apps, clock, ids, audit });
  const oidc = new OidcService({ store: options.stores.oidcPayloads, sessions, clock });
  const webhooks = new WebhookService({ store: options.stores.webhooks, box: options.secretBox, clock, ids, audit, events, sender: webhookSender });
  const identities = new Identities({
    store: options.stores.identities,
    box: options.secretBox,
    upstream: options.upstream ?? null,
    accounts,
    login,
    lockout,
    audit,
    clock,
    ids,
    publicUrl: options.publicUrl ?? 'http://localhost:8000',
    passkeyCount: async (userId) => (await secondFactors.status(userId)).passkeys.length,
    observe: options.observeUpstream,
  });
  const staff = new StaffService({
    accounts,
    users,
    sessions,
    lockout,
    resets,
    verification,
    secondFactors,
    audit,
    apps,
    signingKeys,
    storage: options.stores,
    staffNeedSecondFactor: options.consoleMfa,
    upstreamSignIns: options.consoleProviders,
    webhooks,
    identities,
  });
  const deliveries = new WebhookDeliveries(
    {
      store: options.stores.webhooks,
      sender: webhookSender,
      box: options.secretBox,
      clock,
      ids,
      audit,
      mailer,
      users,
      report,
      observe: options.observeDelivery,
    },
    { ...DEFAULT_DELIVERY, ...options.delivery },
  );
  const orgs = new OrganizationService({ store: options.stores.organizations, users, audit, events, clock, ids, lockout, mailer }, options.invitations);
  accounts.beforeDelete = (user) => orgs.mayDelete(user);
  // A new email address gets a verification mail, after the answer that set it.
  const background = new Set<Promise<void>>();
  accounts.onEmailSet = (user) => {
    const task = verification.start(user, 'email').catch((error: unknown) => {
      // Over the account's send budget: no mail, by design, and nothing to report.
      if (!isGatehouseError(error) || error.code !== 'RATE_LIMITED') report(error, 'verification mail');
    });
    background.add(task);
    void task.finally(() => background.delete(task));
  };
  return {
    accounts,
    apps,
    oidc,
    login,
    resets,
    catalog,
    audit,
    verification,
    oneTimeCodes,
    sessions,
    lockout,
    staff,
    secondFactors,
    hasher,
    tokens,
    signingKeys,
    secretBox: options.secretBox,
    webhooks,
    deliveries,
    orgs,
    identities,
    clock,
    stores: options.stores,
    importAccounts: (accounts, importOptions) => importAccounts(users, accounts, { clock, ids, events, phones }, importOptions),
    start: () => signingKeys.start(),
    close: async () => {
      signingKeys.stop();
      await deliveries.stop();
      // Mail already on its way (a verification after a registration) is finished first.
      await Promise.all(background);
      await options.stores.close();
    },
  };
}

/** Without a sender (unit tests), every attempt fails and is tried again later. */
const NO_SENDER: WebhookSender = {
  refusal: (url) => (/^https?:\/\//.test(url) ? null : 'only http:// and https:// URLs'),
  post: () => Promise.reject(new Error('no webhook sender is configured')),
};
