import { createHash } from 'node:crypto';
import { fail, isGatehouseError } from './errors.ts';
import type { Clock } from './ports/clock.ts';
import type { IdSource } from './ports/ids.ts';
import type { Session, SessionStore } from './ports/session-store.ts';
import type { User, UserStore } from './ports/user-store.ts';
import type { TokenClaims, TokenIssuer, TokenType } from './tokens.ts';
import type { Audit } from './audit.ts';
import type { Events } from './events.ts';
import { ENROLMENT_SECONDS } from './second-factors/settings.ts';

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
  /** How the user got in, carried by every token of the session (refreshes copy it forward). */
  amr?: readonly string[];
  /**
   * An enrolment session: an account MFA_REQUIRED covers, signed in to set up
   * its first factor and nothing else. It lives ENROLMENT_SECONDS, its token
   * is of type `enrolment` (refused wherever an access token is asked for: no
   * bearer use, no refresh) and it carries no refresh token.
   */
  enrolment?: boolean;
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
 * session on login, check it on every request, refresh (with reuse detection
 * where a credential is single-use), and end it.
 */
export class SessionService {
  readonly #store: SessionStore;
  readonly #users: UserStore;
  readonly #tokens: TokenIssuer;
  readonly #clock: Clock;
  readonly #ids: IdSource;
  readonly policy: SessionPolicy;

  readonly #audit: Audit;
  readonly #events: Events;

  constructor(
    deps: { sessions: SessionStore; users: UserStore; tokens: TokenIssuer; clock: Clock; ids: IdSource; audit: Audit; events: Events },
    policy = DEFAULT_SESSION_POLICY,
  ) {
    this.#audit = deps.audit;
    this.#events = deps.events;
    this.#store = deps.sessions;
    this.#users = deps.users;
    this.#tokens = deps.tokens;
    this.#clock = deps.clock;
    this.#ids = deps.ids;
    this.policy = policy;
  }

  async start(user: User, options: StartOptions): Promise<Grant> {
    const now = this.#clock.now();
    const enrolment = options.enrolment ?? false;
    const lifetime = enrolment ? ENROLMENT_SECONDS * 1000 : options.rememberMe ? this.policy.rememberLifetimeMs : this.policy.lifetimeMs;
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
    if (options.withRefreshToken && !enrolment) {
      const refresh = this.#issueRefresh(user, session, options.amr);
      session.refreshHash = refresh.hash;
      refreshToken = refresh.token;
    }
    await this.#store.create(session);
    const accessTtl = enrolment ? ENROLMENT_SECONDS : options.accessTtl;
    const access = this.#tokens.issue(enrolment ? 'enrolment' : 'access', user.uuid, session.id, session.accessJti, accessTtl, options.amr);
    return { session, accessToken: access.token, accessTtl, refreshToken };
  }

  /**
   * The check every protected request makes: signature, type, expiry, a live
   * session, and an existing, active user. Any access token of a live session
   * is honoured until its own `exp`: a refresh never cuts short a token already
   * handed out (clients that refresh and keep using the old token work).
   */
  async authenticate(token: string): Promise<Caller> {
    let claims: TokenClaims;
    try {
      claims = this.#tokens.verify(token, 'access');
    } catch (error) {
      // Off the hot path: only a refused token waits, in case it names a key made a moment ago elsewhere.
      claims = await this.#tokens.verifyWithNewKeys(token, 'access', false, error);
    }
    return this.#caller(claims);
  }

  /**
   * {@link authenticate}, also accepting an enrolment session's token: for the
   * account page's enrolment, the one place such a session may act.
   */
  async authenticateOrEnrolment(token: string): Promise<Caller> {
    return this.#caller(await this.#accessOrEnrolment(token));
  }

  async #accessOrEnrolment(token: string): Promise<TokenClaims> {
    try {
      return await this.#verify(token, 'access');
    } catch (error) {
      if (!isGatehouseError(error) || error.code !== 'TOKEN_WRONG_TYPE') throw error;
      return this.#verify(token, 'enrolment');
    }
  }

  async #caller(claims: TokenClaims): Promise<Caller> {
    const session = await this.#liveSession(claims);
    const user = await this.#activeUser(session.userId);
    const now = this.#clock.now();
    if (now - session.lastSeenAt < TOUCH_EVERY_MS) return { user, session, claims };
    await this.#store.touch(session.id, now);
    // A copy: the store may hand out a shared (cached, frozen) object.
    return { user, session: { ...session, lastSeenAt: now }, claims };
  }

  /**
   * Ends the session a live access token belongs to, and with it every token of
   * that session. Throws SESSION_ENDED when it has already ended.
   */
  async logout(token: string): Promise<void> {
    const claims = await this.#accessOrEnrolment(token);
    const session = await this.#liveSession(claims);
    await this.#store.delete(session.id);
    await this.#audit.record('logout', session.userId);
  }

  /** Ends one of the user's own sessions; false when it is not theirs or already ended. */
  async endOwn(userId: number, sessionId: string): Promise<boolean> {
    const session = await this.#store.get(sessionId);
    if (!session || session.userId !== userId) return false;
    return this.#store.delete(sessionId);
  }

  /**
   * The account behind a session, or null when the session has ended (logout,
   * revocation, reset, expiry) or the account is gone or disabled. What another
   * protocol bound to a core session (OpenID Connect) checks before honouring it.
   */
  async liveUser(sessionId: string): Promise<User | null> {
    const session = await this.#store.get(sessionId);
    const now = this.#clock.now();
    if (!session || session.expiresAt <= now || (this.policy.idleMs > 0 && now - session.lastSeenAt > this.policy.idleMs)) return null;
    const user = await this.#users.findById(session.userId);
    return user && user.status === 'active' ? user : null;
  }

  async end(sessionId: string): Promise<boolean> {
    return this.#store.delete(sessionId);
  }

  /**
   * Ends every session of a user, but `exceptId`. When any ended, `session.revoked`
   * is published before this returns (sessions may live in Redis, outside the
   * database's transactions).
   */
  async endAllForUser(userId: number, exceptId?: string): Promise<number> {
    const ended = await this.#store.deleteForUser(userId, exceptId);
    if (ended > 0) {
      const user = await this.#users.findById(userId);
      if (user) await this.#events.publish(this.#events.about('session.revoked', user, { sessions_ended: ended, current_kept: exceptId !== undefined }));
    }
    return ended;
  }

  listForUser(userId: number): Promise<Session[]> {
    return this.#store.listForUser(userId);
  }

  /**
   * Refresh by presenting an access token.
   *
   * - `mayBeExpired: false` (the Bearer refresh of `/api/v1/auth`): any live
   *   access token of a live session refreshes, as often and as concurrently as
   *   the client likes; the presented token keeps working until its own `exp`.
   * - `mayBeExpired: true` (`/api/users/refresh_token`): a live token refreshes
   *   as above; an expired one is guarded, because it may have leaked long ago:
   *   only the session's newest access token, or the one it replaced within the
   *   grace period (concurrent refreshes), may refresh. An older expired one is
   *   taken as theft: the session ends, TOKEN_REUSED.
   */
  async refreshWithAccessToken(token: string, accessTtl: number, options: { mayBeExpired: boolean }): Promise<Grant & { user: User }> {
    const claims = await this.#verify(token, 'access', options.mayBeExpired);
    const session = await this.#liveSession(claims);
    const user = await this.#activeUser(session.userId);
    const expired = claims.exp * 1000 <= this.#clock.now();
    if (expired && claims.jti !== session.accessJti) {
      // Replaced a moment ago by a concurrent refresh with this same token: the same answer.
      if (this.#withinGrace(session, claims.jti)) return this.#grant(user, session, accessTtl, claims.amr);
      return this.#theft(session);
    }
    return this.#grant(user, await this.#advance(session, claims), accessTtl, claims.amr);
  }

  /**
   * Refresh by refresh token (`/api/auth/refresh`, the refresh body of
   * `/api/v1/auth/refresh`). Without `rotate` the refresh token stays valid
   * until its own expiry and may be presented any number of times, at once.
   * With `rotate` each refresh hands out a new refresh token; the replaced one
   * still gets the same answer within the grace period (concurrent refreshes),
   * and presenting it later ends the session (TOKEN_REUSED, audited).
   */
  async refreshWithRefreshToken(token: string, accessTtl: number, rotate: boolean): Promise<Grant & { user: User }> {
    const claims = await this.#verify(token, 'refresh');
    const presented = fingerprint(claims.jti);
    const successor = nextRefreshJti(claims.jti);
    // A concurrent refresh of another kind may move the access jti under us: try again then.
    for (let attempt = 0; attempt < 5; attempt++) {
      const session = await this.#liveSession(claims);
      const user = await this.#activeUser(session.userId);
      if (session.refreshHash !== presented) {
        // The token this one was replaced by, handed out a moment ago: give the same answer.
        if (session.refreshHash === fingerprint(successor) && this.#withinRefreshGrace(session)) {
          return { ...this.#grant(user, session, accessTtl, claims.amr), refreshToken: this.#refreshToken(user, session, successor, claims.amr) };
        }
        return this.#theft(session);
      }
      if (!rotate) return this.#grant(user, await this.#advance(session, claims), accessTtl, claims.amr);
      const newJti = this.#ids.token(12);
      const at = this.#clock.now();
      const rotation = {
        expectedJti: session.accessJti,
        newJti,
        at,
        keepPrevious: true,
        expectedRefreshHash: presented,
        newRefreshHash: fingerprint(successor),
      };
      if (await this.#store.rotate(session.id, rotation)) {
        const next = { ...session, accessJti: newJti, previousAccessJti: session.accessJti, rotatedAt: at, refreshHash: rotation.newRefreshHash };
        return { ...this.#grant(user, next, accessTtl, claims.amr), refreshToken: this.#refreshToken(user, next, successor, claims.amr) };
      }
    }
    throw fail('STORE_UNAVAILABLE', 'the session kept changing during a refresh');
  }

  /**
   * Records a newly handed-out access jti as the session's newest (the guard of
   * expired-token refresh needs it). When a concurrent refresh got there first,
   * the session as it now stands is used instead: both answers work.
   */
  async #advance(session: Session, claims: TokenClaims): Promise<Session> {
    const newJti = this.#ids.token(12);
    const at = this.#clock.now();
    if (await this.#store.rotate(session.id, { expectedJti: session.accessJti, newJti, at, keepPrevious: true })) {
      return { ...session, accessJti: newJti, previousAccessJti: session.accessJti, rotatedAt: at };
    }
    return this.#liveSession(claims);
  }

  /** A replaced token came back: whoever holds the session's tokens is not to be trusted. */
  async #theft(session: Session): Promise<never> {
    await this.#store.delete(session.id);
    await this.#audit.record('session.reuse_detected', session.userId);
    throw fail('TOKEN_REUSED');
  }

  #grant(user: User, session: Session, accessTtl: number, amr: readonly string[] | undefined): Grant & { user: User } {
    const access = this.#tokens.issue('access', user.uuid, session.id, session.accessJti, accessTtl, amr);
    return { user, session, accessToken: access.token, accessTtl };
  }

  #issueRefresh(user: User, session: Session, amr: readonly string[] | undefined): { token: string; hash: string } {
    const jti = this.#ids.token(16);
    return { token: this.#refreshToken(user, session, jti, amr), hash: fingerprint(jti) };
  }

  /** A refresh token with this jti, living at most as long as its session. */
  #refreshToken(user: User, session: Session, jti: string, amr: readonly string[] | undefined): string {
    const remaining = Math.max(1, Math.floor((session.expiresAt - this.#clock.now()) / 1000));
    return this.#tokens.issue('refresh', user.uuid, session.id, jti, Math.min(this.policy.refreshTtlSeconds, remaining), amr).token;
  }

  /** Verifies a token, reading the key set again if it names a key not loaded yet. */
  async #verify(token: string, type: TokenType, allowExpired = false): Promise<TokenClaims> {
    try {
      return this.#tokens.verify(token, type, allowExpired);
    } catch (error) {
      return this.#tokens.verifyWithNewKeys(token, type, allowExpired, error);
    }
  }

  async #liveSession(claims: TokenClaims): Promise<Session> {
    const session = await this.#store.get(claims.sid);
    if (!session) {
      // Tell a deleted account apart from an ended session (seed 000's "User not found").
      if (!(await this.#users.findByUuid(claims.sub))) throw fail('ACCOUNT_GONE');
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

  #withinGrace(session: Session, jti: string): boolean {
    return session.previousAccessJti === jti && this.#withinRefreshGrace(session);
  }

  #withinRefreshGrace(session: Session): boolean {
    return this.#clock.now() - session.rotatedAt <= this.policy.rotationGraceMs;
  }

  async #activeUser(userId: number): Promise<User> {
    const user = await this.#users.findById(userId);
    if (!user) throw fail('ACCOUNT_GONE');
    if (user.status !== 'active') throw fail('USER_DISABLED');
    return user;
  }
}

/** Refresh tokens are kept only as a fingerprint of their jti. */
function fingerprint(jti: string): string {
  return createHash('sha256').update(jti).digest('base64url');
}

/**
 * The jti of the refresh token that replaces the one with `jti` on rotation. It
 * is derived, not random, so that a replaced token presented again within the
 * grace period gets the same successor as the refresh that replaced it, while
 * only fingerprints are stored. Knowing it gains nothing without the signing key.
 */
function nextRefreshJti(jti: string): string {
  return createHash('sha256').update(`gatehouse refresh successor\0${jti}`).digest('base64url');
}
