import type { Kysely } from 'kysely';

/**
 * The API scopes an app was registered with (`gatehouse clients add --scope`):
 * all that `client_credentials` may grant it. A JSON array of strings, like
 * `redirect_uris`; apps registered before have none.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('oidc_clients')
    .addColumn('scopes', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('oidc_clients').dropColumn('scopes').execute();
}
