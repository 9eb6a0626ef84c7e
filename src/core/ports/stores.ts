import type { LockoutStore } from './lockout-store.ts';
import type { SessionStore } from './session-store.ts';
import type { UserStore } from './user-store.ts';

/** The storage a running Gatehouse is wired to. */
export interface Stores {
  users: UserStore;
  sessions: SessionStore;
  lockouts: LockoutStore;
  /** Resolves when every backend answers; rejects with the first that does not. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
