import type { Kysely, Selectable } from 'kysely';
import type { App, AppStore, IdTokenAlg } from '../../core/ports/app-store.ts';
import type { HotReads } from '../sqlite/hot-reads.ts';
import type { Database, OidcClientsTable } from './schema.ts';

const toApp = (r: Selectable<OidcClientsTable>): App => ({
  clientId: r.client_id,
  name: r.name,
  secretHash: r.secret_hash,
  redirectUris: JSON.parse(r.redirect_uris) as string[],
  idTokenAlg: r.id_token_alg as IdTokenAlg,
  scopes: JSON.parse(r.scopes) as string[],
  createdAt: Number(r.created_at),
});

/** Registered apps in SQL (`oidc_clients`). */
export class SqlAppStore implements AppStore {
  readonly #db: Kysely<Database>;
  readonly #hot: HotReads | undefined;

  constructor(db: Kysely<Database>, hot?: HotReads) {
    this.#db = db;
    this.#hot = hot;
  }

  async create(app: App): Promise<void> {
    await this.#db
      .insertInto('oidc_clients')
      .values({
        client_id: app.clientId,
        name: app.name,
        secret_hash: app.secretHash,
        redirect_uris: JSON.stringify(app.redirectUris),
        id_token_alg: app.idTokenAlg,
        scopes: JSON.stringify(app.scopes),
        created_at: app.createdAt,
      })
      .execute();
  }

  async find(clientId: string): Promise<App | null> {
    if (this.#hot) {
      // The OpenID provider reads the app on every request: one synchronous statement.
      const row = this.#hot.appById(clientId);
      return row ? toApp(row) : null;
    }
    const row = await this.#db.selectFrom('oidc_clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
    return row ? toApp(row) : null;
  }

  async list(): Promise<App[]> {
    const rows = await this.#db.selectFrom('oidc_clients').selectAll().orderBy('created_at').orderBy('client_id').execute();
    return rows.map(toApp);
  }

  async delete(clientId: string): Promise<boolean> {
    const result = await this.#db.deleteFrom('oidc_clients').where('client_id', '=', clientId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async setSecretHash(clientId: string, secretHash: string): Promise<boolean> {
    const result = await this.#db.updateTable('oidc_clients').set({ secret_hash: secretHash }).where('client_id', '=', clientId).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async setRedirectUris(clientId: string, redirectUris: string[]): Promise<boolean> {
    const result = await this.#db
      .updateTable('oidc_clients')
      .set({ redirect_uris: JSON.stringify(redirectUris) })
      .where('client_id', '=', clientId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
