import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CatalogService } from '../core/catalog.ts';
import { demoProducts } from './demo-products.ts';
import { encodePng, type Rgb } from './png.ts';

/** A 96×96 picture of a connector: a coloured board (from the model) with one pin per contact. */
function productImage(model: string, pins: number): Buffer {
  const hash = createHash('sha256').update(model).digest();
  const base: Rgb = [60 + (hash[0]! % 160), 60 + (hash[1]! % 160), 60 + (hash[2]! % 160)];
  const dark: Rgb = [base[0] >> 1, base[1] >> 1, base[2] >> 1];
  const gold: Rgb = [212, 175, 55];
  const size = 96;
  const pinWidth = Math.floor(56 / (pins * 2 - 1));
  return encodePng(size, size, (x, y) => {
    if (x < 4 || y < 4 || x >= size - 4 || y >= size - 4) return dark;
    const inHousing = x >= 18 && x < 78 && y >= 30 && y < 66;
    if (!inHousing) return [245, 245, 245];
    const slot = Math.floor((x - 20) / pinWidth);
    if (x >= 20 && slot % 2 === 0 && slot < pins * 2 - 1 && y >= 38 && y < 58) return gold;
    return base;
  });
}

/**
 * Loads the demo catalog into an empty product store and writes its images
 * below `imageDir` (made here, nothing downloaded). Does nothing when the
 * catalog already has products. Returns how many products were loaded.
 */
export async function loadDemoCatalog(catalog: Pick<CatalogService, 'isEmpty' | 'upsertMany'>, imageDir: string, at: number): Promise<number> {
  if (!(await catalog.isEmpty())) return 0;
  const products = demoProducts();
  for (const p of products) {
    const file = join(imageDir, p.image);
    if (existsSync(file)) continue;
    mkdirSync(dirname(file), { recursive: true });
    const pins = Number(/(\d+) Pin/.exec(p.name)?.[1] ?? 6);
    writeFileSync(file, productImage(p.model, pins));
  }
  await catalog.upsertMany(products, at);
  return products.length;
}
