import type { ProductInput, ProductStore } from './ports/product-store.ts';

/** One record of an import file: column name to raw value, and the line it starts on. */
export interface SourceRow {
  line: number;
  values: Record<string, unknown>;
}

export interface RowProblem {
  line: number;
  message: string;
}

export const IMPORT_COLUMNS = ['id', 'model', 'quantity', 'image', 'price', 'name', 'description', 'featured_rank', 'status'] as const;
const REQUIRED = ['id', 'model', 'quantity', 'image', 'price', 'name'] as const;

const text = (v: unknown) => (v === null || v === undefined ? '' : String(v)).trim();
const blank = (v: unknown) => text(v) === '';

function wholeNumber(v: unknown, min: number): number | null {
  const t = text(v);
  if (!/^-?\d+$/.test(t)) return null;
  const n = Number(t);
  return Number.isSafeInteger(n) && n >= min ? n : null;
}

/**
 * Checks one row against the catalog's rules and returns the product, or the
 * reason it cannot be imported. Values may be strings (CSV) or JSON values.
 */
export function parseProductRow(row: SourceRow): ProductInput | RowProblem {
  const v = row.values;
  const problem = (message: string): RowProblem => ({ line: row.line, message });
  for (const column of REQUIRED) if (blank(v[column])) return problem(`${column} is missing`);
  const id = wholeNumber(v.id, 1);
  if (id === null || id > 2_147_483_647) return problem(`id must be a whole number from 1 (got "${text(v.id)}")`);
  const quantity = wholeNumber(v.quantity, 0);
  if (quantity === null) return problem(`quantity must be a whole number from 0 (got "${text(v.quantity)}")`);
  const price = Number(text(v.price));
  if (!/^\d+(\.\d+)?$/.test(text(v.price)) || !Number.isFinite(price)) return problem(`price must be a number from 0 (got "${text(v.price)}")`);
  const model = text(v.model);
  if (model.length > 64) return problem('model is longer than 64 characters');
  const name = text(v.name);
  if (name.length > 255) return problem('name is longer than 255 characters');
  const image = text(v.image).replace(/^\/+/, '');
  if (image.length > 512 || image.includes('\0') || image.split(/[\\/]/).includes('..'))
    return problem('image must be a relative path inside the image folder');
  const description = v.description === null || v.description === undefined ? '' : String(v.description);
  if (description.length > 65_535) return problem('description is longer than 65535 characters');
  let featuredRank: number | null = null;
  if (!blank(v.featured_rank)) {
    featuredRank = wholeNumber(v.featured_rank, 1);
    if (featuredRank === null) return problem(`featured_rank must be empty or a whole number from 1 (got "${text(v.featured_rank)}")`);
  }
  const rawStatus = text(v.status).toLowerCase();
  const status =
    rawStatus === '' || ['enabled', '1', 'true', 'active'].includes(rawStatus)
      ? 'enabled'
      : ['disabled', '0', 'false', 'inactive'].includes(rawStatus)
        ? 'disabled'
        : null;
  if (status === null) return problem(`status must be enabled or disabled (got "${text(v.status)}")`);
  return { id, model, quantity, image, price, name, description, featuredRank, status };
}

export function isProblem(value: ProductInput | RowProblem): value is RowProblem {
  return 'message' in value;
}

export interface ImportReport {
  imported: number;
  updated: number;
  rejected: RowProblem[];
  /** True when `strict` refused the whole file. */
  aborted: boolean;
}

export interface ImportOptions {
  /** Import nothing when any row is bad. */
  strict?: boolean;
  /** Rows written per transaction. */
  chunk?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Validates every row, then upserts the good ones by id in chunks (each chunk
 * one transaction). Re-running the same file changes nothing but `updated`.
 */
export async function importProducts(store: ProductStore, rows: SourceRow[], at: number, options: ImportOptions = {}): Promise<ImportReport> {
  const good: ProductInput[] = [];
  const rejected: RowProblem[] = [];
  for (const row of rows) {
    const parsed = parseProductRow(row);
    if (isProblem(parsed)) rejected.push(parsed);
    else good.push(parsed);
  }
  if (options.strict && rejected.length > 0) return { imported: 0, updated: 0, rejected, aborted: true };
  const chunk = options.chunk ?? 5000;
  let imported = 0;
  let updated = 0;
  for (let i = 0; i < good.length; i += chunk) {
    const result = await store.upsertMany(good.slice(i, i + chunk), at);
    imported += result.inserted;
    updated += result.updated;
    options.onProgress?.(Math.min(i + chunk, good.length), good.length);
  }
  return { imported, updated, rejected, aborted: false };
}
