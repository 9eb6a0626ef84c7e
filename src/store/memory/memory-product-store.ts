import type { Product, ProductInput, ProductStore, UpsertResult } from '../../core/ports/product-store.ts';
import { comparePopularity } from '../popularity.ts';

/** The catalog in a Map; for unit tests and throwaway runs. */
export class MemoryProductStore implements ProductStore {
  readonly #products = new Map<number, Product>();

  async get(id: number): Promise<Product | null> {
    const p = this.#products.get(id);
    return p ? { ...p } : null;
  }

  async popular(limit: number): Promise<Product[]> {
    return [...this.#products.values()]
      .filter((p) => p.status === 'enabled')
      .sort(comparePopularity)
      .slice(0, limit)
      .map((p) => ({ ...p }));
  }

  async upsertMany(products: ProductInput[]): Promise<UpsertResult> {
    let inserted = 0;
    let updated = 0;
    for (const p of products) {
      const existing = this.#products.get(p.id);
      if (existing) updated++;
      else inserted++;
      this.#products.set(p.id, { ...p, viewed: existing?.viewed ?? 0 });
    }
    return { inserted, updated };
  }

  async addViews(views: ReadonlyMap<number, number>): Promise<void> {
    for (const [id, n] of views) {
      const p = this.#products.get(id);
      if (p) p.viewed += n;
    }
  }

  async count(): Promise<number> {
    return this.#products.size;
  }
}
