import Provider from 'oidc-provider';
import type { AppService } from '../../core/apps.ts';
import { API_SCOPES_METADATA } from './api-resource.ts';
import type { App } from '../../core/ports/app-store.ts';
import type { OidcService } from '../../core/oidc.ts';
import type { User } from '../../core/ports/user-store.ts';

export interface AdapterDeps {
  oidc: OidcService;
  apps: AppService;
  now: () => number;
}

/**
 * The core's binding rule (core/oidc.ts), answered once per provider request:
 * a userinfo or refresh request asks twice (the token's read and `findAccount`),
 * and one answer per request (`Provider.ctx`, oidc-provider's AsyncLocalStorage)
 * is exact.
 */
export class SessionBinding {
  readonly #oidc: OidcService;
  readonly #answered = new WeakMap<object, Map<string, Promise<User | null>>>();

  constructor(oidc: OidcService) {
    this.#oidc = oidc;
  }

  /** Binds a provider session (by its uid) to a core session until `expiresAt`. */
  async bind(sessionUid: string, coreSessionId: string, expiresAt: number): Promise<void> {
    const ctx = Provider.ctx;
    if (ctx) this.#answered.get(ctx)?.delete(sessionUid);
    await this.#oidc.bind(sessionUid, coreSessionId, expiresAt);
  }

  /** The account behind a provider session while its core session lives, else null. */
  liveUser(sessionUid: string): Promise<User | null> {
    const ctx = Provider.ctx;
    if (!ctx) return this.#oidc.liveUser(sessionUid);
    let answers = this.#answered.get(ctx);
    if (!answers) this.#answered.set(ctx, (answers = new Map()));
    let answer = answers.get(sessionUid);
    if (!answer) answers.set(sessionUid, (answer = this.#oidc.liveUser(sessionUid)));
    return answer;
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
  const { now } = deps;
  const store = deps.oidc.entries;
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

    /** Whether the entry is still backed by a live core session (the core's rule, core/oidc.ts). */
    #honoured(id: string, payload: Payload): Promise<boolean> {
      return deps.oidc.honoured(this.name, id, payload, (uid) => binding.liveUser(uid));
    }
  };
}
