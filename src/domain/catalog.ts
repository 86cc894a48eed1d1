/** Catalog rules shared by the API, activities and workflows: listing options and stock arithmetic. */

export const productSorts = ['price', '-price', 'name', '-name', 'newest'] as const;
export type ProductSort = (typeof productSorts)[number];

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

export interface ProductFilter {
  category?: string;
  collection?: string;
  /** Vendor id or slug. */
  vendor?: string;
  minPrice?: number;
  maxPrice?: number;
  inStock?: boolean;
  /** Case-insensitive text, matched in name and description. */
  q?: string;
  /** Exact SKU or exact name, both case-insensitive: how people name one product. */
  sku?: string;
  name?: string;
}

export interface ProductListQuery extends ProductFilter {
  sort: ProductSort;
  limit: number;
  cursor?: string;
}

/** A product as customers and other services see it: catalog data plus stock available now. */
export interface ProductView {
  id: string;
  sku: string;
  name: string;
  description: string;
  priceCents: number;
  currency: string;
  vendorId: string;
  vendorName: string;
  category: string;
  collections: string[];
  available: number;
  createdAt: string;
}

export interface InventoryView {
  onHand: number;
  reserved: number;
  available: number;
  restockThreshold: number;
  restockQuantity: number;
}

/** Units that can still be promised: on hand minus already reserved, never negative. */
export function availableStock(onHand: number, reserved: number): number {
  return Math.max(0, onHand - reserved);
}
