import { sql, type Kysely } from 'kysely';
import type { Dialect } from './dialect.ts';

/**
 * The staff console: account search by prefix of email, username or phone
 * (index ranges; on PostgreSQL in the "C" collation, so a range is exactly a
 * prefix), the audit trail filtered by type and time, and who acted on an
 * account (the staff member, for events the console caused).
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema.alterTable('audit_events').addColumn('actor_id', 'integer').execute();
  await db.schema.createIndex('audit_events_type').on('audit_events').columns(['type', 'id']).execute();
  await db.schema.createIndex('audit_events_at').on('audit_events').column('at').execute();
  if (dialect === 'postgres') {
    await sql`CREATE INDEX users_email_prefix ON users (email COLLATE "C")`.execute(db);
    await sql`CREATE INDEX users_username_prefix ON users (username_key COLLATE "C")`.execute(db);
    await sql`CREATE INDEX users_phone_prefix ON users (phone COLLATE "C")`.execute(db);
  } else {
    // SQLite compares text as bytes: the unique indexes on email and username_key already serve ranges.
    await db.schema.createIndex('users_phone_prefix').on('users').column('phone').execute();
  }
}

export async function down(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect === 'postgres') {
    await db.schema.dropIndex('users_email_prefix').execute();
    await db.schema.dropIndex('users_username_prefix').execute();
  }
  await db.schema.dropIndex('users_phone_prefix').execute();
  await db.schema.dropIndex('audit_events_at').execute();
  await db.schema.dropIndex('audit_events_type').execute();
  await db.schema.alterTable('audit_events').dropColumn('actor_id').execute();
}
