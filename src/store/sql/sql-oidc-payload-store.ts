import type { Kysely, Selectable } from 'kysely';
import type { OidcPayload, OidcPayloadStore } from '../../core/ports/oidc-payload-store.ts';
import type { HotReads } from '../sqlite/hot-reads.ts';
import type { Database, OidcPayloadsTable } from './schema.ts';

const toEntry = (r: Pick<Selectable<OidcPayloadsTable>, 'payload' | 'expires_at' | 'consumed_at'>): OidcPayload => ({
  payload: JSON.parse(r.payload) as Record<string, unknown>,
  expiresAt: r.expires_at === null ? null : Number(r.expires_at),
  consumedAt: r.consumed_at === null ? null : Number(r.consumed_at),
});

/** The provider's entries in SQL (`oidc_payloads`): every instance on the database sees the same codes, grants and sessions. */
export class SqlOidcPayloadStore implements OidcPayloadStore {
  readonly #db: Kysely<Database>;
  readonly #hot: HotReads | undefined;

  /** The upsert, compiled once: every token the provider stores (a refresh's access token, a code) is one. */
  readonly #upsertQuery;

  constructor(db: Kysely<Database>, hot?: HotReads) {
    this.#db = db;
    this.#hot = hot;
    const sample = { model: '', id: '', payload: '', grant_id: '', user_code: '', uid: '', expires_at: 0, consumed_at: 0 };
    this.#upsertQuery = db
      .insertInto('oidc_payloads')
      .values(sample)
      .onConflict((oc) =>
        oc.columns(['model', 'id']).doUpdateSet((eb) => ({
          payload: eb.ref('excluded.payload'),
          grant_id: eb.ref('excluded.grant_id'),
          user_code: eb.ref('excluded.user_code'),
          uid: eb.ref('excluded.uid'),
          expires_at: eb.ref('excluded.expires_at'),
          consumed_at: eb.ref('excluded.consumed_at'),
        })),
      )
      .compile();
    // The parameters are the sample's values, in its order: the order upsert gives them in.
    if (this.#upsertQuery.parameters.length !== Object.keys(sample).length) throw new Error('oidc_payloads upsert: unexpected parameters');
  }

  async upsert(model: string, id: string, entry: Parameters<OidcPayloadStore['upsert']>[2]): Promise<void> {
    const parameters = [model, id, JSON.stringify(entry.payload), entry.grantId ?? null, entry.userCode ?? null, entry.uid ?? null, entry.expiresAt, null];
    await this.#db.executeQuery({ ...this.#upsertQuery, parameters });
  }

  #live(model: string, now: number) {
    return this.#db
      .selectFrom('oidc_payloads')
      .select(['payload', 'expires_at', 'consumed_at'])
      .where('model', '=', model)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]));
  }

  async find(model: string, id: string, now: number): Promise<OidcPayload | null> {
    if (this.#hot) {
      // Every token, userinfo and authorization request reads two to four entries: one synchronous statement each.
      const row = this.#hot.oidcPayload(model, id);
      return row && (row.expires_at === null || Number(row.expires_at) > now) ? toEntry(row) : null;
    }
    const row = await this.#live(model, now).where('id', '=', id).executeTakeFirst();
    return row ? toEntry(row) : null;
  }

  async findByUid(model: string, uid: string, now: number): Promise<OidcPayload | null> {
    const row = await this.#live(model, now).where('uid', '=', uid).executeTakeFirst();
    return row ? toEntry(row) : null;
  }

  async findByUserCode(model: string, userCode: string, now: number): Promise<OidcPayload | null> {
    const row = await this.#live(model, now).where('user_code', '=', userCode).executeTakeFirst();
    return row ? toEntry(row) : null;
  }

  async consume(model: string, id: string, now: number): Promise<void> {
    await this.#db.updateTable('oidc_payloads').set({ consumed_at: now }).where('model', '=', model).where('id', '=', id).execute();
  }

  async destroy(model: string, id: string): Promise<void> {
    await this.#db.deleteFrom('oidc_payloads').where('model', '=', model).where('id', '=', id).execute();
  }

  async revokeByGrantId(grantId: string, model?: string): Promise<void> {
    let query = this.#db.deleteFrom('oidc_payloads').where('grant_id', '=', grantId);
    if (model !== undefined) query = query.where('model', '=', model);
    await query.execute();
  }

  async purge(now: number): Promise<number> {
    const result = await this.#db.deleteFrom('oidc_payloads').where('expires_at', '<=', now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
