import { sql, type Kysely, type Selectable } from 'kysely';
import type { Product, ProductInput, ProductStore, UpsertResult } from '../../core/ports/product-store.ts';
import type { HotReads } from '../sqlite/hot-reads.ts';
import type { Database, ProductsTable } from './schema.ts';

function rowToProduct(r: Selectable<ProductsTable>): Product {
  return {
    id: Number(r.id),
    model: r.model,
    quantity: Number(r.quantity),
    image: r.image,
    price: Number(r.price),
    name: r.name,
    description: r.description,
    featuredRank: r.featured_rank == null ? null : Number(r.featured_rank),
    status: r.status === 'disabled' ? 'disabled' : 'enabled',
    viewed: Number(r.viewed),
  };
}

/** Rows per INSERT statement in an import (SQLite allows 32766 bound values; 11 columns each). */
const BATCH = 500;

/** The catalog in SQL. */
export class SqlProductStore implements ProductStore {
  readonly #db: Kysely<Database>;
  readonly #hot: HotReads | undefined;
  readonly #getQuery;

  constructor(db: Kysely<Database>, hot?: HotReads) {
    this.#db = db;
    this.#hot = hot;
    this.#getQuery = db.selectFrom('products').selectAll().where('id', '=', 0).compile();
  }

  async get(id: number): Promise<Product | null> {
    if (this.#hot) {
      const row = this.#hot.productById(id);
      return row ? rowToProduct(row) : null;
    }
    const { rows } = await this.#db.executeQuery<Selectable<ProductsTable>>({ ...this.#getQuery, parameters: [id] });
    return rows[0] ? rowToProduct(rows[0]) : null;
  }

  async popular(limit: number): Promise<Product[]> {
    const rows = await this.#db
      .selectFrom('products')
      .selectAll()
      .where('status', '=', 'enabled')
      .orderBy(sql`CASE WHEN featured_rank IS NULL THEN 1 ELSE 0 END`)
      .orderBy('featured_rank')
      .orderBy('viewed', 'desc')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(rowToProduct);
  }

  async upsertMany(products: ProductInput[], at: number): Promise<UpsertResult> {
    if (products.length === 0) return { inserted: 0, updated: 0 };
    return this.#db.transaction().execute(async (trx) => {
      let updated = 0;
      for (let i = 0; i < products.length; i += BATCH) {
        const chunk = products.slice(i, i + BATCH);
        const ids = [...new Set(chunk.map((p) => p.id))];
        const existing = await trx.selectFrom('products').select('id').where('id', 'in', ids).execute();
        updated += existing.length;
        await trx
          .insertInto('products')
          .values(
            chunk.map((p) => ({
              id: p.id,
              model: p.model,
              quantity: p.quantity,
              image: p.image,
              price: p.price,
              name: p.name,
              description: p.description,
              featured_rank: p.featuredRank,
              status: p.status,
              viewed: 0,
              created_at: at,
              updated_at: at,
            })),
          )
          .onConflict((oc) =>
            oc.column('id').doUpdateSet((eb) => ({
              model: eb.ref('excluded.model'),
              quantity: eb.ref('excluded.quantity'),
              image: eb.ref('excluded.image'),
              price: eb.ref('excluded.price'),
              name: eb.ref('excluded.name'),
              description: eb.ref('excluded.description'),
              featured_rank: eb.ref('excluded.featured_rank'),
              status: eb.ref('excluded.status'),
              updated_at: eb.ref('excluded.updated_at'),
            })),
          )
          .execute();
      }
      // A file may name one id twice: count distinct ids.
      const distinct = new Set(products.map((p) => p.id)).size;
      return { inserted: distinct - updated, updated };
    });
  }

  async addViews(views: ReadonlyMap<number, number>): Promise<void> {
    if (views.size === 0) return;
    await this.#db.transaction().execute(async (trx) => {
      for (const [id, n] of views) {
        await trx
          .updateTable('products')
          .set({ viewed: sql`viewed + ${n}` })
          .where('id', '=', id)
          .execute();
      }
    });
  }

  async count(): Promise<number> {
    const row = await this.#db
      .selectFrom('products')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
