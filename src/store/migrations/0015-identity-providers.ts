import type { Kysely } from 'kysely';
import type { Dialect } from './dialect.ts';

/**
 * Upstream identity providers (their client secret sealed), the identities
 * linked through them — keyed by issuer and subject, never by email — and the
 * upstream requests in flight (state, nonce, PKCE verifier kept on the server).
 *
 * Numbered 0015: 0014 belongs to organisations, developed beside this. The
 * migrator runs names in order, so a database sees 0014 before 0015 either way.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const time = dialect === 'postgres' ? 'bigint' : 'integer';
  await db.schema
    .createTable('identity_providers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('sealed_client_secret', 'text')
    .addColumn('audiences', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('domains', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('signup', 'integer', (c) => c.notNull())
    .addColumn('trust_mfa', 'integer', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('updated_at', time, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('linked_identities')
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('provider_id', 'text', (c) => c.notNull().references('identity_providers.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('email', 'text')
    .addColumn('email_verified', 'integer', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('last_used_at', time)
    .addPrimaryKeyConstraint('linked_identities_pk', ['issuer', 'subject'])
    .execute();
  await db.schema.createIndex('linked_identities_user').on('linked_identities').column('user_id').execute();
  await db.schema.createIndex('linked_identities_provider').on('linked_identities').column('provider_id').execute();
  await db.schema
    .createTable('upstream_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('provider_id', 'text', (c) => c.notNull().references('identity_providers.id').onDelete('cascade'))
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('code_verifier', 'text', (c) => c.notNull())
    .addColumn('link_for', 'integer', (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('return_to', 'text', (c) => c.notNull())
    .addColumn('browser', 'text', (c) => c.notNull())
    .addColumn('proved', 'text')
    .addColumn('expires_at', time, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('upstream_requests_expires').on('upstream_requests').column('expires_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['upstream_requests', 'linked_identities', 'identity_providers']) await db.schema.dropTable(table).execute();
}
