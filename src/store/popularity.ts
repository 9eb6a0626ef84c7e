import type { Product } from '../core/ports/product-store.ts';

/** Featured first (lowest rank first), then most viewed, then lowest id: the order SQL stores use too. */
export function comparePopularity(a: Product, b: Product): number {
  if ((a.featuredRank === null) !== (b.featuredRank === null)) return a.featuredRank === null ? 1 : -1;
  if (a.featuredRank !== null && b.featuredRank !== null && a.featuredRank !== b.featuredRank) return a.featuredRank - b.featuredRank;
  if (a.viewed !== b.viewed) return b.viewed - a.viewed;
  return a.id - b.id;
}
