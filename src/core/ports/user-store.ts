import type { EventsOf } from './webhook-store.ts';

/** The account record every surface shares. Times are epoch milliseconds (UTC). */
export interface User {
  id: number;
  uuid: string;
  /** Stored lower-cased; null for accounts made without one (seed 003's envelope register). */
  email: string | null;
  /** Stored as given, compared case-insensitively; null for seed 000 accounts. */
  username: string | null;
  passwordHash: string;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  /**
   * `phone` in E.164 (`+8613800138000`), what numbers are matched by; null when
   * there is none or it is not a number. Set by the core whenever `phone` is.
   * Unique among accounts whose number is verified.
   */
  phoneNormalized: string | null;
  fullName: string | null;
  nickname: string | null;
  gender: string | null;
  age: number | null;
  birthDate: string | null;
  avatarUrl: string | null;
  bio: string | null;
  isSuperuser: boolean;
  isStaff: boolean;
  status: UserStatus;
  isEmailVerified: boolean;
  isPhoneVerified: boolean;
  language: string;
  timezone: string;
  theme: string;
  notifications: { email: boolean; push: boolean };
  createdAt: number;
  updatedAt: number;
  lastLoginAt: number | null;
  loginCount: number;
}

export type UserStatus = 'active' | 'disabled';

/** What a store needs to create an account; defaults are the store's job. */
export type NewUser = Pick<User, 'uuid' | 'email' | 'username' | 'passwordHash' | 'createdAt'> &
  Partial<Omit<User, 'id' | 'uuid' | 'email' | 'username' | 'passwordHash' | 'createdAt' | 'updatedAt'>> & {
    /** Keep this integer id (imports); otherwise the store assigns the next one. */
    id?: number;
  };

/** Fields that may change after creation. `updatedAt` is always set by the caller. */
export type UserPatch = Partial<Omit<User, 'id' | 'uuid' | 'createdAt'>> & { updatedAt: number };

/** Thrown by a store when a unique field (email, username, a verified phone number) is already held by another account. */
export class UniqueViolation extends Error {
  readonly field: 'email' | 'username' | 'id' | 'uuid' | 'phone';
  constructor(field: 'email' | 'username' | 'id' | 'uuid' | 'phone') {
    super(`unique constraint on ${field}`);
    this.name = 'UniqueViolation';
    this.field = field;
  }
}

export interface UserListQuery {
  limit: number;
  offset: number;
  /** Matches email or username containing this text, case-insensitively. */
  search?: string;
}

/**
 * The staff console's account search. A text shaped like a uuid matches that
 * account's uuid exactly; any other text matches accounts whose email, username
 * (case-insensitively) or phone number starts with it. Prefixes, not substrings:
 * every branch is an index range, so a search stays fast at millions of accounts.
 */
export interface UserSearch {
  text: string;
  limit: number;
  offset: number;
}

/** A uuid as typed by staff (any case). */
export const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Persistence of accounts. Every method is atomic on its own. A write given
 * `events` adds them to the webhook outbox in the same transaction, made from
 * the record as written (see ports/webhook-store.ts).
 */
export interface UserStore {
  /** Inserts; throws {@link UniqueViolation} when email or username is taken. */
  create(user: NewUser, events?: EventsOf<User>): Promise<User>;
  findById(id: number): Promise<User | null>;
  findByUuid(uuid: string): Promise<User | null>;
  /** `email` must already be lower-cased. */
  findByEmail(email: string): Promise<User | null>;
  /** Case-insensitive. */
  findByUsername(username: string): Promise<User | null>;
  /** The account that has verified this number (E.164, as `phoneNormalized`); at most one. */
  findByVerifiedPhone(phoneNormalized: string): Promise<User | null>;
  /** Applies the patch and returns the new record, or null when the user is gone. Throws {@link UniqueViolation}. */
  update(id: number, patch: UserPatch, events?: EventsOf<User>): Promise<User | null>;
  /** Records a successful login: bumps `loginCount`, sets `lastLoginAt`, and optionally replaces the hash. */
  recordLogin(id: number, at: number, newPasswordHash?: string): Promise<void>;
  /** Returns whether a user was deleted. The user's sessions go with it; `events` are made from the record as it was. */
  delete(id: number, events?: EventsOf<User>): Promise<boolean>;
  list(query: UserListQuery): Promise<User[]>;
  /** Accounts matching {@link UserSearch}, by id. */
  search(query: UserSearch): Promise<User[]>;
  /** Active superusers, by id (whom an operator's notice goes to). */
  superusers(limit: number): Promise<User[]>;
}
