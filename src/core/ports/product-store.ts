/** One catalog product (seed 001). */
export interface Product {
  id: number;
  model: string;
  quantity: number;
  /** Path of the image below IMAGE_DIR, e.g. `catalog/CQRobot/JST EL/JST EL 2P-1.jpg`. */
  image: string;
  price: number;
  name: string;
  /** May hold HTML; returned as stored. */
  description: string;
  /** Featured products come first in the popular list, lowest rank first; null: not featured. */
  featuredRank: number | null;
  status: ProductStatus;
  viewed: number;
}

export type ProductStatus = 'enabled' | 'disabled';

/** A product as imported: everything but the view count. */
export type ProductInput = Omit<Product, 'viewed'>;

export interface UpsertResult {
  inserted: number;
  updated: number;
}

/** Persistence of the catalog. */
export interface ProductStore {
  get(id: number): Promise<Product | null>;
  /** Enabled products: featured first by rank, then by views (most first), then by id. */
  popular(limit: number): Promise<Product[]>;
  /** Inserts or replaces by id, all or nothing; views are kept for existing products. */
  upsertMany(products: ProductInput[], at: number): Promise<UpsertResult>;
  /** Adds counted views, by product id. Unknown ids are ignored. */
  addViews(views: ReadonlyMap<number, number>): Promise<void>;
  count(): Promise<number>;
}
