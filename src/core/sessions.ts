import { createHash } from 'node:crypto';
import { fail } from './errors.ts';
import type { Clock } from './ports/clock.ts';
import type { IdSource } from './ports/ids.ts';
import type { Session, SessionStore } from './ports/session-store.ts';
import type { User, UserStore } from './ports/user-store.ts';
import type { TokenClaims, TokenIssuer } from './tokens.ts';
import type { Audit } from './audit.ts';

export interface SessionPolicy {
  /** Session lifetime without remember-me, ms (7 days). */
  lifetimeMs: number;
  /** Session lifetime with remember-me, ms (30 days). */
  rememberLifetimeMs: number;
  /** How long a replaced access jti keeps working after a rotation, ms (10 s). */
  rotationGraceMs: number;
  /** Refresh token lifetime, s (bounded by the session's own end). */
  refreshTtlSeconds: number;
  /** A session unused this long ends, ms (0: no idle limit). */
  idleMs: number;
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = {
  lifetimeMs: 7 * 24 * 3600_000,
  rememberLifetimeMs: 30 * 24 * 3600_000,
  rotationGraceMs: 10_000,
  refreshTtlSeconds: 7 * 24 * 3600,
  idleMs: 0,
};

/** Last-seen times are written at most this often per session. */
const TOUCH_EVERY_MS = 60_000;

export interface StartOptions {
  /** Access-token lifetime for the surface that logs in, seconds. */
  accessTtl: number;
  rememberMe?: boolean;
  /** Also hand out a refresh token bound to the session. */
  withRefreshToken?: boolean;
  ip?: string | null;
  userAgent?: string | null;
}

export interface Grant {
  session: Session;
  accessToken: string;
  /** Seconds the access token lives. */
  accessTtl: number;
  refreshToken?: string;
}

/** What a protected request learns about its caller. */
export interface Caller {
  user: User;
  session: Session;
  claims: TokenClaims;
}

/**
 * Sessions and the tokens bound to them (the "strategy" half of auth): start a
 * session on login, check it on every request, rotate tokens on refresh with
 * reuse detection, and end it.
 */
export class SessionService {
  readonly #store: SessionStore;
  readonly #users: UserStore;
  readonly #tokens: TokenIssuer;
  readonly #clock: Clock;
  readonly #ids: IdSource;
  readonly policy: SessionPolicy;

  readonly #audit: Audit;

  constructor(deps: { sessions: SessionStore; users: UserStore; tokens: TokenIssuer; clock: Clock; ids: IdSource; audit: Audit }, policy = DEFAULT_SESSION_POLICY) {
    this.#audit = deps.audit;
    this.#store = deps.sessions;
    this.#users = deps.users;
    this.#tokens = deps.tokens;
    this.#clock = deps.clock;
    this.#ids = deps.ids;
    this.policy = policy;
  }

  async start(user: User, options: StartOptions): Promise<Grant> {
    const now = this.#clock.now();
    const lifetime = options.rememberMe ? this.policy.rememberLifetimeMs : this.policy.lifetimeMs;
    const session: Session = {
      id: this.#ids.token(16),
      userId: user.id,
      createdAt: now,
      expiresAt: now + lifetime,
      accessJti: this.#ids.token(12),
      previousAccessJti: null,
      rotatedAt: now,
      refreshHash: null,
      rememberMe: options.rememberMe ?? false,
      ip: options.ip ?? null,
      userAgent: options.userAgent ?? null,
      lastSeenAt: now,
    };
    let refreshToken: string | undefined;
    if (options.withRefreshToken) {
      const refresh = this.#issueRefresh(user, session);
      session.refreshHash = refresh.hash;
      refreshToken = refresh.token;
    }
    await this.#store.create(session);
    const access = this.#tokens.issue('access', user.uuid, session.id, session.accessJti, options.accessTtl);
    return { session, accessToken: access.token, accessTtl: options.accessTtl, refreshToken };
  }

  /**
   * The check every protected request makes: signature, type, expiry, a live
   * session that still names this token, and an existing, active user.
   */
  async authenticate(token: string): Promise<Caller> {
    const claims = this.#tokens.verify(token, 'access');
    const session = await this.#liveSession(claims);
    if (!this.#honours(session, claims.jti)) throw fail('SESSION_ENDED');
    const user = await this.#activeUser(session.userId);
    const now = this.#clock.now();
    if (now - session.lastSeenAt >= TOUCH_EVERY_MS) {
      session.lastSeenAt = now;
      await this.#store.touch(session.id, now);
    }
    return { user, session, claims };
  }

  /** Ends the session a token belongs to. The token may not be expired. Throws SESSION_ENDED when already ended. */
  async logout(token: string): Promise<void> {
    const claims = this.#tokens.verify(token, 'access');
    const session = await this.#liveSession(claims);
    if (!this.#honours(session, claims.jti)) throw fail('SESSION_ENDED');
    await this.#store.delete(session.id);
    await this.#audit.record('logout', session.userId);
  }

  /** Ends one of the user's own sessions; false when it is not theirs or already ended. */
  async endOwn(userId: number, sessionId: string): Promise<boolean> {
    const session = await this.#store.get(sessionId);
    if (!session || session.userId !== userId) return false;
    return this.#store.delete(sessionId);
  }

  async end(sessionId: string): Promise<boolean> {
    return this.#store.delete(sessionId);
  }

  /** Ends every session of a user, but `exceptId`. */
  endAllForUser(userId: number, exceptId?: string): Promise<number> {
    return this.#store.deleteForUser(userId, exceptId);
  }

  listForUser(userId: number): Promise<Session[]> {
    return this.#store.listForUser(userId);
  }

  /**
   * Refresh by presenting the access token itself (seed 000: it may be expired;
   * seed 004: it must be live, and `revokePresented` makes it stop at once).
   * The token must be ours and belong to a live session. Presenting a token older
   * than the session's newest one, past the grace period, is taken as theft: the
   * session ends and TOKEN_REUSED is thrown.
   */
  async refreshWithAccessToken(token: string, accessTtl: number, options: { allowExpired?: boolean; revokePresented?: boolean } = {}): Promise<Grant & { user: User }> {
    const { allowExpired = true, revokePresented = false } = options;
    const claims = this.#tokens.verify(token, 'access', allowExpired);
    const session = await this.#liveSession(claims);
    const user = await this.#activeUser(session.userId);
    const now = this.#clock.now();
    if (claims.jti === session.accessJti) {
      const newJti = this.#ids.token(12);
      const rotated = await this.#store.rotate(session.id, { expectedJti: claims.jti, newJti, at: now, keepPrevious: !revokePresented });
      if (rotated) return this.#grant(user, { ...session, accessJti: newJti }, accessTtl);
      // Lost a race with a concurrent refresh of the same token: fall through to the grace rule.
      const current = await this.#liveSession(claims);
      if (!revokePresented && this.#withinGrace(current, claims.jti, now)) return this.#grant(user, current, accessTtl);
    } else if (!revokePresented && this.#withinGrace(session, claims.jti, now)) {
      // A concurrent client refreshed with the same token a moment ago: hand out the current one.
      return this.#grant(user, session, accessTtl);
    }
    return this.#theft(session);
  }

  /**
   * Refresh by refresh token (seeds 002 and 003). With `rotate`, a new refresh
   * token replaces the presented one, and presenting a replaced one ends the
   * session (TOKEN_REUSED).
   */
  async refreshWithRefreshToken(token: string, accessTtl: number, rotate: boolean): Promise<Grant & { user: User }> {
    const claims = this.#tokens.verify(token, 'refresh');
    const session = await this.#liveSession(claims);
    const presented = fingerprint(claims.jti);
    if (session.refreshHash !== presented) await this.#theft(session);
    const user = await this.#activeUser(session.userId);
    const newJti = this.#ids.token(12);
    const refresh = rotate ? this.#issueRefresh(user, session) : undefined;
    const rotated = await this.#store.rotate(session.id, {
      expectedJti: session.accessJti,
      newJti,
      at: this.#clock.now(),
      keepPrevious: true,
      expectedRefreshHash: presented,
      newRefreshHash: refresh?.hash,
    });
    if (!rotated) {
      // Another request spent this refresh token first: a replay.
      if (rotate) await this.#theft(session);
      const current = await this.#liveSession(claims);
      return this.#grant(user, current, accessTtl);
    }
    const grant = this.#grant(user, { ...session, accessJti: newJti, refreshHash: refresh?.hash ?? session.refreshHash }, accessTtl);
    return refresh ? { ...grant, refreshToken: refresh.token } : grant;
  }

  /** A replaced token came back: whoever holds the session's tokens is not to be trusted. */
  async #theft(session: Session): Promise<never> {
    await this.#store.delete(session.id);
    await this.#audit.record('session.reuse_detected', session.userId);
    throw fail('TOKEN_REUSED');
  }

  #grant(user: User, session: Session, accessTtl: number): Grant & { user: User } {
    const access = this.#tokens.issue('access', user.uuid, session.id, session.accessJti, accessTtl);
    return { user, session, accessToken: access.token, accessTtl };
  }

  #issueRefresh(user: User, session: Session): { token: string; hash: string } {
    const jti = this.#ids.token(16);
    const remaining = Math.max(1, Math.floor((session.expiresAt - this.#clock.now()) / 1000));
    const ttl = Math.min(this.policy.refreshTtlSeconds, remaining);
    return { token: this.#tokens.issue('refresh', user.uuid, session.id, jti, ttl).token, hash: fingerprint(jti) };
  }

  async #liveSession(claims: TokenClaims): Promise<Session> {
    const session = await this.#store.get(claims.sid);
    if (!session) {
      // Tell a deleted account apart from an ended session (seed 000's "User not found").
      if (!(await this.#users.findByUuid(claims.sub))) throw fail('USER_NOT_FOUND');
      throw fail('SESSION_ENDED');
    }
    const now = this.#clock.now();
    if (session.expiresAt <= now) throw fail('SESSION_ENDED');
    if (this.policy.idleMs > 0 && now - session.lastSeenAt > this.policy.idleMs) {
      await this.#store.delete(session.id);
      throw fail('SESSION_ENDED');
    }
    return session;
  }

  #honours(session: Session, jti: string): boolean {
    return jti === session.accessJti || this.#withinGrace(session, jti, this.#clock.now());
  }

  #withinGrace(session: Session, jti: string, now: number): boolean {
    return session.previousAccessJti === jti && now - session.rotatedAt <= this.policy.rotationGraceMs;
  }

  async #activeUser(userId: number): Promise<User> {
    const user = await this.#users.findById(userId);
    if (!user) throw fail('USER_NOT_FOUND');
    if (user.status !== 'active') throw fail('USER_DISABLED');
    return user;
  }
}

/** Refresh tokens are kept only as a fingerprint of their jti. */
function fingerprint(jti: string): string {
  return createHash('sha256').update(jti).digest('base64url');
}
