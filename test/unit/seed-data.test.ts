import { describe, expect, it } from 'vitest';
import { buildCatalogSeed } from '../../prisma/seed-data.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const EPOCH = Date.UTC(2026, 10, 1);
const YEAR_MS = 365 * 86_400_000;

const catalog = buildCatalogSeed();
const { vendors, collections, products } = catalog;

const countBy = <T>(items: readonly T[], key: (item: T) => string): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
};
const share = (predicate: (p: (typeof products)[number]) => boolean): number =>
  products.filter(predicate).length / products.length;

describe('buildCatalogSeed', () => {
  it('returns identical data on every call', () => {
    expect(buildCatalogSeed()).toEqual(catalog);
  });

  it('has enough products, categories, vendors and collections', () => {
    expect(products.length).toBeGreaterThanOrEqual(240);
    expect(vendors.length).toBeGreaterThanOrEqual(6);
    expect(collections.length).toBeGreaterThanOrEqual(6);
    const perCategory = countBy(products, (p) => p.category);
    expect(perCategory.size).toBeGreaterThanOrEqual(8);
    for (const [category, count] of perCategory) {
      expect(category).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(count, category).toBeGreaterThanOrEqual(15);
    }
  });

  it('gives every row a distinct UUID v4, and products distinct SKUs and names', () => {
    const ids = [...vendors, ...collections, ...products].map((row) => row.id);
    for (const id of ids) expect(id).toMatch(UUID_V4);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(products.map((p) => p.sku)).size).toBe(products.length);
    expect(new Set(products.map((p) => p.name)).size).toBe(products.length);
    expect(new Set(vendors.map((v) => v.slug)).size).toBe(vendors.length);
    expect(new Set(collections.map((c) => c.slug)).size).toBe(collections.length);
  });

  it('uses kebab-case slugs and category-prefixed SKUs', () => {
    for (const { slug } of [...vendors, ...collections]) expect(slug).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    for (const p of products) expect(p.sku).toMatch(/^[A-Z]{3}-\d{6}$/);
    // One prefix per category, so a SKU says where a product belongs.
    const prefixes = countBy(products, (p) => `${p.category}:${p.sku.slice(0, 3)}`);
    expect(prefixes.size).toBe(countBy(products, (p) => p.category).size);
  });

  it('references only existing vendors and collections, and every vendor sells several categories', () => {
    const vendorIds = new Set(vendors.map((v) => v.id));
    const collectionSlugs = new Set(collections.map((c) => c.slug));
    for (const p of products) {
      expect(vendorIds.has(p.vendorId), p.sku).toBe(true);
      for (const slug of p.collectionSlugs) expect(collectionSlugs.has(slug), p.sku).toBe(true);
      expect(new Set(p.collectionSlugs).size).toBe(p.collectionSlugs.length);
    }
    for (const v of vendors) {
      const categories = new Set(products.filter((p) => p.vendorId === v.id).map((p) => p.category));
      expect(categories.size, v.slug).toBeGreaterThanOrEqual(2);
    }
  });

  it('fills every collection and keeps most products in at most two', () => {
    const members = countBy(
      products.flatMap((p) => p.collectionSlugs),
      (slug) => slug,
    );
    for (const c of collections) expect(members.get(c.slug) ?? 0, c.slug).toBeGreaterThan(0);
    expect(share((p) => p.collectionSlugs.length <= 2)).toBeGreaterThanOrEqual(0.9);
  });

  it('prices products in positive whole cents, realistically per category and not all round', () => {
    for (const p of products) {
      expect(Number.isInteger(p.priceCents) && p.priceCents > 0, p.sku).toBe(true);
      expect(p.currency).toBe('USD');
    }
    for (const p of products.filter((p) => p.category === 'books')) {
      expect(p.priceCents).toBeGreaterThanOrEqual(899);
      expect(p.priceCents).toBeLessThanOrEqual(4999);
    }
    for (const p of products.filter((p) => p.category === 'electronics')) {
      expect(p.priceCents).toBeGreaterThanOrEqual(1999);
      expect(p.priceCents).toBeLessThanOrEqual(129999);
    }
    expect(share((p) => p.priceCents % 100 === 99)).toBeGreaterThan(0.3);
    expect(share((p) => p.priceCents % 100 === 0)).toBeLessThan(0.3);
  });

  it('stocks products with non-negative integers in the expected ranges', () => {
    for (const { sku, inventory: inv } of products) {
      for (const n of [inv.onHand, inv.restockThreshold, inv.restockQuantity]) {
        expect(Number.isInteger(n) && n >= 0, sku).toBe(true);
      }
      expect(inv.restockThreshold).toBeGreaterThanOrEqual(3);
      expect(inv.restockThreshold).toBeLessThanOrEqual(25);
      expect(inv.restockQuantity).toBeGreaterThanOrEqual(20);
      expect(inv.restockQuantity).toBeLessThanOrEqual(150);
      expect(inv.onHand).toBeLessThanOrEqual(500);
    }
  });

  it('has about 10% out of stock and about 15% low on stock', () => {
    const out = share((p) => p.inventory.onHand === 0);
    const low = share((p) => p.inventory.onHand > 0 && p.inventory.onHand <= p.inventory.restockThreshold);
    expect(out).toBeGreaterThanOrEqual(0.08);
    expect(out).toBeLessThanOrEqual(0.12);
    expect(low).toBeGreaterThanOrEqual(0.12);
    expect(low).toBeLessThanOrEqual(0.18);
    const healthy = products.filter((p) => p.inventory.onHand > p.inventory.restockThreshold);
    for (const p of healthy) expect(p.inventory.onHand, p.sku).toBeGreaterThanOrEqual(20);
  });

  it('spreads createdAt over the year before the fixed epoch', () => {
    const times = products.map((p) => p.createdAt.getTime());
    for (const t of times) {
      expect(t).toBeLessThan(EPOCH);
      expect(t).toBeGreaterThanOrEqual(EPOCH - YEAR_MS);
    }
    const quarters = countBy(times, (t) => String(Math.floor((EPOCH - t) / (YEAR_MS / 4))));
    expect(quarters.size).toBe(4);
  });

  it('includes near-identical names so ambiguous search can be shown', () => {
    expect(products.filter((p) => p.name.includes('Canvas Tote Bag')).length).toBeGreaterThanOrEqual(2);
  });

  it('describes every product in a sentence or two', () => {
    for (const p of products) {
      expect(p.description.length, p.sku).toBeGreaterThan(30);
      expect(p.description.match(/[.!?](\s|$)/g)?.length ?? 0, p.sku).toBeGreaterThanOrEqual(1);
      expect(p.description.match(/[.!?](\s|$)/g)?.length ?? 0, p.sku).toBeLessThanOrEqual(2);
    }
  });
});
