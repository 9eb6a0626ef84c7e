import type { Kysely } from 'kysely';
import type { Dialect } from './dialect.ts';

/**
 * Organisations, their members (roles as `,owner,invoices,`: one role is one
 * substring), the custom roles superusers define, and invitations (the token
 * only as its hash; an accepted invitation is deleted). Memberships go with
 * their account and their organisation (foreign-key cascades).
 *
 * Indexes: "members of" is the memberships' primary key (org_id, user_id);
 * "my organisations" is memberships (user_id, org_id).
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const time = dialect === 'postgres' ? 'bigint' : 'integer';
  await db.schema
    .createTable('organizations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('updated_at', time, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('org_memberships')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('roles', 'text', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('updated_at', time, (c) => c.notNull())
    .addPrimaryKeyConstraint('org_memberships_pk', ['org_id', 'user_id'])
    .execute();
  await db.schema.createIndex('org_memberships_user').on('org_memberships').columns(['user_id', 'org_id']).execute();
  await db.schema
    .createTable('org_roles')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('permissions', 'text', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('updated_at', time, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('org_invitations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('roles', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('invited_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('expires_at', time, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('org_invitations_org').on('org_invitations').columns(['org_id', 'created_at']).execute();
  await db.schema.createIndex('org_invitations_email').on('org_invitations').column('email').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['org_invitations', 'org_roles', 'org_memberships', 'organizations']) await db.schema.dropTable(table).execute();
}
