import type { Kysely } from 'kysely';
import type { Dialect } from './dialect.ts';

/** The catalog (products, popular list, image files). Ids come from the imported data, so they are not generated. */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const time = dialect === 'postgres' ? 'bigint' : 'integer';
  await db.schema
    .createTable('products')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('quantity', 'integer', (c) => c.notNull())
    .addColumn('image', 'text', (c) => c.notNull())
    .addColumn('price', dialect === 'postgres' ? 'double precision' : 'real', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('featured_rank', 'integer')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('enabled'))
    .addColumn('viewed', time, (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('updated_at', time, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('products_popular').on('products').columns(['status', 'featured_rank', 'viewed']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('products').execute();
}
