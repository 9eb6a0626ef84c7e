/**
 * A login. Tokens carry the session id (`sid`); a token is only honoured while
 * its session exists, has not passed `expiresAt`, and names the session's
 * current access `jti` (or the previous one, shortly after a rotation).
 */
export interface Session {
  id: string;
  userId: number;
  createdAt: number;
  /** Absolute end of the session, epoch ms; refreshing does not move it. */
  expiresAt: number;
  /** jti of the newest access token issued for this session. */
  accessJti: string;
  /** jti replaced by the last rotation, honoured for a short grace period; null when none. */
  previousAccessJti: string | null;
  /** When `accessJti` last changed, epoch ms. */
  rotatedAt: number;
  /** SHA-256 fingerprint (base64url) of the current refresh token's jti; null where none was issued. */
  refreshHash: string | null;
  rememberMe: boolean;
  ip: string | null;
  userAgent: string | null;
  /** Last time the session was used, epoch ms (kept to the minute). */
  lastSeenAt: number;
}

export interface AccessRotation {
  /** Only rotate if the session's current access jti is still this one. */
  expectedJti: string;
  newJti: string;
  at: number;
  /** Keep the replaced jti usable for the grace period (false: it stops at once). */
  keepPrevious: boolean;
  /** Replace the refresh fingerprint too (refresh-token rotation); undefined leaves it. */
  newRefreshHash?: string;
  /** Only rotate if the refresh fingerprint is still this one. */
  expectedRefreshHash?: string;
}

/** Persistence of sessions. Compare-and-set rotation makes concurrent refreshes safe. */
export interface SessionStore {
  create(session: Session): Promise<void>;
  get(id: string): Promise<Session | null>;
  /** Atomically rotates the access jti (and optionally the refresh fingerprint). Returns false when the expectation no longer holds. */
  rotate(id: string, rotation: AccessRotation): Promise<boolean>;
  /** Ends a session; returns whether it existed. */
  delete(id: string): Promise<boolean>;
  /** Ends every session of a user except `exceptId`; returns how many ended. */
  deleteForUser(userId: number, exceptId?: string): Promise<number>;
  listForUser(userId: number): Promise<Session[]>;
  /** Records that the session was used at `at`. */
  touch(id: string, at: number): Promise<void>;
  /** Removes sessions past `expiresAt`; returns how many. */
  purgeExpired(now: number): Promise<number>;
}
