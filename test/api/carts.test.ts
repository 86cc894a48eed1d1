import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/app.js';

let stack: TestStack;
/** In-stock products from the seeded catalog, with plenty available. */
let products: { id: string; sku: string; name: string; priceCents: number; vendorId: string }[];

beforeAll(async () => {
  stack = await startTestStack();
  products = await stack.db.prisma.product.findMany({
    where: { inventory: { onHand: { gte: 150 }, reserved: 0 } },
    orderBy: { sku: 'asc' },
    take: 40,
    select: { id: true, sku: true, name: true, priceCents: true, vendorId: true },
  });
  expect(products.length).toBe(40);
});
afterAll(async () => {
  await stack?.close();
});

/** A new cart of this test's shopper (the server makes the id). */
const newCartId = async (): Promise<string> => {
  const res = await stack.http('/api/carts', { method: 'POST' });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
};
const add = (cartId: string, productId: string, quantity = 1, key?: string) =>
  stack.http(`/api/carts/${cartId}/items`, {
    method: 'POST',
    json: { productId, quantity },
    headers: key ? { 'idempotency-key': key } : {},
  });

describe('creating and reading carts', () => {
  it('POST /api/carts makes an empty cart with a random UUID; GET returns it', async () => {
    const res = await stack.http('/api/carts', { method: 'POST' });
    expect(res.status).toBe(201);
    expect(res.body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(res.headers.get('location')).toBe(`/api/carts/${res.body.id}`);
    expect(res.body).toMatchObject({
      status: 'active',
      lines: [],
      itemCount: 0,
      totalCents: 0,
      currency: 'USD',
      orderId: null,
    });
    expect(res.body.expiresAt).not.toBeNull();
    expect((await stack.http(`/api/carts/${res.body.id}`)).body).toEqual(res.body);
  });

  it('makes the id itself: a retry with the same Idempotency-Key finds the same cart (200), a client id is refused', async () => {
    const key = randomUUID();
    const first = await stack.http('/api/carts', {
      method: 'POST',
      json: { email: 'calvin@example.com' },
      headers: { 'idempotency-key': key },
    });
    expect(first.status).toBe(201);
    expect(first.body.customerId).toBeNull();
    const again = await stack.http('/api/carts', { method: 'POST', headers: { 'idempotency-key': key } });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    const other = await stack.http('/api/carts', { method: 'POST', headers: { 'idempotency-key': randomUUID() } });
    expect(other.body.id).not.toBe(first.body.id);
    // Another session with the same key gets a cart of its own.
    const elsewhere = await stack.http('/api/carts', {
      method: 'POST',
      headers: { 'idempotency-key': key },
      as: stack.shopper(),
    });
    expect(elsewhere.status).toBe(201);
    expect(elsewhere.body.id).not.toBe(first.body.id);
    for (const json of [{ cartId: randomUUID() }, { customerId: 'calvin' }]) {
      const refused = await stack.http('/api/carts', { method: 'POST', json });
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('validation_failed');
    }
  });

  it('refuses ids that are not UUIDs (400) and answers 404 cart_not_found for a cart that never existed', async () => {
    for (const [method, path, json] of [
      ['GET', '/api/carts/my-cart', undefined],
      ['POST', '/cart/my-cart', { productId: products[0]!.id }],
    ] as const) {
      const res = await stack.http(path, { method, json });
      expect(res.status, path).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    const missing = await stack.http(`/api/carts/${randomUUID()}`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('cart_not_found');
    for (const change of [
      stack.http(`/api/carts/${randomUUID()}/items/${products[0]!.id}`, { method: 'PATCH', json: { quantity: 2 } }),
      stack.http(`/api/carts/${randomUUID()}/items/${products[0]!.id}`, { method: 'DELETE' }),
    ]) {
      const res = await change;
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('cart_not_found');
    }
  });
});

describe('changing a cart', () => {
  it('adds items priced from the catalog, and sums quantities', async () => {
    const id = await newCartId();
    const [a, b] = products;
    const first = await add(id, a!.id, 2);
    expect(first.status).toBe(200);
    expect(first.body.lines).toEqual([
      expect.objectContaining({
        productId: a!.id,
        sku: a!.sku,
        name: a!.name,
        vendorId: a!.vendorId,
        quantity: 2,
        unitPriceCents: a!.priceCents,
        lineTotalCents: 2 * a!.priceCents,
        priceChanged: false,
        outOfStock: false,
      }),
    ]);
    await add(id, b!.id, 1);
    const third = await add(id, a!.id, 3);
    expect(third.body.lines.map((l: any) => [l.productId, l.quantity])).toEqual([
      [a!.id, 5],
      [b!.id, 1],
    ]);
    expect(third.body.itemCount).toBe(6);
    expect(third.body.totalCents).toBe(5 * a!.priceCents + b!.priceCents);
  });

  it('answers 404 product_not_found for an unknown product and changes nothing', async () => {
    const id = await newCartId();
    await add(id, products[0]!.id);
    const res = await add(id, randomUUID());
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('product_not_found');
    expect((await stack.http(`/api/carts/${id}`)).body.itemCount).toBe(1);
  });

  it('rejects bad quantities before they reach the cart', async () => {
    const id = await newCartId();
    await add(id, products[0]!.id, 98);
    for (const quantity of [0, 100, -1, 1.5]) {
      const res = await add(id, products[1]!.id, quantity);
      expect(res.status, String(quantity)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    const over = await add(id, products[0]!.id, 2);
    expect(over.status).toBe(422);
    expect(over.body.error.code).toBe('line_quantity_limit');
    const history = await stack.client.workflow.getHandle(`cart-${id}`).fetchHistory();
    // Only the first add was accepted into history: rejected updates leave no trace there.
    const accepted = history.events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    expect(accepted).toHaveLength(1);
  });

  it('sets quantities, adjusts by deltas, removes lines and clears the cart', async () => {
    const id = await newCartId();
    const [a, b, c] = products;
    await add(id, a!.id, 2);
    await add(id, b!.id, 2);
    const line = (cartId: string, productId: string) => `/api/carts/${cartId}/items/${productId}`;

    let res = await stack.http(line(id, a!.id), { method: 'PATCH', json: { quantity: 7 } });
    expect(res.body.lines.find((l: any) => l.productId === a!.id).quantity).toBe(7);
    res = await stack.http(line(id, a!.id), { method: 'PATCH', json: { delta: -3 } });
    expect(res.body.lines.find((l: any) => l.productId === a!.id).quantity).toBe(4);
    res = await stack.http(line(id, c!.id), { method: 'PATCH', json: { delta: 2 } });
    expect(res.body.lines.find((l: any) => l.productId === c!.id).quantity).toBe(2);
    res = await stack.http(line(id, b!.id), { method: 'PATCH', json: { delta: -5 } });
    expect(res.body.lines.map((l: any) => l.productId)).toEqual([a!.id, c!.id]);
    res = await stack.http(line(id, c!.id), { method: 'PATCH', json: { quantity: 0 } });
    expect(res.body.lines.map((l: any) => l.productId)).toEqual([a!.id]);

    for (const json of [{}, { quantity: 1, delta: 1 }, { delta: 0 }, { quantity: 100 }, { size: 2 }]) {
      const bad = await stack.http(line(id, a!.id), { method: 'PATCH', json });
      expect(bad.status, JSON.stringify(json)).toBe(400);
      expect(bad.body.error.code).toBe('validation_failed');
    }
    const absent = await stack.http(line(id, b!.id), { method: 'PATCH', json: { delta: -1 } });
    expect(absent.status).toBe(404);
    expect(absent.body.error.code).toBe('line_not_found');

    res = await stack.http(line(id, b!.id), { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(res.body.itemCount).toBe(4);
    res = await stack.http(line(id, a!.id), { method: 'DELETE' });
    expect(res.body.lines).toEqual([]);
    await add(id, a!.id, 3);
    await add(id, b!.id, 3);
    res = await stack.http(`/api/carts/${id}/items`, { method: 'DELETE' });
    expect(res.body).toMatchObject({ lines: [], itemCount: 0, totalCents: 0, status: 'active' });
  });

  it('holds at most 100 different products', async () => {
    const id = await newCartId();
    const many = await stack.db.prisma.product.findMany({ take: 101, orderBy: { id: 'asc' }, select: { id: true } });
    for (const p of many.slice(0, 100)) expect((await add(id, p.id)).status).toBe(200);
    const full = await add(id, many[100]!.id);
    expect(full.status).toBe(422);
    expect(full.body.error.code).toBe('cart_full');
    expect((await stack.http(`/api/carts/${id}`)).body.lines).toHaveLength(100);
  });
});

describe('the catalog decides names and prices', () => {
  it('ignores any price, name or vendor the client sends (es-cqrs-shopping-cart body)', async () => {
    const id = await newCartId();
    const product = products[5]!;
    const res = await stack.http(`/cart/${id}`, {
      method: 'POST',
      json: { productId: product.id, vendorId: randomUUID(), name: 'awesome-desktop-pc', price: '1', quantity: 1 },
    });
    expect(res.status).toBe(200);
    expect(res.body.lines[0]).toMatchObject({
      name: product.name,
      unitPriceCents: product.priceCents,
      vendorId: product.vendorId,
    });
    expect(res.body.totalCents).toBe(product.priceCents);
  });
  // Price changes and stock flags over time: test/api/cart-pricing.test.ts (with a short CART_REPRICE_AFTER).
});

describe('es-cqrs-shopping-cart routes', () => {
  it('POST /cart, POST /cart/:id, GET /cart/:id and DELETE /cart/:id/productId/:productId work for the owner', async () => {
    const started = await stack.http('/cart', { method: 'POST' });
    expect(started.status).toBe(201);
    expect(started.headers.get('location')).toBe(`/cart/${started.body.id}`);
    const id = started.body.id as string;
    const [a, b] = products;
    expect((await stack.http(`/cart/${id}`, { method: 'POST', json: { productId: a!.id } })).body.itemCount).toBe(1);
    await stack.http(`/cart/${id}`, { method: 'POST', json: { productId: b!.id, quantity: 3 } });
    const cart = await stack.http(`/cart/${id}`);
    expect(cart.status).toBe(200);
    expect(cart.body).toEqual((await stack.http(`/api/carts/${id}`)).body);
    expect(cart.body.itemCount).toBe(4);
    const removed = await stack.http(`/cart/${id}/productId/${a!.id}`, { method: 'DELETE' });
    expect(removed.body.lines.map((l: any) => l.productId)).toEqual([b!.id]);
  });

  it('treats an empty body sent as application/json as no body', async () => {
    const id = await newCartId();
    await add(id, products[0]!.id);
    const res = await stack.http(`/api/carts/${id}/items/${products[0]!.id}`, {
      method: 'DELETE',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    expect(res.body.lines).toEqual([]);
    const created = await stack.http('/api/carts', { method: 'POST', headers: { 'content-type': 'application/json' } });
    expect(created.status).toBe(201);
    const broken = await stack.http('/api/carts', {
      method: 'POST',
      body: '{"cartId":',
      headers: { 'content-type': 'application/json' },
    });
    expect(broken.status).toBe(400);
    expect(broken.body.error.code).toBe('malformed_json');
  });
});

describe('idempotency and concurrency', () => {
  it('applies a retried change with the same Idempotency-Key once', async () => {
    const id = await newCartId();
    const p = products[2]!;
    const first = await add(id, p.id, 2, 'add-once-1');
    const retry = await add(id, p.id, 2, 'add-once-1');
    expect(retry.status).toBe(200);
    expect(retry.body.lines[0].quantity).toBe(2);
    expect(retry.body).toEqual(first.body);
    const del1 = await stack.http(`/api/carts/${id}/items/${p.id}`, {
      method: 'PATCH',
      json: { delta: -1 },
      headers: { 'idempotency-key': 'minus-one' },
    });
    const del2 = await stack.http(`/api/carts/${id}/items/${p.id}`, {
      method: 'PATCH',
      json: { delta: -1 },
      headers: { 'idempotency-key': 'minus-one' },
    });
    expect(del1.body.lines[0].quantity).toBe(1);
    expect(del2.body.lines[0].quantity).toBe(1);
  });

  it('answers 409 idempotency_key_reused when a key comes back with a different change', async () => {
    const id = await newCartId();
    await add(id, products[3]!.id, 1, 'key-A');
    const res = await add(id, products[3]!.id, 5, 'key-A');
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('idempotency_key_reused');
    expect((await stack.http(`/api/carts/${id}`)).body.itemCount).toBe(1);
  });

  it('applies concurrent retries of one request once', async () => {
    const id = await newCartId();
    await add(id, products[4]!.id, 1);
    const results = await Promise.all(Array.from({ length: 8 }, () => add(id, products[6]!.id, 3, 'burst-key')));
    for (const r of results) expect(r.status).toBe(200);
    const cart = (await stack.http(`/api/carts/${id}`)).body;
    expect(cart.lines.find((l: any) => l.productId === products[6]!.id).quantity).toBe(3);
  });

  it('keeps every one of many concurrent changes to one cart (no lost update, none applied twice)', async () => {
    const id = await newCartId();
    await add(id, products[0]!.id, 1);
    const targets = products.slice(10, 30);
    // As a careful client does: a 503 ("may still be applied") is sent again with the same key.
    const addCarefully = async (productId: string, quantity: number) => {
      const key = randomUUID();
      let res = await add(id, productId, quantity, key);
      for (let tries = 1; res.status === 503 && tries < 5; tries++) {
        await sleep(300);
        res = await add(id, productId, quantity, key);
      }
      return res;
    };
    const results = await Promise.all([
      ...targets.map((p) => addCarefully(p.id, 1)),
      ...targets.map((p) => addCarefully(p.id, 2)),
      ...Array.from({ length: 10 }, () => addCarefully(products[0]!.id, 1)),
    ]);
    for (const r of results) expect(r.status, JSON.stringify(r.body)).toBe(200);
    const cart = (await stack.http(`/api/carts/${id}`)).body;
    expect(cart.lines).toHaveLength(21);
    expect(cart.lines.find((l: any) => l.productId === products[0]!.id).quantity).toBe(11);
    for (const p of targets) expect(cart.lines.find((l: any) => l.productId === p.id).quantity).toBe(3);
    expect(cart.itemCount).toBe(11 + 20 * 3);
  });
});

describe('the OpenAPI document', () => {
  it('describes one cart shape for every cart route', async () => {
    const doc = (await stack.http('/docs/json')).body;
    const shapes = [
      doc.paths['/api/carts'].post.responses['201'],
      doc.paths['/api/carts/{id}'].get.responses['200'],
      doc.paths['/api/carts/{id}/items'].post.responses['200'],
      doc.paths['/cart/{cartId}'].post.responses['200'],
      doc.paths['/cart/{cartId}'].get.responses['200'],
      doc.paths['/cart/{cartId}/productId/{productId}'].delete.responses['200'],
    ].map((r) => JSON.stringify(r.content['application/json'].schema));
    expect(new Set(shapes).size).toBe(1);
    expect(shapes[0]).toContain('"title":"Cart"');
  });
});
