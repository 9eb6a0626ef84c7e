import Provider from 'oidc-provider';
import type { AppService } from '../../core/apps.ts';
import { API_SCOPES_METADATA } from './api-resource.ts';
import type { App } from '../../core/ports/app-store.ts';
import type { OidcPayloadStore } from '../../core/ports/oidc-payload-store.ts';
import type { SessionService } from '../../core/sessions.ts';
import type { User } from '../../core/ports/user-store.ts';

/** The entries that hold a user's authorization: each one names the provider session it came from. */
const BOUND_MODELS = new Set(['AuthorizationCode', 'AccessToken', 'RefreshToken', 'Session']);

/** The model under which a provider session's core session is kept. */
const BINDING = 'GatehouseBinding';

export interface AdapterDeps {
  store: OidcPayloadStore;
  apps: AppService;
  sessions: SessionService;
  now: () => number;
}

/**
 * One account, one set of sessions: every provider session is bound to the core
 * session its sign-in created, and every code, token and provider session is
 * honoured only while that core session lives. When it has ended (a logout on
 * any surface, a revocation, a password reset, a disable, a delete), the
 * provider session is gone for that browser and the grant's tokens are revoked
 * at their next use — whichever instance and whichever process ended it.
 */
export class SessionBinding {
  readonly #deps: AdapterDeps;
  /**
   * What `liveUser` answered, per provider request (`Provider.ctx`, oidc-provider's AsyncLocalStorage): a userinfo or
   * refresh request asks twice (the token's read and `findAccount`), and one answer per request is exact.
   */
  readonly #answered = new WeakMap<object, Map<string, Promise<User | null>>>();

  constructor(deps: AdapterDeps) {
    this.#deps = deps;
  }

  /** Binds a provider session (by its uid) to a core session until `expiresAt`. */
  async bind(sessionUid: string, coreSessionId: string, expiresAt: number): Promise<void> {
    const ctx = Provider.ctx;
    if (ctx) this.#answered.get(ctx)?.delete(sessionUid);
    await this.#deps.store.upsert(BINDING, sessionUid, { payload: { sid: coreSessionId }, expiresAt });
  }

  async coreSessionOf(sessionUid: string): Promise<string | null> {
    const found = await this.#deps.store.find(BINDING, sessionUid, this.#deps.now());
    return typeof found?.payload.sid === 'string' ? found.payload.sid : null;
  }

  /** The account behind a provider session while its core session lives, else null. */
  liveUser(sessionUid: string): Promise<User | null> {
    const ctx = Provider.ctx;
    if (!ctx) return this.#liveUser(sessionUid);
    let answers = this.#answered.get(ctx);
    if (!answers) this.#answered.set(ctx, (answers = new Map()));
    let answer = answers.get(sessionUid);
    if (!answer) answers.set(sessionUid, (answer = this.#liveUser(sessionUid)));
    return answer;
  }

  async #liveUser(sessionUid: string): Promise<User | null> {
    const sid = await this.coreSessionOf(sessionUid);
    return sid ? this.#deps.sessions.liveUser(sid) : null;
  }
}

/** An app as oidc-provider's client metadata. The secret's hash stands in the secret's place; see `compareClientSecret`. */
export function clientMetadata(app: App): Record<string, unknown> {
  const confidential = app.secretHash !== null;
  return {
    client_id: app.clientId,
    client_name: app.name,
    redirect_uris: app.redirectUris,
    post_logout_redirect_uris: app.redirectUris,
    response_types: ['code'],
    grant_types: confidential ? ['authorization_code', 'refresh_token', 'client_credentials'] : ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: confidential ? 'client_secret_basic' : 'none',
    ...(confidential ? { client_secret: app.secretHash } : {}),
    id_token_signed_response_alg: app.idTokenAlg,
    [API_SCOPES_METADATA]: app.scopes,
  };
}

type Payload = Record<string, unknown>;

/**
 * oidc-provider's adapter contract over the OidcPayloadStore port, one
 * instance per model. `Client` is read from the registered apps.
 */
export function adapterClass(deps: AdapterDeps, binding: SessionBinding) {
  const { store, now } = deps;
  return class GatehouseAdapter {
    readonly name: string;

    constructor(name: string) {
      this.name = name;
    }

    async upsert(id: string, payload: Payload, expiresIn: number | undefined): Promise<void> {
      const str = (key: string) => (typeof payload[key] === 'string' ? (payload[key] as string) : undefined);
      await store.upsert(this.name, id, {
        payload,
        expiresAt: expiresIn ? now() + expiresIn * 1000 : null,
        grantId: str('grantId'),
        userCode: str('userCode'),
        uid: str('uid'),
      });
    }

    async find(id: string): Promise<Payload | undefined> {
      if (this.name === 'Client') {
        const app = await deps.apps.find(id);
        return app ? clientMetadata(app) : undefined;
      }
      const found = await store.find(this.name, id, now());
      if (!found) return undefined;
      const payload = found.consumedAt === null ? found.payload : { ...found.payload, consumed: Math.floor(found.consumedAt / 1000) };
      return (await this.#honoured(id, payload)) ? payload : undefined;
    }

    async findByUserCode(userCode: string): Promise<Payload | undefined> {
      return (await store.findByUserCode(this.name, userCode, now()))?.payload;
    }

    async findByUid(uid: string): Promise<Payload | undefined> {
      const found = await store.findByUid(this.name, uid, now());
      return found && (await this.#honoured(uid, found.payload)) ? found.payload : undefined;
    }

    async consume(id: string): Promise<void> {
      await store.consume(this.name, id, now());
    }

    async destroy(id: string): Promise<void> {
      await store.destroy(this.name, id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await store.revokeByGrantId(grantId, this.name);
    }

    /**
     * Whether an entry is still backed by a live core session. A signed-in
     * provider session or a user's code or token whose core session has ended
     * is not honoured; the tokens of its grant are revoked on the spot.
     */
    async #honoured(id: string, payload: Payload): Promise<boolean> {
      if (!BOUND_MODELS.has(this.name)) return true;
      const sessionUid = this.name === 'Session' ? payload.uid : payload.sessionUid;
      // Unsigned-in provider sessions and client_credentials tokens belong to no user.
      if (typeof sessionUid !== 'string' || typeof payload.accountId !== 'string') return true;
      if (await binding.liveUser(sessionUid)) return true;
      if (typeof payload.grantId === 'string') await store.revokeByGrantId(payload.grantId);
      await store.destroy(this.name, id);
      return false;
    }
  };
}
