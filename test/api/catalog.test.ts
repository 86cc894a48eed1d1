import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProductView } from '../../src/domain/catalog.js';
import { startTestStack, type TestStack } from '../helpers/app.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.close();
});

async function products(query: string): Promise<{ items: ProductView[]; nextCursor: string | null }> {
  const res = await stack.http(`/api/products?${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/** Every product matching `query`, following cursors page by page. */
async function allPages(query: string, limit = 37): Promise<ProductView[]> {
  const seen: ProductView[] = [];
  let cursor: string | null = null;
  do {
    const page = await products(`${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    seen.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return seen;
}

describe('GET /api/products', () => {
  it('answers the README example: five in-stock products, most expensive first', async () => {
    const { items } = await products('sort=-price&inStock=true&limit=5');
    expect(items).toHaveLength(5);
    for (const item of items) expect(item.available).toBeGreaterThan(0);
    const prices = items.map((i) => i.priceCents);
    expect(prices).toEqual([...prices].sort((a, b) => b - a));

    const [top] = await stack.db.prisma.$queryRaw<{ max: number }[]>`
      SELECT max(p.price_cents)::int AS max FROM products p JOIN inventory i ON i.product_id = p.id WHERE i.on_hand > i.reserved`;
    expect(prices[0]).toBe(top!.max);
  });

  it('returns the documented fields, with available = on hand - reserved', async () => {
    const { items } = await products('limit=3');
    const row = await stack.db.prisma.inventory.findUniqueOrThrow({ where: { productId: items[0]!.id } });
    expect(Object.keys(items[0]!).sort()).toEqual(
      [
        'available',
        'category',
        'collections',
        'createdAt',
        'currency',
        'description',
        'id',
        'name',
        'priceCents',
        'sku',
        'vendorId',
        'vendorName',
      ].sort(),
    );
    expect(items[0]!.available).toBe(Math.max(0, row.onHand - row.reserved));
  });

  it('pages through the whole catalog with cursors: every product exactly once, in order', async () => {
    const total = await stack.db.prisma.product.count();
    for (const sort of ['price', '-price', 'name', '-name', 'newest'] as const) {
      const all = await allPages(`sort=${sort}`);
      expect(all).toHaveLength(total);
      expect(new Set(all.map((p) => p.id)).size).toBe(total);
      const key = (p: ProductView) =>
        sort.endsWith('price') ? p.priceCents : sort.endsWith('name') ? p.name : p.createdAt;
      for (let i = 1; i < all.length; i++) {
        const [a, b] = [key(all[i - 1]!), key(all[i]!)];
        if (sort === 'price' || sort === 'name') expect(a <= b, `${sort}: ${a} before ${b}`).toBe(true);
        else expect(a >= b, `${sort}: ${a} before ${b}`).toBe(true);
      }
    }
  });

  it('filters by category, collection, vendor (id or slug), price range, stock and text', async () => {
    const facets = (await stack.http('/api/catalog/facets')).body;
    const category = facets.categories[0].category as string;
    const collection = facets.collections[0].slug as string;
    const vendor = facets.vendors[0] as { id: string; slug: string };

    const inCategory = await allPages(`category=${category}`);
    expect(inCategory.length).toBe(facets.categories[0].products);
    expect(inCategory.every((p) => p.category === category)).toBe(true);

    const inCollection = await allPages(`collection=${collection}`);
    expect(inCollection.length).toBeGreaterThan(0);
    expect(inCollection.every((p) => p.collections.includes(collection))).toBe(true);

    const byId = await allPages(`vendor=${vendor.id}`);
    const bySlug = await allPages(`vendor=${vendor.slug}`);
    expect(byId.length).toBeGreaterThan(0);
    expect(bySlug.map((p) => p.id)).toEqual(byId.map((p) => p.id));
    expect(byId.every((p) => p.vendorId === vendor.id)).toBe(true);

    const ranged = await allPages('minPrice=2000&maxPrice=5000&sort=price');
    expect(ranged.length).toBeGreaterThan(0);
    expect(ranged.every((p) => p.priceCents >= 2000 && p.priceCents <= 5000)).toBe(true);
    expect(ranged.length).toBe(
      await stack.db.prisma.product.count({ where: { priceCents: { gte: 2000, lte: 5000 } } }),
    );

    const soldOut = await allPages('inStock=false');
    const inStock = await allPages('inStock=true');
    expect(soldOut.length).toBeGreaterThan(0);
    expect(soldOut.every((p) => p.available === 0)).toBe(true);
    expect(inStock.every((p) => p.available > 0)).toBe(true);
    expect(soldOut.length + inStock.length).toBe(await stack.db.prisma.product.count());

    const text = await allPages('q=TOTE');
    expect(text.length).toBeGreaterThan(1);
    expect(text.every((p) => `${p.name} ${p.description}`.toLowerCase().includes('tote'))).toBe(true);

    const combined = await allPages(`category=${category}&inStock=true&maxPrice=10000&sort=-price`);
    expect(combined.every((p) => p.category === category && p.available > 0 && p.priceCents <= 10000)).toBe(true);
  });

  it('finds one product by exact SKU or exact name, ignoring case', async () => {
    const [one] = (await products('limit=1&sort=price')).items;
    expect((await products(`sku=${one!.sku.toLowerCase()}`)).items.map((p) => p.id)).toEqual([one!.id]);
    expect((await products(`name=${encodeURIComponent(one!.name.toUpperCase())}`)).items.map((p) => p.id)).toEqual([
      one!.id,
    ]);
    // Exact, not a substring: a name with a letter missing finds nothing.
    expect((await products(`name=${encodeURIComponent(one!.name.slice(0, -1))}`)).items).toEqual([]);
  });

  it('takes %, _ and \\ in sku, name and q literally: no wildcard, no 500 (found by the property below)', async () => {
    for (const key of ['sku', 'name']) {
      for (const value of ['O\\', '%', '_%', '\\%']) {
        const res = await stack.http(`/api/products?${key}=${encodeURIComponent(value)}`);
        expect(res.status, `${key}=${value}`).toBe(200);
        expect(res.body.items, `${key}=${value}`).toEqual([]);
      }
    }
    const [one] = (await products('limit=1&sort=price')).items;
    // A SKU's own underscore or hyphen still finds it, ignoring case.
    expect((await products(`sku=${encodeURIComponent(one!.sku.toLowerCase())}`)).items.map((p) => p.id)).toEqual([
      one!.id,
    ]);
    for (const value of ['\\', '%', '100%', '_']) {
      const res = await stack.http(`/api/products?q=${encodeURIComponent(value)}&limit=5`);
      expect(res.status, `q=${value}`).toBe(200);
    }
    // A % finds what has a % in its name or description, not every product.
    const percent = (await stack.http(`/api/products?q=${encodeURIComponent('%')}&limit=100`)).body.items;
    expect(percent.length).toBeLessThan(20);
    for (const p of percent) expect(`${p.name} ${p.description}`).toContain('%');
  });

  it('rejects bad query values with 400 and a stable code', async () => {
    const cases: [string, string, string][] = [
      ['limit=-1', 'validation_failed', 'limit'],
      ['limit=101', 'validation_failed', 'limit'],
      ['limit=abc', 'validation_failed', 'limit'],
      ['sort=bogus', 'validation_failed', 'sort'],
      ['minPrice=abc', 'validation_failed', 'minPrice'],
      ['maxPrice=-5', 'validation_failed', 'maxPrice'],
      ['inStock=maybe', 'validation_failed', 'inStock'],
      ['color=red', 'validation_failed', 'color'],
      // Well formed, but not a range or a cursor this API can use: 422.
      ['minPrice=500&maxPrice=100', 'invalid_price_range', ''],
      ['cursor=not-a-cursor', 'invalid_cursor', ''],
    ];
    for (const [query, code, field] of cases) {
      const res = await stack.http(`/api/products?${query}`);
      expect(res.status, query).toBe(code.startsWith('invalid_') ? 422 : 400);
      expect(res.body.error.code, query).toBe(code);
      expect(res.body.error.message, query).toMatch(/\S/);
      if (field) expect(res.body.error.details[0].field, query).toBe(field);
    }
  });

  it('refuses a cursor made for another sort', async () => {
    const { nextCursor } = await products('sort=price&limit=2');
    const res = await stack.http(`/api/products?sort=name&cursor=${nextCursor}`);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('invalid_cursor');
  });

  it('refuses, as invalid_cursor, forged cursors whose key the database could not compare', async () => {
    const id = (await products('limit=1')).items[0]!.id as string;
    const forged = (s: string, k: unknown) => Buffer.from(JSON.stringify({ s, k, id })).toString('base64url');
    const cases: [string, unknown][] = [
      ['price', 1e300],
      ['price', 12.5],
      ['-price', -3_000_000_000],
      ['newest', '-100000-01-01T00:00:00Z'],
      ['newest', '0000-01-01T00:00:00Z'],
      ['name', 'a\u0000b'],
    ];
    for (const [sort, k] of cases) {
      const res = await stack.http(`/api/products?sort=${sort}&cursor=${forged(sort, k)}`);
      expect([res.status, res.body.error?.code], `${sort} ${String(k)}`).toEqual([422, 'invalid_cursor']);
    }
  });

  it('never answers 5xx, whatever the query string', async () => {
    const keys = [
      'sort',
      'limit',
      'cursor',
      'minPrice',
      'maxPrice',
      'inStock',
      'q',
      'category',
      'collection',
      'vendor',
      'sku',
      'x',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom(...keys), fc.string({ maxLength: 30 })), { maxLength: 4 }),
        async (pairs) => {
          const query = new URLSearchParams(pairs).toString();
          const res = await stack.http(`/api/products?${query}`);
          expect(res.status, query).toBeLessThan(500);
          if (res.status !== 200) expect(typeof res.body.error.code).toBe('string');
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('GET /api/products/:id', () => {
  it('returns one product, and 404 product_not_found for unknown or malformed ids', async () => {
    const { items } = await products('limit=1');
    const one = await stack.http(`/api/products/${items[0]!.id}`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(items[0]);

    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const res = await stack.http(`/api/products/${id}`);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('product_not_found');
    }
  });
});

describe('errors and documents', () => {
  it('answers unknown routes with 404 route_not_found in the error shape', async () => {
    const res = await stack.http('/api/nope');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('route_not_found');
  });

  it('serves an OpenAPI document generated from the route schemas, and Swagger UI', async () => {
    const doc = await stack.http('/docs/json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    const list = doc.body.paths['/api/products'].get;
    expect(list.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining([
        'sort',
        'category',
        'collection',
        'vendor',
        'minPrice',
        'maxPrice',
        'inStock',
        'q',
        'limit',
        'cursor',
      ]),
    );
    expect(doc.body.paths['/api/admin/products'].post.security).toEqual([{ adminToken: [] }]);
    const ui = await stack.http('/docs/');
    expect(ui.status).toBe(200);
    expect(String(ui.body)).toContain('swagger');
  });

  it('serves the storefront page at /', async () => {
    const res = await stack.http('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
  });
});
