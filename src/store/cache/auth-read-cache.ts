import type { Clock } from '../../core/ports/clock.ts';
import type { Session, SessionStore } from '../../core/ports/session-store.ts';
import type { User, UserStore } from '../../core/ports/user-store.ts';

/**
 * Tells whether anything this process did not write itself may have changed.
 * `generation()` returns a value that changes whenever it may have (null: that
 * cannot be known right now, so nothing may be served from memory).
 */
export interface Freshness {
  generation(): string | null;
}

/** Tells the other processes what this one changed, before the change is acknowledged. */
export interface ChangeNotices {
  session(id: string): Promise<void>;
  user(id: number): Promise<void>;
}

/**
 * The reads every authenticated request makes (the session by id, the user by
 * id), kept in memory and served from there only while their freshness is
 * proven:
 * - this process's own writes evict what they touch before they return;
 * - another process's writes change `Freshness.generation()` (SQLite's
 *   `PRAGMA data_version`; on Redis, the revocation channel), which empties the
 *   cache before the next read;
 * - a read that was in flight while anything was evicted is not kept.
 * Worst-case staleness within one process: none; across processes: the time for
 * the other process's change to reach `generation()` (see docs/performance.md).
 * Whatever goes wrong with the above, no entry is served once it is older than
 * CACHE_MAX_AGE_MS (on the injected clock), and entries are frozen: a caller that
 * wrote into a shared cached object would change what every other request sees.
 */
/** The longest a cached session or user is served without a reload, whatever the freshness signals say. */
export const CACHE_MAX_AGE_MS = 60_000;

interface Entry<V> {
  value: Readonly<V>;
  /** When it was read from the store (injected clock). */
  at: number;
}

export class AuthReadCache {
  readonly #freshness: Freshness;
  readonly #max: number;
  readonly #clock: Clock;
  readonly #sessions = new Map<string, Entry<Session>>();
  readonly #users = new Map<number, Entry<User>>();
  #generation: string | null = null;
  /** Bumped by every eviction: a load that overlapped one is not cached. */
  #epoch = 0;

  constructor(freshness: Freshness, clock: Clock, max = 5_000) {
    this.#freshness = freshness;
    this.#clock = clock;
    this.#max = max;
  }

  #fresh(): boolean {
    const generation = this.#freshness.generation();
    if (generation === null || generation !== this.#generation) {
      this.clear();
      this.#generation = generation;
    }
    return generation !== null;
  }

  async session(id: string, load: () => Promise<Session | null>): Promise<Session | null> {
    return this.#read(this.#sessions, id, load);
  }

  async user(id: number, load: () => Promise<User | null>): Promise<User | null> {
    return this.#read(this.#users, id, load);
  }

  async #read<K, V extends object>(map: Map<K, Entry<V>>, key: K, load: () => Promise<V | null>): Promise<V | null> {
    if (!this.#fresh()) return load();
    const now = this.#clock.now();
    const hit = map.get(key);
    if (hit && now - hit.at < CACHE_MAX_AGE_MS) return hit.value;
    const epoch = this.#epoch;
    const value = await load();
    if (!value || epoch !== this.#epoch) return value;
    const kept = Object.freeze(value);
    // Bounded: when full, start over (a hot set refills in one request each).
    if (map.size >= this.#max) map.clear();
    map.set(key, { value: kept, at: now });
    return kept;
  }

  evictSession(id: string): void {
    this.#epoch++;
    this.#sessions.delete(id);
  }

  /** The user and every cached session of theirs. */
  evictUser(userId: number): void {
    this.#epoch++;
    this.#users.delete(userId);
    for (const [id, s] of this.#sessions) if (s.value.userId === userId) this.#sessions.delete(id);
  }

  /** Keeps a cached session's last-seen time current without a reload (not a security property). */
  touched(id: string, at: number): void {
    const s = this.#sessions.get(id);
    if (s) this.#sessions.set(id, { value: Object.freeze({ ...s.value, lastSeenAt: at }), at: s.at });
  }

  clear(): void {
    this.#epoch++;
    this.#sessions.clear();
    this.#users.clear();
  }
}

const NO_NOTICES: ChangeNotices = { session: async () => {}, user: async () => {} };

/**
 * The session store, with reads through the cache and writes that evict (and tell
 * other processes) before they return. A revocation is announced before and after
 * the write: if the first announcement fails, nothing was revoked and the caller
 * gets 503 (no instance keeps serving a session this one said was ended); the
 * second covers a read another instance made in between.
 */
export function cachedSessions(inner: SessionStore, cache: AuthReadCache, notices: ChangeNotices = NO_NOTICES): SessionStore {
  return {
    create: (s) => inner.create(s),
    get: (id) => cache.session(id, () => inner.get(id)),
    async rotate(id, rotation) {
      const done = await inner.rotate(id, rotation);
      cache.evictSession(id);
      if (done) await notices.session(id);
      return done;
    },
    async delete(id) {
      await notices.session(id);
      const existed = await inner.delete(id);
      cache.evictSession(id);
      await notices.session(id);
      return existed;
    },
    async deleteForUser(userId, exceptId) {
      await notices.user(userId);
      const ended = await inner.deleteForUser(userId, exceptId);
      cache.evictUser(userId);
      await notices.user(userId);
      return ended;
    },
    listForUser: (userId) => inner.listForUser(userId),
    async touch(id, at) {
      await inner.touch(id, at);
      cache.touched(id, at);
    },
    async purgeExpired(now) {
      const purged = await inner.purgeExpired(now);
      if (purged > 0) cache.clear();
      return purged;
    },
  };
}

/** The user store, with `findById` through the cache and every write evicting (and telling other processes, before and after) before it returns. */
export function cachedUsers(inner: UserStore, cache: AuthReadCache, notices: ChangeNotices = NO_NOTICES): UserStore {
  const changed = async (id: number) => {
    cache.evictUser(id);
    await notices.user(id);
  };
  return {
    create: (u, events) => inner.create(u, events),
    findById: (id) => cache.user(id, () => inner.findById(id)),
    findByUuid: (uuid) => inner.findByUuid(uuid),
    findByEmail: (email) => inner.findByEmail(email),
    findByUsername: (username) => inner.findByUsername(username),
    findByVerifiedPhone: (phone) => inner.findByVerifiedPhone(phone),
    async update(id, patch, events) {
      await notices.user(id);
      try {
        return await inner.update(id, patch, events);
      } finally {
        await changed(id);
      }
    },
    async recordLogin(id, at, newPasswordHash) {
      await inner.recordLogin(id, at, newPasswordHash);
      await changed(id);
    },
    async delete(id, events) {
      await notices.user(id);
      const deleted = await inner.delete(id, events);
      await changed(id);
      return deleted;
    },
    list: (query) => inner.list(query),
    search: (query) => inner.search(query),
    superusers: (limit) => inner.superusers(limit),
  };
}
