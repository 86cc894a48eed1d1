import pg from 'pg';
import type { CatalogItem } from '../domain/cart.js';
import {
  availableStock,
  type InventoryView,
  type ProductListQuery,
  type ProductSort,
  type ProductView,
} from '../domain/catalog.js';
import { DomainError, ErrorCode } from '../domain/errors.js';
import { setStock } from './inventory.store.js';
import { likeLiteral } from './like-literal.js';
import { isUuid } from './uuid.js';
import type { Prisma, PrismaClient } from './prisma.js';

/** Postgres access for the catalog, shared by the API's routes and the worker's activities. */

const productInclude = {
  vendor: { select: { name: true } },
  collections: { select: { collection: { select: { slug: true } } } },
  inventory: { select: { onHand: true, reserved: true } },
} satisfies Prisma.ProductInclude;

type ProductRow = Prisma.ProductGetPayload<{ include: typeof productInclude }>;

function toView(row: ProductRow): ProductView {
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    description: row.description,
    priceCents: row.priceCents,
    currency: row.currency,
    vendorId: row.vendorId,
    vendorName: row.vendor.name,
    category: row.category,
    collections: row.collections.map((c) => c.collection.slug).sort(),
    available: row.inventory ? availableStock(row.inventory.onHand, row.inventory.reserved) : 0,
    createdAt: row.createdAt.toISOString(),
  };
}

// Keyset pagination: the cursor carries the sort it was made for, the last row's sort key and its
// id (the tie-breaker), so pages stay stable while products are added or restocked.
interface Cursor {
  s: ProductSort;
  k: number | string;
  id: string;
}

function encodeCursor(sort: ProductSort, row: ProductRow): string {
  const k =
    sort === 'price' || sort === '-price' ? row.priceCents : sort === 'newest' ? row.createdAt.toISOString() : row.name;
  return Buffer.from(JSON.stringify({ s: sort, k, id: row.id } satisfies Cursor)).toString('base64url');
}

function decodeCursor(cursor: string, sort: ProductSort): Cursor {
  const invalid = () => new DomainError(ErrorCode.InvalidCursor, 'cursor is not one this API returned for this sort');
  let parsed: Partial<Cursor>;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<Cursor>;
  } catch {
    throw invalid();
  }
  const keyType = sort === 'price' || sort === '-price' ? 'number' : 'string';
  if (parsed.s !== sort || typeof parsed.k !== keyType || typeof parsed.id !== 'string' || !isUuid(parsed.id))
    throw invalid();
  // A key PostgreSQL could not compare with the column (a price beyond int4 or not whole, a date
  // outside years 1 to 9999, a NUL in a name) would be a 500: only keys the API could have made pass.
  const k = parsed.k!;
  if (keyType === 'number' && !(Number.isInteger(k) && Math.abs(k as number) <= 2_147_483_647)) throw invalid();
  if (sort === 'newest') {
    const year = new Date(k as string).getUTCFullYear();
    if (!(year >= 1 && year <= 9999)) throw invalid();
  } else if (typeof k === 'string' && (k.includes('\u0000') || k.length > 1_000)) throw invalid();
  return parsed as Cursor;
}

function orderFor(sort: ProductSort): Prisma.ProductOrderByWithRelationInput[] {
  switch (sort) {
    case 'price':
      return [{ priceCents: 'asc' }, { id: 'asc' }];
    case '-price':
      return [{ priceCents: 'desc' }, { id: 'desc' }];
    case 'name':
      return [{ name: 'asc' }, { id: 'asc' }];
    case '-name':
      return [{ name: 'desc' }, { id: 'desc' }];
    case 'newest':
      return [{ createdAt: 'desc' }, { id: 'desc' }];
  }
}

function after(cursor: Cursor): Prisma.ProductWhereInput {
  const { s, k, id } = cursor;
  const dir = s === 'price' || s === 'name' ? 'gt' : 'lt';
  const field = s === 'price' || s === '-price' ? 'priceCents' : s === 'newest' ? 'createdAt' : 'name';
  const key = s === 'newest' ? new Date(k) : k;
  return { OR: [{ [field]: { [dir]: key } }, { [field]: key, id: { [dir]: id } }] };
}

function filterWhere(prisma: PrismaClient, q: ProductListQuery): Prisma.ProductWhereInput[] {
  const where: Prisma.ProductWhereInput[] = [];
  if (q.category) where.push({ category: q.category });
  if (q.collection) where.push({ collections: { some: { collection: { slug: q.collection } } } });
  if (q.vendor) where.push(isUuid(q.vendor) ? { vendorId: q.vendor } : { vendor: { slug: q.vendor } });
  if (q.minPrice !== undefined || q.maxPrice !== undefined)
    where.push({ priceCents: { gte: q.minPrice, lte: q.maxPrice } });
  // Matched as ILIKE by Prisma: the value's own %, _ and \ match themselves (see likeLiteral).
  if (q.sku) where.push({ sku: { equals: likeLiteral(q.sku), mode: 'insensitive' } });
  if (q.name) where.push({ name: { equals: likeLiteral(q.name), mode: 'insensitive' } });
  if (q.q) {
    const contains = { contains: likeLiteral(q.q), mode: 'insensitive' as const };
    where.push({ OR: [{ name: contains }, { description: contains }] });
  }
  if (q.inStock !== undefined) {
    const inStock: Prisma.ProductWhereInput = {
      inventory: { is: { onHand: { gt: prisma.inventory.fields.reserved } } },
    };
    where.push(q.inStock ? inStock : { NOT: inStock });
  }
  return where;
}

export interface ProductPage {
  items: ProductView[];
  nextCursor: string | null;
}

/** One page of products, filtered and sorted, with the cursor of the next page (null on the last). */
export async function listProducts(prisma: PrismaClient, query: ProductListQuery): Promise<ProductPage> {
  if (query.minPrice !== undefined && query.maxPrice !== undefined && query.minPrice > query.maxPrice) {
    throw new DomainError(ErrorCode.InvalidPriceRange, 'minPrice must not be greater than maxPrice');
  }
  const where = filterWhere(prisma, query);
  if (query.cursor) where.push(after(decodeCursor(query.cursor, query.sort)));
  const rows = await prisma.product.findMany({
    where: { AND: where },
    orderBy: orderFor(query.sort),
    take: query.limit + 1, // one extra row tells whether another page exists
    include: productInclude,
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map(toView),
    nextCursor: rows.length > query.limit && last ? encodeCursor(query.sort, last) : null,
  };
}

/** One product by id; product_not_found when absent (any non-UUID id is absent too). */
export async function getProduct(prisma: PrismaClient, id: string): Promise<ProductView> {
  const row = isUuid(id) ? await prisma.product.findUnique({ where: { id }, include: productInclude }) : null;
  if (!row) throw new DomainError(ErrorCode.ProductNotFound, `no product with id ${id}`);
  return toView(row);
}

export interface ProductInput {
  sku: string;
  name: string;
  description?: string;
  priceCents: number;
  currency: string;
  category: string;
  vendorId: string;
  collections?: string[];
  inventory?: { onHand: number; restockThreshold: number; restockQuantity: number };
}

export type ProductPatch = Partial<Omit<ProductInput, 'sku' | 'currency' | 'inventory'>>;

async function collectionIds(tx: Prisma.TransactionClient, slugs: string[]): Promise<string[]> {
  const unique = [...new Set(slugs)];
  const found = await tx.collection.findMany({ where: { slug: { in: unique } }, select: { id: true, slug: true } });
  const missing = unique.filter((slug) => !found.some((c) => c.slug === slug));
  if (missing.length > 0)
    throw new DomainError(ErrorCode.CollectionNotFound, `unknown collection(s): ${missing.join(', ')}`);
  return found.map((c) => c.id);
}

async function assertVendor(tx: Prisma.TransactionClient, vendorId: string): Promise<void> {
  const vendor = isUuid(vendorId)
    ? await tx.vendor.findUnique({ where: { id: vendorId }, select: { id: true } })
    : null;
  if (!vendor) throw new DomainError(ErrorCode.VendorNotFound, `no vendor with id ${vendorId}`);
}

/** Creates a product with its collections and stock, all or nothing. */
export async function createProduct(prisma: PrismaClient, input: ProductInput): Promise<ProductView> {
  const id = await prisma.$transaction(async (tx) => {
    await assertVendor(tx, input.vendorId);
    const collections = await collectionIds(tx, input.collections ?? []);
    if (await tx.product.findUnique({ where: { sku: input.sku }, select: { id: true } })) {
      throw new DomainError(ErrorCode.SkuAlreadyExists, `a product with sku ${input.sku} already exists`);
    }
    const product = await tx.product.create({
      data: {
        sku: input.sku,
        name: input.name,
        description: input.description ?? '',
        priceCents: input.priceCents,
        currency: input.currency,
        category: input.category,
        vendorId: input.vendorId,
        collections: { create: collections.map((collectionId) => ({ collectionId })) },
        inventory: { create: input.inventory ?? { onHand: 0, restockThreshold: 0, restockQuantity: 0 } },
      },
      select: { id: true },
    });
    if (input.inventory?.onHand) {
      await tx.stockMovement.create({
        data: { productId: product.id, delta: input.inventory.onHand, kind: 'initial', ref: `initial:${product.id}` },
      });
    }
    return product.id;
  });
  return getProduct(prisma, id);
}

/** Changes the given catalog fields of a product; collections, when given, replace the old set. */
export async function updateProduct(prisma: PrismaClient, id: string, patch: ProductPatch): Promise<ProductView> {
  await getProduct(prisma, id);
  await prisma.$transaction(async (tx) => {
    if (patch.vendorId) await assertVendor(tx, patch.vendorId);
    const { collections, ...fields } = patch;
    if (collections) {
      const ids = await collectionIds(tx, collections);
      await tx.productCollection.deleteMany({ where: { productId: id } });
      await tx.productCollection.createMany({ data: ids.map((collectionId) => ({ productId: id, collectionId })) });
    }
    await tx.product.update({ where: { id }, data: { ...fields, updatedAt: new Date() } });
  });
  return getProduct(prisma, id);
}

export interface InventoryInput {
  onHand: number;
  restockThreshold: number;
  restockQuantity: number;
}

/**
 * Sets a product's stock counts; on hand may not drop below what orders already hold (see
 * setStock). `increased` tells the caller to wake orders waiting for this product.
 */
export async function setInventory(
  prisma: PrismaClient,
  productId: string,
  input: InventoryInput,
): Promise<InventoryView & { increased: boolean }> {
  await getProduct(prisma, productId);
  return setStock(prisma, productId, input);
}

/** Distinct categories with their product counts, for the storefront's filters. */
export async function listCategories(prisma: PrismaClient): Promise<{ category: string; products: number }[]> {
  const groups = await prisma.product.groupBy({
    by: ['category'],
    _count: { _all: true },
    orderBy: { category: 'asc' },
  });
  return groups.map((g) => ({ category: g.category, products: g._count._all }));
}

/** Collections and vendors, for the storefront's filters. */
export async function listFacets(prisma: PrismaClient) {
  const [collections, vendors, categories] = await Promise.all([
    prisma.collection.findMany({
      orderBy: { name: 'asc' },
      select: { id: true, slug: true, name: true, description: true },
    }),
    prisma.vendor.findMany({ orderBy: { name: 'asc' }, select: { id: true, slug: true, name: true } }),
    listCategories(prisma),
  ]);
  return { categories, collections, vendors };
}

interface CatalogItemRow {
  id: string;
  sku: string;
  name: string;
  vendor_id: string;
  price_cents: number;
  currency: string;
  on_hand: number | null;
  reserved: number | null;
}

/** One statement (Prisma's relation select took two, and about 1 ms more CPU: see poolOf). */
const CATALOG_ITEMS_SQL = `
  SELECT p.id, p.sku, p.name, p.vendor_id, p.price_cents, p.currency, i.on_hand, i.reserved
  FROM products p LEFT JOIN inventory i ON i.product_id = p.id
  WHERE p.id = ANY($1::uuid[])`;

/**
 * Catalog data for the given products, as carts and orders price them; unknown ids are left out.
 * Inside a transaction through Prisma, or straight on the pool (the API, on every cart change).
 */
export async function getCatalogItems(
  db: Prisma.TransactionClient | pg.Pool,
  productIds: readonly string[],
): Promise<CatalogItem[]> {
  const ids = productIds.filter(isUuid);
  if (ids.length === 0) return [];
  const rows =
    db instanceof pg.Pool
      ? (await db.query<CatalogItemRow>({ name: 'catalog-items', text: CATALOG_ITEMS_SQL, values: [ids] })).rows
      : await db.$queryRawUnsafe<CatalogItemRow[]>(CATALOG_ITEMS_SQL, ids);
  return rows.map((r) => ({
    productId: r.id,
    sku: r.sku,
    name: r.name,
    vendorId: r.vendor_id,
    priceCents: r.price_cents,
    currency: r.currency,
    available: r.on_hand === null ? 0 : availableStock(r.on_hand, r.reserved ?? 0),
  }));
}
