import type { Kysely } from 'kysely';
import type { Dialect } from './dialect.ts';

/** Sessions remember when they were last used (idle timeout, session lists); the audit log. */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const time = dialect === 'postgres' ? 'bigint' : 'integer';
  await db.schema.alterTable('sessions').addColumn('last_seen_at', time).execute();
  await db.schema
    .createTable('audit_events')
    .addColumn('id', dialect === 'postgres' ? 'serial' : 'integer', (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('at', time, (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    // No foreign key: events outlive the accounts they are about.
    .addColumn('user_id', 'integer')
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('detail', 'text')
    .execute();
  await db.schema.createIndex('audit_events_user_id').on('audit_events').columns(['user_id', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('audit_events').execute();
  await db.schema.alterTable('sessions').dropColumn('last_seen_at').execute();
}
