import type { Kysely } from 'kysely';

/**
 * The API scopes an app was registered with (`gatehouse clients add --scope`):
 * all that `client_credentials` may grant it. A JSON array of strings, like
 * `redirect_uris`; apps registered before have none.
 *
 * And leaner indexes on the OpenID provider's entries: the grant, uid and
 * user-code lookups index only the rows that have one (an access token has
 * no uid or user code), so storing a token writes two index entries fewer.
 * The lookups (`= ?`) imply `IS NOT NULL`, so both SQLite and PostgreSQL use
 * the partial indexes for them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('oidc_clients')
    .addColumn('scopes', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  for (const [name, columns, column] of LOOKUPS) {
    await db.schema.dropIndex(name).execute();
    await db.schema
      .createIndex(name)
      .on('oidc_payloads')
      .columns(columns)
      .where((eb) => eb(column, 'is not', null))
      .execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const [name, columns] of LOOKUPS) {
    await db.schema.dropIndex(name).execute();
    await db.schema.createIndex(name).on('oidc_payloads').columns(columns).execute();
  }
  await db.schema.alterTable('oidc_clients').dropColumn('scopes').execute();
}

/** The lookup indexes of migration 0008: name, columns, and the column a row must have to be indexed. */
const LOOKUPS: ReadonlyArray<readonly [string, string[], string]> = [
  ['oidc_payloads_grant', ['grant_id'], 'grant_id'],
  ['oidc_payloads_uid', ['model', 'uid'], 'uid'],
  ['oidc_payloads_user_code', ['model', 'user_code'], 'user_code'],
];
