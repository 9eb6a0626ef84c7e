import { fail } from './errors.ts';
import type { Audit } from './audit.ts';
import type { EventType, Events } from './events.ts';
import type { EventsOf } from './ports/webhook-store.ts';
import type { Lockout } from './lockout.ts';
import type { PasswordBreaches, Vetted } from './password-breaches.ts';
import type { Phones } from './phones.ts';
import { checkPasswordPolicy, hasPassword, NO_PASSWORD, type PasswordHasher, type PasswordRules } from './passwords.ts';
import type { Clock } from './ports/clock.ts';
import type { IdSource } from './ports/ids.ts';
import type { ResetTokenStore } from './ports/reset-token-store.ts';
import { UniqueViolation, type NewUser, type User, type UserPatch, type UserStore } from './ports/user-store.ts';
import type { VerificationStore } from './ports/verification-store.ts';
import type { StepUp } from './second-factors/step-up.ts';
import type { Caller, SessionService } from './sessions.ts';

export interface Registration {
  email?: string | null;
  username?: string | null;
  password: string;
  firstName?: string | null;
  lastName?: string | null;
  phone?: string | null;
  fullName?: string | null;
  nickname?: string | null;
  isSuperuser?: boolean;
  isStaff?: boolean;
}

/** Profile fields a user may change about themselves. */
export type ProfileChanges = Partial<
  Pick<
    User,
    | 'email'
    | 'nickname'
    | 'fullName'
    | 'firstName'
    | 'lastName'
    | 'phone'
    | 'gender'
    | 'age'
    | 'birthDate'
    | 'avatarUrl'
    | 'bio'
    | 'language'
    | 'timezone'
    | 'theme'
    | 'notifications'
  >
>;

/** Emails are compared case-insensitively and stored lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Usernames are compared in Unicode NFKC form and stored so: `ﬁle` (with the
 * ligature) and `file` are one account, as are full-width and ASCII letters.
 */
export function normalizeUsername(username: string): string {
  return username.normalize('NFKC');
}

/** Secrets mailed out that a change of credentials or status must end. */
interface PendingSecrets {
  resets: ResetTokenStore;
  verifications: VerificationStore;
}

/** `first last` when no full name was given. */
function deriveFullName(r: Registration): string | null {
  if (r.fullName) return r.fullName;
  const parts = [r.firstName, r.lastName].filter((p): p is string => !!p && p.trim() !== '');
  return parts.length ? parts.join(' ') : null;
}

/**
 * Accounts (the "manager" half of auth): registration, lookup, profile and
 * password changes, status. One instance serves every surface.
 */
export class AccountService {
  readonly #users: UserStore;
  readonly #hasher: PasswordHasher;
  readonly #sessions: SessionService;
  readonly #lockout: Lockout;
  readonly #clock: Clock;
  readonly #ids: IdSource;
  readonly #audit: Audit;
  readonly #pending: PendingSecrets;
  readonly #stepUp: Pick<StepUp, 'secondFactorFor' | 'legacyChange'>;
  readonly #events: Events;
  readonly #phones: Pick<Phones, 'normalize'>;
  readonly #breaches: Pick<PasswordBreaches, 'vet'>;

  constructor(deps: {
    users: UserStore;
    hasher: PasswordHasher;
    sessions: SessionService;
    lockout: Lockout;
    clock: Clock;
    ids: IdSource;
    audit: Audit;
    pending: PendingSecrets;
    stepUp: Pick<StepUp, 'secondFactorFor' | 'legacyChange'>;
    /** Webhook events, written with the change they tell of. */
    events: Events;
    phones: Pick<Phones, 'normalize'>;
    breaches: Pick<PasswordBreaches, 'vet'>;
  }) {
    this.#breaches = deps.breaches;
    this.#stepUp = deps.stepUp;
    this.#events = deps.events;
    this.#phones = deps.phones;
    this.#audit = deps.audit;
    this.#pending = deps.pending;
    this.#users = deps.users;
    this.#hasher = deps.hasher;
    this.#sessions = deps.sessions;
    this.#lockout = deps.lockout;
    this.#clock = deps.clock;
    this.#ids = deps.ids;
  }

  /** Creates an account. Throws EMAIL_TAKEN / USERNAME_TAKEN, or VALIDATION_FAILED for the password policy. */
  async register(input: Registration, rules: PasswordRules = {}): Promise<User> {
    checkPasswordPolicy(input.password, rules);
    const email = input.email ? normalizeEmail(input.email) : null;
    const username = input.username == null ? null : normalizeUsername(input.username);
    // Cheap pre-checks give the right error without spending a hash; the unique
    // constraints below remain the real guard against concurrent registrations.
    if (email && (await this.#users.findByEmail(email))) throw fail('EMAIL_TAKEN', undefined, 'email');
    if (username && (await this.#users.findByUsername(username))) throw fail('USERNAME_TAKEN', undefined, 'username');
    const vetted = await this.#breaches.vet(input.password, 'password');
    const record: NewUser = {
      uuid: this.#ids.uuid(),
      email,
      username,
      passwordHash: await this.#hasher.hash(input.password),
      firstName: input.firstName || null,
      lastName: input.lastName || null,
      phone: input.phone || null,
      phoneNormalized: this.#phones.normalize(input.phone),
      fullName: deriveFullName(input),
      nickname: input.nickname ?? null,
      isSuperuser: input.isSuperuser ?? false,
      isStaff: input.isStaff ?? false,
      createdAt: this.#clock.now(),
    };
    let user: User;
    try {
      user = await this.#users.create(record, this.#events.of('user.created'));
    } catch (error) {
      throw translateUnique(error);
    }
    await this.#audit.record('user.registered', user.id);
    await this.#breached(user.id, vetted, 'at registration');
    if (user.email) this.onEmailSet?.(user);
    return user;
  }

  /**
   * A new password checked before it is set, wherever it is set: the policy,
   * then PASSWORD_BREACH_CHECK (`block` refuses with VALIDATION_FAILED naming
   * `field`). A path that checks first and sets later (a reset by mailed
   * token, before the token is spent) hands the verdict to `setPassword`.
   */
  async vetNewPassword(password: string, field: string, rules: PasswordRules = {}): Promise<Vetted> {
    checkPasswordPolicy(password, rules, field);
    return this.#breaches.vet(password, field);
  }

  /** `warn` mode: a breached password was accepted; the owner's trail says so. */
  async #breached(userId: number, vetted: Vetted, where: string): Promise<void> {
    if (vetted.breached) await this.#audit.record('password.breached', userId, where);
  }

  /**
   * Called after an account gets a new email address (registration, a change):
   * the core wires it to send a verification mail. Set once, at wiring.
   */
  onEmailSet: ((user: User) => void) | undefined;
  /** Refuses a deletion the organisations forbid (the only owner of one: LAST_OWNER); set by createCore. */
  beforeDelete: ((user: User) => Promise<void>) | undefined;

  /**
   * Operator or verification: marks the account's email (or phone) as verified, or not. A number
   * another account has verified is refused (PHONE_TAKEN): a verified number belongs to one account.
   */
  async setVerified(user: User, channel: 'email' | 'phone', verified: boolean): Promise<User> {
    const flag = channel === 'email' ? 'isEmailVerified' : 'isPhoneVerified';
    const event: EventType = channel === 'email' ? 'email.verified' : 'phone.verified';
    const updated = await this.#save(
      user.id,
      { [flag]: verified, updatedAt: this.#clock.now() },
      // A flag taken back is a change like any other; a flag given is the verification itself.
      user[flag] === verified ? undefined : verified ? this.#events.of(event) : this.#events.of(['user.updated', { changed: [FIELD_NAMES[flag]] }]),
    );
    if (verified) await this.#audit.record(channel === 'email' ? 'email.verified' : 'phone.verified', user.id);
    return updated;
  }

  findByEmail(email: string): Promise<User | null> {
    return this.#users.findByEmail(normalizeEmail(email));
  }

  async findByUsername(username: string): Promise<User | null> {
    const normal = normalizeUsername(username);
    const found = await this.#users.findByUsername(normal);
    // A name stored before names were normalised still answers to its own spelling.
    return found ?? (normal === username ? null : this.#users.findByUsername(username));
  }

  /** The account that has verified this number (E.164). */
  findByVerifiedPhone(phoneNormalized: string): Promise<User | null> {
    return this.#users.findByVerifiedPhone(phoneNormalized);
  }

  /**
   * An account made by a sign-in code (OTP_SIGNUP): the number or address
   * verified by construction, a generated username, and no password
   * (NO_PASSWORD: password logins are refused until one is set by a reset or
   * on /account). Throws PHONE_TAKEN / EMAIL_TAKEN when another account took
   * the number or address since the code was sent.
   */
  async registerByCode(proved: { phone: string; email?: undefined } | { email: string; phone?: undefined }): Promise<User> {
    for (let attempt = 0; ; attempt++) {
      const record: NewUser = {
        uuid: this.#ids.uuid(),
        email: proved.email ?? null,
        username: this.#generatedUsername(),
        passwordHash: NO_PASSWORD,
        phone: proved.phone ?? null,
        phoneNormalized: proved.phone ?? null,
        isPhoneVerified: proved.phone !== undefined,
        isEmailVerified: proved.email !== undefined,
        createdAt: this.#clock.now(),
      };
      try {
        // Made by a proved number or address: created, and that number or address verified, in one write.
        const user = await this.#users.create(record, this.#events.of('user.created', proved.phone !== undefined ? 'phone.verified' : 'email.verified'));
        await this.#audit.record('user.registered', user.id, proved.phone ? 'by a texted code' : 'by a mailed code');
        return user;
      } catch (error) {
        // A generated username that happens to be taken: draw another (a handful of times at most).
        if (error instanceof UniqueViolation && error.field === 'username' && attempt < 5) continue;
        throw translateUnique(error);
      }
    }
  }

  /**
   * An account made by a first sign-in with an upstream identity provider
   * (core/identities.ts): a generated username, no password (NO_PASSWORD, as
   * an account a sign-in code made), the email the provider gave, verified
   * only when the provider asserts it (otherwise a verification mail goes
   * out, as after a registration). `user.created` in the same write. Throws
   * EMAIL_TAKEN when another account took the address meanwhile.
   */
  async registerByProvider(upstream: { email: string | null; emailVerified: boolean; name: string | null; provider: string }): Promise<User> {
    const email = upstream.email === null ? null : normalizeEmail(upstream.email);
    const verified = email !== null && upstream.emailVerified;
    for (let attempt = 0; ; attempt++) {
      const record: NewUser = {
        uuid: this.#ids.uuid(),
        email,
        username: this.#generatedUsername(),
        passwordHash: NO_PASSWORD,
        fullName: upstream.name,
        isEmailVerified: verified,
        createdAt: this.#clock.now(),
      };
      try {
        const user = await this.#users.create(
          record,
          this.#events.of(...(verified ? (['user.created', 'email.verified'] as const) : (['user.created'] as const))),
        );
        await this.#audit.record('user.registered', user.id, `by identity provider ${upstream.provider}`);
        if (user.email && !verified) this.onEmailSet?.(user);
        return user;
      } catch (error) {
        if (error instanceof UniqueViolation && error.field === 'username' && attempt < 5) continue;
        throw translateUnique(error);
      }
    }
  }

  /** `user_` and 10 random letters and digits. */
  #generatedUsername(): string {
    // 8 random bytes are 11 base64url characters; '-' and '_' become 'x' rather than go,
    // so the name is always user_ and 10 characters (removing them left 9 now and then).
    return `user_${this.#ids
      .token(8)
      .replace(/[^A-Za-z0-9]/g, 'x')
      .slice(0, 10)
      .toLowerCase()}`;
  }

  /** An email when the text has an `@`, otherwise a username. */
  findByLogin(identifier: string): Promise<User | null> {
    return identifier.includes('@') ? this.findByEmail(identifier) : this.findByUsername(identifier);
  }

  findByUuid(uuid: string): Promise<User | null> {
    return this.#users.findByUuid(uuid);
  }

  findById(id: number): Promise<User | null> {
    return this.#users.findById(id);
  }

  list(limit: number, offset: number, search?: string): Promise<User[]> {
    return this.#users.list({ limit, offset, search });
  }

  /** Applies profile changes. Throws EMAIL_TAKEN when the new email is someone else's. A new email is unverified. */
  async updateProfile(user: User, changes: ProfileChanges): Promise<User> {
    const patch = await this.#profilePatch(user, changes);
    return this.#emailChanged(user, await this.#save(user.id, patch, this.#updated(user, patch)));
  }

  /** `user.updated` naming the fields a patch changes (in the API's names), or nothing when it changes none. */
  #updated(user: User, patch: UserPatch, also: EventType[] = []): EventsOf<User> | undefined {
    const changed = Object.entries(patch)
      .filter(([key, value]) => key !== 'updatedAt' && key !== 'passwordHash' && JSON.stringify(value) !== JSON.stringify(user[key as keyof User]))
      .map(([key]) => FIELD_NAMES[key] ?? key);
    const events: Array<EventType | [EventType, Record<string, unknown>]> = [...also];
    if (changed.length > 0) events.unshift(['user.updated', { changed }]);
    return events.length > 0 ? this.#events.of(...events) : undefined;
  }

  async #emailChanged(before: User, after: User): Promise<User> {
    if (after.email !== before.email) {
      // A link or token mailed to the old address must not outlive the change.
      await this.#cancelPending(after.id);
      if (after.email) this.onEmailSet?.(after);
    }
    return after;
  }

  /**
   * Ends every reset token and verification code the account has pending:
   * after a reset, a password or email change, or when it is disabled or
   * deleted, nothing mailed before may still act on it.
   */
  async #cancelPending(userId: number): Promise<void> {
    await this.#pending.resets.revokeForUser(userId);
    await this.#pending.verifications.cancelForUser(userId);
  }

  async #profilePatch(user: User, changes: ProfileChanges): Promise<UserPatch> {
    const patch: UserPatch = { ...definedOnly(changes), updatedAt: this.#clock.now() };
    if (changes.email != null) {
      patch.email = normalizeEmail(changes.email);
      const holder = await this.#users.findByEmail(patch.email);
      if (holder && holder.id !== user.id) throw fail('EMAIL_TAKEN', undefined, 'email');
      // A new address is not verified until its owner proves it.
      if (patch.email !== user.email) patch.isEmailVerified = false;
    }
    if (changes.phone !== undefined) {
      patch.phoneNormalized = this.#phones.normalize(changes.phone);
      // Another number is not verified until its owner proves it (a code signs in to a verified number only).
      if (patch.phoneNormalized !== user.phoneNormalized) patch.isPhoneVerified = false;
    }
    if (changes.birthDate != null) checkBirthDate(changes.birthDate, this.#clock.now());
    return patch;
  }

  /**
   * A logged-in user changes their profile and, optionally, their password, in
   * one write (`PUT /api/user/me`, whose contract asks for nothing but the
   * token): every rule is checked before anything is stored. A new password
   * ends every other session of the user; `keepSessionId` (the caller's own)
   * keeps working. A new password or email of an account with a second factor
   * needs that factor, which this contract has no field for: refused (step-up).
   */
  async updateSelf(user: User, changes: ProfileChanges, newPassword: string | undefined, keepSessionId: string, rules: PasswordRules = {}): Promise<User> {
    if (newPassword !== undefined) checkPasswordPolicy(newPassword, rules, 'password');
    // The stored address, not the caller's copy (which a cache may hold from before the last change).
    const newEmail = changes.email != null && normalizeEmail(changes.email) !== (await this.#users.findById(user.id))?.email;
    if (newPassword !== undefined || newEmail) await this.#stepUp.legacyChange(user, newPassword !== undefined ? 'password' : 'email');
    // Each answer to a new email tells whether the address is taken: a user's own changes are
    // counted (10 an hour), so an account cannot probe for addresses or farm verification mails.
    if (newEmail) await this.#lockout.reserve('email-change', user.id);
    const patch = await this.#profilePatch(user, changes);
    const vetted = newPassword !== undefined ? await this.#breaches.vet(newPassword, 'password') : { breached: false };
    if (newPassword !== undefined) patch.passwordHash = await this.#hasher.hash(newPassword);
    const updated = await this.#save(user.id, patch, this.#updated(user, patch, newPassword !== undefined ? ['password.changed'] : []));
    if (newPassword !== undefined) {
      if (updated.email === user.email) await this.#cancelPending(user.id);
      await this.#sessions.endAllForUser(user.id, keepSessionId);
      await this.#audit.record('password.changed', user.id);
      await this.#breached(user.id, vetted, 'at a change');
    }
    return this.#emailChanged(user, updated);
  }

  /**
   * A signed-in user changes their password: the current one, and — when the
   * account has an authenticator app and the session is not a fresh two-step
   * sign-in — a code of it (core/second-factors/step-up.ts). A wrong current
   * password counts as a failed login. The caller's session survives; every
   * other session of the user ends.
   */
  async changePassword(caller: Caller, oldPassword: string, newPassword: string, code: string | undefined, rules: PasswordRules = {}): Promise<void> {
    checkPasswordPolicy(newPassword, rules, 'new_password');
    const secondFactor = await this.#stepUp.secondFactorFor(caller, code);
    // An account without a password sets its first one: the fresh code sign-in (secondFactorFor) is the proof.
    if (hasPassword(caller.user)) await this.#checkCurrentPassword(caller.user, oldPassword);
    await secondFactor?.();
    const vetted = await this.#breaches.vet(newPassword, 'new_password');
    await this.#storeNewPassword(caller.user, newPassword, caller.session.id);
    await this.#breached(caller.user.id, vetted, 'at a change');
  }

  /**
   * Seed 000's reset_password: email plus old password, no session. Ends every
   * session of the user. An account with a second factor is refused after the
   * password (the contract has no field for the code), as its login is.
   */
  async resetWithOldPassword(email: string, oldPassword: string, newPassword: string): Promise<void> {
    const user = await this.findByEmail(email);
    if (!user) {
      await this.#hasher.verifyDummy(oldPassword);
      throw fail('USER_NOT_FOUND');
    }
    checkPasswordPolicy(newPassword, {}, 'new_password');
    await this.#checkCurrentPassword(user, oldPassword);
    await this.#stepUp.legacyChange(user, 'password');
    const vetted = await this.#breaches.vet(newPassword, 'new_password');
    await this.#storeNewPassword(user, newPassword);
    await this.#breached(user.id, vetted, 'at a change');
  }

  async #checkCurrentPassword(user: User, password: string): Promise<void> {
    // No password: none is right, and nothing is counted (no lock to cause for an account that signs in by code).
    const ok = !hasPassword(user)
      ? await this.#hasher.verifyDummy(password).then(() => false)
      : await this.#lockout.guard(
          'password',
          user.id,
          async () => (await this.#hasher.verify(user.passwordHash, password)).ok,
          () => this.#audit.record('account.locked', user.id),
        );
    if (!ok) {
      await this.#audit.record('login.failed', user.id, 'wrong current password');
      throw fail('PASSWORD_INCORRECT');
    }
  }

  /** A new password: pending resets and codes end, and every session but `keepSessionId`. */
  async #storeNewPassword(user: User, newPassword: string, keepSessionId?: string): Promise<void> {
    await this.#save(user.id, { passwordHash: await this.#hasher.hash(newPassword), updatedAt: this.#clock.now() }, this.#events.of('password.changed'));
    await this.#cancelPending(user.id);
    await this.#sessions.endAllForUser(user.id, keepSessionId);
    await this.#audit.record('password.changed', user.id);
  }

  /** Operator or superuser action: gives or takes `is_staff` or `is_superuser` (core/staff.ts audits it). */
  async setRole(user: User, role: 'staff' | 'superuser', on: boolean): Promise<User> {
    const patch: UserPatch = role === 'staff' ? { isStaff: on, updatedAt: this.#clock.now() } : { isSuperuser: on, updatedAt: this.#clock.now() };
    const unchanged = role === 'staff' ? user.isStaff === on : user.isSuperuser === on;
    return this.#save(user.id, patch, unchanged ? undefined : this.#updated(user, patch));
  }

  /**
   * A reset or an operator: set a password without knowing the old one. Ends every session. `vetted`: the
   * verdict of `vetNewPassword` when the caller checked first; otherwise the password is checked here.
   */
  async setPassword(user: User, newPassword: string, vetted?: Vetted): Promise<void> {
    const verdict = vetted ?? (await this.vetNewPassword(newPassword, 'password'));
    await this.#save(user.id, { passwordHash: await this.#hasher.hash(newPassword), updatedAt: this.#clock.now() }, this.#events.of('password.changed'));
    await this.#cancelPending(user.id);
    await this.#sessions.endAllForUser(user.id);
    await this.#lockout.clear('password', user.id);
    await this.#audit.record('password.reset', user.id);
    await this.#breached(user.id, verdict, 'at a reset');
  }

  /**
   * Disabled accounts cannot log in, and their live tokens are refused (403
   * "User is disabled" where the contracts say so). Enabling the account again
   * ends every session it had: no token, refresh token or cookie handed out
   * before the account was disabled comes back to life.
   */
  async setStatus(user: User, status: User['status']): Promise<User> {
    const events = user.status === status ? undefined : this.#events.of(status === 'disabled' ? 'user.disabled' : 'user.enabled');
    const updated = await this.#save(user.id, { status, updatedAt: this.#clock.now() }, events);
    if (status !== 'active') await this.#cancelPending(user.id);
    else if (user.status !== 'active') await this.#sessions.endAllForUser(user.id);
    await this.#audit.record(status === 'disabled' ? 'user.disabled' : 'user.enabled', user.id);
    return updated;
  }

  /** Deletes the account and its sessions (wherever sessions are stored). */
  async delete(user: User): Promise<boolean> {
    await this.beforeDelete?.(user);
    await this.#sessions.endAllForUser(user.id);
    await this.#cancelPending(user.id);
    await this.#lockout.clear('password', user.id);
    const deleted = await this.#users.delete(user.id, this.#events.of('user.deleted'));
    if (deleted) await this.#audit.record('user.deleted', user.id);
    return deleted;
  }

  async #save(id: number, patch: UserPatch, events?: EventsOf<User>): Promise<User> {
    let updated: User | null;
    try {
      updated = await this.#users.update(id, patch, events);
    } catch (error) {
      throw translateUnique(error);
    }
    if (!updated) throw fail('USER_NOT_FOUND');
    return updated;
  }
}

/** The staff API's names of the fields a change can touch (`data.changed` of `user.updated`). */
const FIELD_NAMES: Record<string, string> = {
  email: 'email',
  username: 'username',
  nickname: 'nickname',
  fullName: 'full_name',
  firstName: 'first_name',
  lastName: 'last_name',
  phone: 'phone_number',
  gender: 'gender',
  age: 'age',
  birthDate: 'birth_date',
  avatarUrl: 'avatar_url',
  bio: 'bio',
  language: 'language',
  timezone: 'timezone',
  theme: 'theme',
  notifications: 'notifications',
  isEmailVerified: 'is_email_verified',
  isPhoneVerified: 'is_phone_verified',
  isStaff: 'is_staff',
  isSuperuser: 'is_superuser',
  status: 'status',
};

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** `YYYY-MM-DD`, a real calendar date, not after today (UTC). */
export function checkBirthDate(value: string, now: number): void {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null;
  if (!date || date.toISOString().slice(0, 10) !== value) throw fail('VALIDATION_FAILED', 'must be a date in YYYY-MM-DD form', 'birth_date');
  if (date.getTime() > now) throw fail('VALIDATION_FAILED', 'must not be in the future', 'birth_date');
}

function translateUnique(error: unknown): unknown {
  if (error instanceof UniqueViolation) {
    if (error.field === 'email') return fail('EMAIL_TAKEN', undefined, 'email');
    if (error.field === 'phone') return fail('PHONE_TAKEN', undefined, 'phone');
    if (error.field === 'username') return fail('USERNAME_TAKEN', undefined, 'username');
  }
  return error;
}
