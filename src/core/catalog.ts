import { fail } from './errors.ts';
import type { ImageFile, ImageFiles } from './ports/image-files.ts';
import type { Product, ProductInput, ProductStore, UpsertResult } from './ports/product-store.ts';

/**
 * Counts product views in memory and writes them in batches, so a product
 * page costs no write. Counts reach the store within one flush interval.
 */
export class ViewCounter {
  readonly #store: ProductStore;
  #pending = new Map<number, number>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(store: ProductStore) {
    this.#store = store;
  }

  record(productId: number): void {
    this.#pending.set(productId, (this.#pending.get(productId) ?? 0) + 1);
  }

  /** Writes what has been counted so far. */
  flush(): Promise<void> {
    if (this.#pending.size === 0) return this.#flushing;
    const batch = this.#pending;
    this.#pending = new Map();
    this.#flushing = this.#flushing.then(() =>
      this.#store.addViews(batch).catch(() => {
        // Store unreachable: put the counts back for the next flush.
        for (const [id, n] of batch) this.#pending.set(id, (this.#pending.get(id) ?? 0) + n);
      }),
    );
    return this.#flushing;
  }

  /** Flushes every `intervalMs` until {@link stop}. */
  start(intervalMs: number): void {
    this.#timer ??= setInterval(() => void this.flush(), intervalMs).unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }
}

export const POPULAR_MAX = 50;
export const MAX_PRODUCT_ID = 2_147_483_647;

const NO_IMAGES: ImageFiles = { find: async () => null };

/** The shop front's catalog: product pages (counted), the popular list, and the image files. */
export class CatalogService {
  readonly #store: ProductStore;
  readonly #images: ImageFiles;
  readonly views: ViewCounter;

  constructor(store: ProductStore, images: ImageFiles = NO_IMAGES, views = new ViewCounter(store)) {
    this.#store = store;
    this.#images = images;
    this.views = views;
  }

  /** Whether the catalog has no product yet (the demo catalog fills only an empty one). */
  async isEmpty(): Promise<boolean> {
    return (await this.#store.count()) === 0;
  }

  /** Adds or replaces products by their code (the demo catalog, `gatehouse products import`). */
  upsertMany(products: ProductInput[], at: number): Promise<UpsertResult> {
    return this.#store.upsertMany(products, at);
  }

  /** The image file at a path below the catalog's image folder, or null (missing, or outside it). */
  image(relativePath: string): Promise<ImageFile | null> {
    return this.#images.find(relativePath);
  }

  /** An enabled product; counts one view. Throws NOT_FOUND. */
  async product(id: number): Promise<Product> {
    // Ids are positive 32-bit integers (the import enforces it): anything else names no product.
    if (!Number.isSafeInteger(id) || id < 1 || id > MAX_PRODUCT_ID) throw fail('NOT_FOUND', 'Product not found');
    const product = await this.#store.get(id);
    if (product?.status !== 'enabled') throw fail('NOT_FOUND', 'Product not found');
    this.views.record(id);
    return product;
  }

  /** Up to `limit` enabled products, featured first. Throws NOT_FOUND when there are none. */
  async popular(limit: number): Promise<Product[]> {
    const products = await this.#store.popular(Math.min(Math.max(1, limit), POPULAR_MAX));
    if (products.length === 0) throw fail('NOT_FOUND', 'No popular products found');
    return products;
  }
}
