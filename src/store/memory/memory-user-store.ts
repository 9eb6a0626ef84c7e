import {
  UniqueViolation,
  type NewUser,
  type User,
  type UserListQuery,
  type UserPatch,
  type UserSearch,
  type UserStore,
  UUID_TEXT,
} from '../../core/ports/user-store.ts';
import type { EventsOf, OutboxEvent } from '../../core/ports/webhook-store.ts';
import { userDefaults } from '../user-defaults.ts';

/** Accounts in a Map; for unit tests and throwaway runs. */
export class MemoryUserStore implements UserStore {
  readonly #byId = new Map<number, User>();
  #nextId = 1;
  /** Called when a user is deleted, so the session store can follow (a foreign-key cascade). */
  onDelete: (id: number) => void = () => {};
  /** Writes events to the outbox beside a change (set by memoryStores). */
  events: (events: readonly OutboxEvent[]) => void = () => {};

  async create(input: NewUser, events?: EventsOf<User>): Promise<User> {
    const id = input.id ?? this.#nextId;
    if (this.#byId.has(id)) throw new UniqueViolation('id');
    this.#assertFree({ ...input, verifiedPhone: input.isPhoneVerified ? (input.phoneNormalized ?? null) : null }, id);
    const user: User = { ...userDefaults(input), id };
    this.#nextId = Math.max(this.#nextId, id + 1);
    this.#byId.set(id, user);
    if (events) this.events(events(structuredClone(user)));
    return structuredClone(user);
  }

  async findById(id: number): Promise<User | null> {
    const user = this.#byId.get(id);
    return user ? structuredClone(user) : null;
  }

  async findByUuid(uuid: string): Promise<User | null> {
    return this.#find((u) => u.uuid === uuid);
  }

  async findByEmail(email: string): Promise<User | null> {
    return this.#find((u) => u.email === email);
  }

  async findByUsername(username: string): Promise<User | null> {
    const key = username.toLowerCase();
    return this.#find((u) => u.username?.toLowerCase() === key);
  }

  async findByVerifiedPhone(phoneNormalized: string): Promise<User | null> {
    return this.#find((u) => u.isPhoneVerified && u.phoneNormalized === phoneNormalized);
  }

  async update(id: number, patch: UserPatch, events?: EventsOf<User>): Promise<User | null> {
    const user = this.#byId.get(id);
    if (!user) return null;
    const next = { ...user, ...definedOnly(patch) };
    this.#assertFree({ ...patch, verifiedPhone: next.isPhoneVerified ? next.phoneNormalized : null }, id);
    this.#byId.set(id, next);
    if (events) this.events(events(structuredClone(next)));
    return structuredClone(next);
  }

  async recordLogin(id: number, at: number, newPasswordHash?: string): Promise<void> {
    const user = this.#byId.get(id);
    if (!user) return;
    user.lastLoginAt = at;
    user.loginCount += 1;
    if (newPasswordHash) user.passwordHash = newPasswordHash;
  }

  async superusers(limit: number): Promise<User[]> {
    return [...this.#byId.values()]
      .filter((u) => u.isSuperuser && u.status === 'active')
      .sort((a, b) => a.id - b.id)
      .slice(0, limit)
      .map((u) => structuredClone(u));
  }

  async delete(id: number, events?: EventsOf<User>): Promise<boolean> {
    const user = this.#byId.get(id);
    if (!user) return false;
    this.#byId.delete(id);
    this.onDelete(id);
    if (events) this.events(events(structuredClone(user)));
    return true;
  }

  async list(query: UserListQuery): Promise<User[]> {
    const needle = query.search?.toLowerCase();
    return [...this.#byId.values()]
      .filter((u) => !needle || u.email?.includes(needle) || u.username?.toLowerCase().includes(needle))
      .sort((a, b) => a.id - b.id)
      .slice(query.offset, query.offset + query.limit)
      .map((u) => structuredClone(u));
  }

  async search(query: UserSearch): Promise<User[]> {
    const text = query.text.trim();
    const lower = text.toLowerCase();
    const matches =
      text === ''
        ? () => true
        : UUID_TEXT.test(text)
          ? (u: User) => u.uuid === lower
          : (u: User) => !!u.email?.startsWith(lower) || !!u.username?.toLowerCase().startsWith(lower) || !!u.phone?.startsWith(text);
    return [...this.#byId.values()]
      .filter(matches)
      .sort((a, b) => a.id - b.id)
      .slice(query.offset, query.offset + query.limit)
      .map((u) => structuredClone(u));
  }

  #find(predicate: (u: User) => boolean): User | null {
    for (const user of this.#byId.values()) if (predicate(user)) return structuredClone(user);
    return null;
  }

  #assertFree(fields: Partial<Pick<User, 'email' | 'username' | 'uuid'>> & { verifiedPhone: string | null }, id: number): void {
    for (const other of this.#byId.values()) {
      if (other.id === id) continue;
      if (fields.verifiedPhone && other.isPhoneVerified && other.phoneNormalized === fields.verifiedPhone) throw new UniqueViolation('phone');
      if (fields.email && other.email === fields.email) throw new UniqueViolation('email');
      if (fields.username && other.username?.toLowerCase() === fields.username.toLowerCase()) throw new UniqueViolation('username');
      if (fields.uuid && other.uuid === fields.uuid) throw new UniqueViolation('uuid');
    }
  }
}

function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}
