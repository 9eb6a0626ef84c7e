import { randomBytes } from 'node:crypto';
import type { Clock } from './ports/clock.ts';
import type { OidcPayload, OidcPayloadStore } from './ports/oidc-payload-store.ts';
import type { User } from './ports/user-store.ts';
import type { SessionService } from './sessions.ts';

/** The entries that hold a user's authorization: each names the provider session it came from. */
const BOUND_MODELS = new Set(['AuthorizationCode', 'AccessToken', 'RefreshToken', 'Session']);

/** Where a provider session's core session is kept, beside the provider's own entries. */
const BINDING = 'GatehouseBinding';

/** Where the provider's cookie-signing keys are kept, shared by every instance. */
const COOKIE_KEYS = 'GatehouseCookieKeys';

/** Expired codes, tokens and sessions are purged this often (Redis expires its own). */
const PURGE_EVERY_MS = 600_000;

/** The store operations the provider's adapter needs (oidc-provider's adapter contract); purging is the core's. */
export type OidcEntries = Omit<OidcPayloadStore, 'purge'>;

/**
 * The OpenID Connect provider's rules that are Gatehouse's own (the protocol is
 * oidc-provider's, in surfaces/oidc): one account, one set of sessions. Every
 * provider session is bound to the core session its sign-in created, and every
 * code, token and provider session is honoured only while that core session
 * lives; when it has ended (a logout on any surface, a revocation, a password
 * reset, a disable, a delete, a first factor set up), the provider session is
 * gone for that browser and its grant's tokens are revoked at their next use —
 * whichever instance and process ended it. A logout at the provider ends the
 * core session. The provider's cookie keys are shared by every instance, and
 * expired entries are purged.
 */
export class OidcService {
  readonly #store: OidcPayloadStore;
  readonly #sessions: SessionService;
  readonly #clock: Clock;
  /** The provider's entries, as its adapter reads and writes them. */
  readonly entries: OidcEntries;

  constructor(deps: { store: OidcPayloadStore; sessions: SessionService; clock: Clock }) {
    this.#store = deps.store;
    this.#sessions = deps.sessions;
    this.#clock = deps.clock;
    const store = deps.store;
    this.entries = {
      upsert: (model, id, entry) => store.upsert(model, id, entry),
      find: (model, id, now) => store.find(model, id, now),
      findByUid: (model, uid, now) => store.findByUid(model, uid, now),
      findByUserCode: (model, userCode, now) => store.findByUserCode(model, userCode, now),
      consume: (model, id, now) => store.consume(model, id, now),
      destroy: (model, id) => store.destroy(model, id),
      revokeByGrantId: (grantId, model) => store.revokeByGrantId(grantId, model),
    };
  }

  /** Binds a provider session (by its uid) to the core session its sign-in started, until `expiresAt`. */
  async bind(sessionUid: string, coreSessionId: string, expiresAt: number): Promise<void> {
    await this.#store.upsert(BINDING, sessionUid, { payload: { sid: coreSessionId }, expiresAt });
  }

  async coreSessionOf(sessionUid: string): Promise<string | null> {
    const found = await this.#store.find(BINDING, sessionUid, this.#clock.now());
    return typeof found?.payload.sid === 'string' ? found.payload.sid : null;
  }

  /** The account behind a provider session while its core session lives (and the account is active), else null. */
  async liveUser(sessionUid: string): Promise<User | null> {
    const sid = await this.coreSessionOf(sessionUid);
    return sid ? this.#sessions.liveUser(sid) : null;
  }

  /**
   * Whether an entry the provider read is still backed by a live core session
   * (`liveUser`, which the caller may answer from a per-request memo). One
   * that is not is destroyed, and its grant's tokens revoked on the spot.
   */
  async honoured(model: string, id: string, payload: OidcPayload['payload'], liveUser = (uid: string) => this.liveUser(uid)): Promise<boolean> {
    if (!BOUND_MODELS.has(model)) return true;
    const sessionUid = model === 'Session' ? payload.uid : payload.sessionUid;
    // Provider sessions nobody signed in to yet, and client_credentials tokens, belong to no user.
    if (typeof sessionUid !== 'string' || typeof payload.accountId !== 'string') return true;
    if (await liveUser(sessionUid)) return true;
    if (typeof payload.grantId === 'string') await this.#store.revokeByGrantId(payload.grantId);
    await this.#store.destroy(model, id);
    return false;
  }

  /** A logout at the provider (RP-initiated) ends the core session of that sign-in too: one logout ends them all. */
  async signedOut(sessionUid: string): Promise<void> {
    const sid = await this.coreSessionOf(sessionUid);
    if (sid) await this.#sessions.end(sid);
  }

  /** The provider's cookie-signing keys, made once and shared by every instance through the store. */
  async cookieKeys(): Promise<string[]> {
    const found = await this.#store.find(COOKIE_KEYS, 'current', this.#clock.now());
    if (found) return found.payload.keys as string[];
    const keys = [randomBytes(32).toString('base64url')];
    await this.#store.upsert(COOKIE_KEYS, 'current', { payload: { keys }, expiresAt: null });
    // Two instances starting together: the last write wins, and both read it back.
    return ((await this.#store.find(COOKIE_KEYS, 'current', this.#clock.now()))?.payload.keys as string[]) ?? keys;
  }

  /** Purges expired entries every ten minutes (a failed purge is tried again at the next); returns what stops it. */
  startPurging(): () => void {
    const timer = setInterval(() => void this.#store.purge(this.#clock.now()).catch(() => {}), PURGE_EVERY_MS);
    timer.unref();
    return () => clearInterval(timer);
  }
}
