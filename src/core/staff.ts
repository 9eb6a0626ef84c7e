import type { AccountService } from './accounts.ts';
import type { AppService, NewApp } from './apps.ts';
import type { Audit } from './audit.ts';
import { fail } from './errors.ts';
import type { Lockout } from './lockout.ts';
import type { PasswordResetService } from './password-reset.ts';
import type { App } from './ports/app-store.ts';
import type { AuditQuery, StoredAuditEvent } from './ports/audit-log.ts';
import type { Session } from './ports/session-store.ts';
import type { Stores } from './ports/stores.ts';
import type { User, UserStore } from './ports/user-store.ts';
import { showsSecondFactor } from './second-factors/amr.ts';
import type { SecondFactors, SecondFactorStatus } from './second-factors/second-factors.ts';
import type { Caller, SessionService } from './sessions.ts';
import type { KeyStatus, SigningKeys } from './signing-keys.ts';
import type { VerificationService } from './verification.ts';
import type { WebhookDelivery, WebhookEndpoint } from './ports/webhook-store.ts';
import type { NewEndpoint, WebhookService } from './webhooks.ts';
import type { Identities, NewProvider, ProviderView } from './identities.ts';
import type { LinkedIdentity } from './ports/identity-store.ts';

/**
 * What staff may do. Staff (`is_staff`) read everything, end sessions, send
 * mail (reset, verification), mark addresses verified and lift a lockout: the
 * help-desk actions that take nothing away from the account's owner.
 * Superusers also disable, enable, change the email, reset second factors and
 * delete.
 */
export type StaffAction =
  | 'read'
  | 'end-sessions'
  | 'send-mail'
  | 'verify'
  | 'unlock'
  | 'set-status'
  | 'change-email'
  | 'reset-factors'
  | 'delete'
  | 'manage-apps'
  | 'rotate-keys'
  | 'set-role'
  | 'manage-webhooks'
  | 'manage-providers'
  | 'unlink-identity';

const STAFF_ACTIONS: ReadonlySet<StaffAction> = new Set(['read', 'end-sessions', 'send-mail', 'verify', 'unlock']);

/** Whether this account may do this in the console. */
export function staffMay(actor: User, action: StaffAction): boolean {
  if (actor.status !== 'active') return false;
  if (actor.isSuperuser) return true;
  return actor.isStaff && STAFF_ACTIONS.has(action);
}

/** Whether this account may use the console at all. */
export const isStaffMember = (user: User): boolean => staffMay(user, 'read');

/** Where staff power is used: the console (staff and superusers) or the admin API (superusers only). */
export type StaffDoor = 'console' | 'api';

/**
 * Why a signed-in account may not use staff power here: not staff (or not a
 * superuser, for the API); or CONSOLE_MFA / MFA_REQUIRED cover it and its
 * sign-in had no second factor — `enrol-first` when it has none yet; or its
 * sign-in went through an upstream identity provider and CONSOLE_PROVIDERS is
 * off (`upstream`: sign in again with the account's own password or passkey).
 */
export type StaffRefusal = 'not-staff' | 'second-factor' | 'enrol-first' | 'upstream';

/** The flags `gatehouse users staff|superuser` and the console set. */
export type StaffRole = 'staff' | 'superuser';

/** What staff type to confirm a deletion: the account's email, else its username, else its uuid. */
export const deleteConfirmation = (user: User): string => user.email ?? user.username ?? user.uuid;

/** An account as staff see it: the record, its lock state and its live sessions. */
export interface AccountFile {
  user: User;
  failures: number;
  lockedUntil: number | null;
  sessions: Session[];
  factors: SecondFactorStatus;
  /** The identities at upstream providers linked to it, with the providers' names. */
  identities: Array<LinkedIdentity & { providerName: string }>;
}

/**
 * The staff console's actions on accounts. Each checks the actor's rights,
 * then calls the service every other surface uses; each leaves an audit event
 * (the actor is recorded from the request, see RequestOrigin.actorId).
 */
export class StaffService {
  readonly #accounts: AccountService;
  readonly #users: UserStore;
  readonly #sessions: SessionService;
  readonly #lockout: Lockout;
  readonly #resets: PasswordResetService;
  readonly #verification: VerificationService;
  readonly #factors: Pick<SecondFactors, 'status' | 'reset' | 'methods' | 'mustEnrol'>;
  /** CONSOLE_MFA: staff power needs a sign-in with a second factor, whatever MFA_REQUIRED says. */
  readonly #staffNeedSecondFactor: boolean;
  /** CONSOLE_PROVIDERS: a sign-in through an upstream identity provider may hold staff power. */
  readonly #upstreamSignIns: boolean;
  readonly #audit: Audit;
  readonly #apps: AppService;
  readonly #keys: Pick<SigningKeys, 'list' | 'rotate'>;
  readonly #storage: Pick<Stores, 'ping'>;
  readonly #webhooks: WebhookService;
  readonly #identities: Identities;

  constructor(deps: {
    accounts: AccountService;
    users: UserStore;
    sessions: SessionService;
    lockout: Lockout;
    resets: PasswordResetService;
    verification: VerificationService;
    secondFactors: Pick<SecondFactors, 'status' | 'reset' | 'methods' | 'mustEnrol'>;
    audit: Audit;
    apps: AppService;
    signingKeys: Pick<SigningKeys, 'list' | 'rotate'>;
    /** Whether storage answers (the console's health page). */
    storage: Pick<Stores, 'ping'>;
    /** CONSOLE_MFA (default on). */
    staffNeedSecondFactor?: boolean;
    /** CONSOLE_PROVIDERS (default off). */
    upstreamSignIns?: boolean;
    webhooks: WebhookService;
    identities: Identities;
  }) {
    this.#identities = deps.identities;
    this.#webhooks = deps.webhooks;
    this.#staffNeedSecondFactor = deps.staffNeedSecondFactor ?? true;
    this.#upstreamSignIns = deps.upstreamSignIns ?? false;
    this.#apps = deps.apps;
    this.#keys = deps.signingKeys;
    this.#storage = deps.storage;
    this.#factors = deps.secondFactors;
    this.#accounts = deps.accounts;
    this.#users = deps.users;
    this.#sessions = deps.sessions;
    this.#lockout = deps.lockout;
    this.#resets = deps.resets;
    this.#verification = deps.verification;
    this.#audit = deps.audit;
  }

  /**
   * The one rule for staff power, wherever it is used: the console admits
   * staff and superusers, the admin API superusers; and wherever CONSOLE_MFA
   * or MFA_REQUIRED covers the account, only a session whose sign-in had a
   * second factor (its `amr`) — a password-only token of a superuser is not
   * enough to disable accounts or register apps.
   */
  async refusal(caller: Caller, door: StaffDoor): Promise<StaffRefusal | null> {
    const { user } = caller;
    if (door === 'console' ? !isStaffMember(user) : !(user.isSuperuser && user.status === 'active')) return 'not-staff';
    // An enrolment session (core/sessions.ts) may set up a first factor and nothing else.
    if (caller.claims.type !== 'access') return 'enrol-first';
    // Staff power follows the provider's account only where the operator chose so: a provider decides who it
    // vouches for, and an account taken over there would otherwise reach the console (`fed`: RFC 8176).
    if (!this.#upstreamSignIns && caller.claims.amr?.includes('fed')) return 'upstream';
    const covered = this.#staffNeedSecondFactor || this.#factors.mustEnrol(user);
    if (!covered || showsSecondFactor(caller.claims.amr)) return null;
    return (await this.#factors.methods(user.id)).length > 0 ? 'second-factor' : 'enrol-first';
  }

  /** The admin API's check: FORBIDDEN for anyone but a superuser, STAFF_SECOND_FACTOR_REQUIRED for a sign-in without the second factor it needs. */
  async admitApi(caller: Caller): Promise<void> {
    const refused = await this.refusal(caller, 'api');
    if (refused === 'not-staff') throw fail('FORBIDDEN');
    if (refused === 'upstream') throw fail('FORBIDDEN', "staff power needs a sign-in with the account's own password or passkey (CONSOLE_PROVIDERS is off)");
    if (refused) throw fail('STAFF_SECOND_FACTOR_REQUIRED');
  }

  /**
   * Gives or takes `is_staff` / `is_superuser`; audited. `actor` null: the
   * operator's CLI. Takes effect at once on every instance (the account is
   * read on every request). A superuser never takes their own superuser flag.
   */
  async setRole(actor: User | null, user: User, role: StaffRole, on: boolean): Promise<User> {
    if (actor) {
      this.#assert(actor, 'set-role');
      if (!on && actor.id === user.id) throw fail('FORBIDDEN', 'staff cannot take their own role away');
    }
    const updated = await this.#accounts.setRole(user, role, on);
    if (updated.isSuperuser !== user.isSuperuser || updated.isStaff !== user.isStaff)
      await this.#audit.record('user.role_changed', user.id, `${role === 'staff' ? 'is_staff' : 'is_superuser'} ${on ? 'given' : 'taken away'}`);
    return updated;
  }

  #assert(actor: User, action: StaffAction): void {
    if (!staffMay(actor, action)) throw fail('FORBIDDEN');
  }

  /** Superuser actions that take an account away are never done to oneself (a console locked from inside). */
  #notSelf(actor: User, user: User): void {
    if (actor.id === user.id) throw fail('FORBIDDEN', 'staff cannot do this to their own account');
  }

  async search(actor: User, text: string, limit: number, offset: number): Promise<User[]> {
    this.#assert(actor, 'read');
    return this.#users.search({ text, limit, offset });
  }

  /** The account by uuid; USER_NOT_FOUND when there is none. */
  async find(actor: User, uuid: string): Promise<User> {
    this.#assert(actor, 'read');
    const user = await this.#accounts.findByUuid(uuid.toLowerCase());
    if (!user) throw fail('USER_NOT_FOUND');
    return user;
  }

  async file(actor: User, user: User): Promise<AccountFile> {
    this.#assert(actor, 'read');
    const [lock, sessions, factors, identities] = await Promise.all([
      this.#lockout.state(user.id),
      this.#sessions.listForUser(user.id),
      this.#factors.status(user.id),
      this.#identities.identitiesOf(user.id),
    ]);
    return { user, ...lock, sessions: sessions.sort((a, b) => b.lastSeenAt - a.lastSeenAt), factors, identities };
  }

  async auditTrail(actor: User, query: AuditQuery): Promise<StoredAuditEvent[]> {
    this.#assert(actor, 'read');
    return this.#audit.query(query);
  }

  async unlock(actor: User, user: User): Promise<void> {
    this.#assert(actor, 'unlock');
    // The password lock and the second-factor budget: a locked-out owner gets every try back.
    await this.#lockout.clear('password', user.id);
    await this.#lockout.clear('second-factor', user.id);
    await this.#audit.record('account.unlocked', user.id);
  }

  async setStatus(actor: User, user: User, status: User['status']): Promise<User> {
    this.#assert(actor, 'set-status');
    this.#notSelf(actor, user);
    return this.#accounts.setStatus(user, status);
  }

  async setVerified(actor: User, user: User, channel: 'email' | 'phone'): Promise<User> {
    this.#assert(actor, 'verify');
    if (!(channel === 'email' ? user.email : user.phone)) throw fail('VALIDATION_FAILED', `the account has no ${channel}`, channel);
    return this.#accounts.setVerified(user, channel, true);
  }

  /** A new address, unverified until the link mailed to it is opened (the mail goes out after this returns). */
  async changeEmail(actor: User, user: User, email: string): Promise<User> {
    this.#assert(actor, 'change-email');
    const updated = await this.#accounts.updateProfile(user, { email });
    if (updated.email !== user.email) await this.#audit.record('email.changed', user.id);
    return updated;
  }

  async sendReset(actor: User, user: User): Promise<void> {
    this.#assert(actor, 'send-mail');
    if (!user.email) throw fail('VALIDATION_FAILED', 'the account has no email address', 'email');
    if (user.status !== 'active') throw fail('USER_DISABLED');
    await this.#resets.request(user.email);
    await this.#audit.record('reset.sent', user.id);
  }

  async resendVerification(actor: User, user: User): Promise<void> {
    this.#assert(actor, 'send-mail');
    return this.#verification.start(user, 'email');
  }

  /** Ends one session of this account; false when it was not this account's or had ended. */
  async endSession(actor: User, user: User, sessionId: string): Promise<boolean> {
    this.#assert(actor, 'end-sessions');
    const ended = await this.#sessions.endOwn(user.id, sessionId);
    if (ended) await this.#audit.record('sessions.ended', user.id, 'one');
    return ended;
  }

  async endAllSessions(actor: User, user: User): Promise<number> {
    this.#assert(actor, 'end-sessions');
    const ended = await this.#sessions.endAllForUser(user.id);
    await this.#audit.record('sessions.ended', user.id, `all (${ended})`);
    return ended;
  }

  /** "I lost my second factor": every factor and recovery code goes; the owner signs in with the password and enrols again. */
  async resetFactors(actor: User, user: User): Promise<void> {
    this.#assert(actor, 'reset-factors');
    await this.#factors.reset(user.id);
  }

  /** Deletes the account when `typed` is its {@link deleteConfirmation}; VALIDATION_FAILED otherwise. */
  async delete(actor: User, user: User, typed: string): Promise<void> {
    this.#assert(actor, 'delete');
    this.#notSelf(actor, user);
    if (typed.trim() !== deleteConfirmation(user)) throw fail('VALIDATION_FAILED', 'the confirmation does not match', 'confirm');
    await this.#accounts.delete(user);
  }

  async apps(actor: User): Promise<App[]> {
    this.#assert(actor, 'read');
    return this.#apps.list();
  }

  async app(actor: User, clientId: string): Promise<App> {
    this.#assert(actor, 'read');
    const app = await this.#apps.find(clientId);
    if (!app) throw fail('NOT_FOUND', 'no app has this client id');
    return app;
  }

  /** Registers an app; its secret (null for a public app) is in the answer only: shown once. */
  async addApp(actor: User, input: NewApp): Promise<{ app: App; secret: string | null }> {
    this.#assert(actor, 'manage-apps');
    return this.#apps.register(input);
  }

  async setRedirectUris(actor: User, clientId: string, uris: readonly string[]): Promise<App> {
    this.#assert(actor, 'manage-apps');
    return this.#apps.setRedirectUris(clientId, uris);
  }

  /** A new secret, shown once; the old one stops working at once. */
  async rotateAppSecret(actor: User, clientId: string): Promise<string> {
    this.#assert(actor, 'manage-apps');
    return this.#apps.rotateSecret(clientId);
  }

  /** Removes the app when `typed` is its client id. */
  async removeApp(actor: User, clientId: string, typed: string): Promise<void> {
    this.#assert(actor, 'manage-apps');
    if (typed.trim() !== clientId) throw fail('VALIDATION_FAILED', 'the confirmation does not match', 'confirm');
    await this.#apps.remove(clientId);
  }

  async keys(actor: User): Promise<KeyStatus[]> {
    this.#assert(actor, 'read');
    return this.#keys.list();
  }

  /** Whether storage (the database, Redis when configured) answers from this server: the console's health page. */
  async ping(actor: User): Promise<void> {
    this.#assert(actor, 'read');
    await this.#storage.ping();
  }

  /** New signing keys for the algorithms in use; the old ones keep verifying what they signed until it expires. */
  async rotateKeys(actor: User): Promise<void> {
    this.#assert(actor, 'rotate-keys');
    const made = await this.#keys.rotate();
    await this.#audit.record('keys.rotated', null, made.map((k) => `${k.alg} ${k.kid}`).join(', ') || null);
  }

  // Upstream identity providers: superusers only (a provider decides who may sign in). Audited by the service.

  async providers(actor: User): Promise<ProviderView[]> {
    this.#assert(actor, 'manage-providers');
    return this.#identities.list();
  }

  /**
   * Unlinks one of the account's upstream identities (superusers: a person's
   * identity at a provider they no longer control). As for the owner, never the
   * last way in (LAST_WAY_IN); audited `identity.unlinked` with the actor.
   */
  async unlinkIdentity(actor: User, user: User, issuer: string, subject: string): Promise<void> {
    this.#assert(actor, 'unlink-identity');
    await this.#identities.unlink(user, issuer, subject, 'staff');
  }

  async addProvider(actor: User, input: NewProvider): Promise<ProviderView> {
    this.#assert(actor, 'manage-providers');
    return this.#identities.add(input);
  }

  async provider(actor: User, id: string): Promise<ProviderView> {
    this.#assert(actor, 'manage-providers');
    return this.#identities.find(id);
  }

  /** Removes the provider and its identities; from a form, only when `typed` is its id (the API's DELETE names it already). */
  async removeProvider(actor: User, id: string, typed?: string): Promise<void> {
    this.#assert(actor, 'manage-providers');
    if (typed !== undefined && typed.trim() !== id) throw fail('VALIDATION_FAILED', 'the confirmation does not match', 'confirm');
    await this.#identities.remove(id);
  }

  // Webhook endpoints: superusers only, reading included (an endpoint's URL may carry a receiver's credentials).

  async webhooks(actor: User): Promise<WebhookEndpoint[]> {
    this.#assert(actor, 'manage-webhooks');
    return this.#webhooks.list();
  }

  async webhook(actor: User, id: string): Promise<WebhookEndpoint> {
    this.#assert(actor, 'manage-webhooks');
    return this.#webhooks.find(id);
  }

  /** Adds an endpoint; its secret is in the answer only: shown once. */
  async addWebhook(actor: User, input: NewEndpoint): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    this.#assert(actor, 'manage-webhooks');
    return this.#webhooks.add(input);
  }

  /** Removes the endpoint (its deliveries with it) when `typed` is its id. */
  async removeWebhook(actor: User, id: string, typed: string): Promise<void> {
    this.#assert(actor, 'manage-webhooks');
    if (typed.trim() !== id) throw fail('VALIDATION_FAILED', 'the confirmation does not match', 'confirm');
    await this.#webhooks.remove(id);
  }

  /** A new secret, shown once; the old one keeps signing beside it for 24 hours. */
  async rotateWebhookSecret(actor: User, id: string): Promise<string> {
    this.#assert(actor, 'manage-webhooks');
    return this.#webhooks.rotateSecret(id);
  }

  async setWebhookEnabled(actor: User, id: string, enabled: boolean): Promise<WebhookEndpoint> {
    this.#assert(actor, 'manage-webhooks');
    return this.#webhooks.setEnabled(id, enabled);
  }

  /** Sends a `webhook.test` event to the endpoint; its id. */
  async testWebhook(actor: User, id: string): Promise<string> {
    this.#assert(actor, 'manage-webhooks');
    return this.#webhooks.test(id);
  }

  async webhookDeliveries(actor: User, id: string, limit = 50): Promise<WebhookDelivery[]> {
    this.#assert(actor, 'manage-webhooks');
    return this.#webhooks.deliveries(id, limit);
  }

  /** Sends one delivery of this endpoint again now, with the same webhook-id. */
  async replayDelivery(actor: User, endpointId: string, deliveryId: number): Promise<WebhookDelivery> {
    this.#assert(actor, 'manage-webhooks');
    return this.#webhooks.replay(endpointId, deliveryId);
  }
}
