import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/app.js';

let stack: TestStack;
let vendorId: string;
beforeAll(async () => {
  stack = await startTestStack();
  vendorId = (await stack.db.prisma.vendor.findFirstOrThrow()).id;
});
afterAll(async () => {
  await stack?.close();
});

const newProduct = (sku: string) => ({
  sku,
  name: `Test Lamp ${sku}`,
  description: 'A lamp made for tests.',
  priceCents: 4599,
  category: 'home',
  vendorId,
  collections: ['new-arrivals'],
  inventory: { onHand: 12, restockThreshold: 3, restockQuantity: 20 },
});

describe('admin authentication', () => {
  it('answers 401 without a token and 403 with a wrong one, on every admin route', async () => {
    const routes: [string, string][] = [
      ['POST', '/api/admin/products'],
      ['PATCH', '/api/admin/products/00000000-0000-4000-8000-000000000000'],
      ['PUT', '/api/admin/products/00000000-0000-4000-8000-000000000000/inventory'],
      ['POST', '/api/admin/imports'],
      ['GET', '/api/admin/imports/00000000-0000-4000-8000-000000000000'],
    ];
    for (const [method, path] of routes) {
      const json = method === 'GET' ? undefined : {};
      const none = await stack.http(path, { method, json });
      expect(none.status, `${method} ${path}`).toBe(401);
      expect(none.body.error.code).toBe('unauthorized');
      const wrong = await stack.http(path, { method, json, headers: { authorization: 'Bearer not-the-token' } });
      expect(wrong.status, `${method} ${path}`).toBe(403);
      expect(wrong.body.error.code).toBe('forbidden');
    }
  });
});

describe('POST /api/admin/products', () => {
  it('creates a product that the catalog then lists with its stock', async () => {
    const res = await stack.http('/api/admin/products', {
      method: 'POST',
      admin: true,
      json: newProduct('TEST-LAMP-1'),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/api/products/${res.body.id}`);
    expect(res.body).toMatchObject({
      sku: 'TEST-LAMP-1',
      priceCents: 4599,
      currency: 'USD',
      available: 12,
      collections: ['new-arrivals'],
    });

    const listed = await stack.http('/api/products?sku=TEST-LAMP-1');
    expect(listed.body.items).toEqual([res.body]);
  });

  it('refuses a duplicate SKU (409), an unknown vendor or collection (422) and another currency (422)', async () => {
    await stack.http('/api/admin/products', { method: 'POST', admin: true, json: newProduct('TEST-DUP') });
    const cases: [object, number, string][] = [
      [newProduct('TEST-DUP'), 409, 'sku_already_exists'],
      [{ ...newProduct('TEST-V'), vendorId: '00000000-0000-4000-8000-000000000000' }, 422, 'vendor_not_found'],
      [{ ...newProduct('TEST-C'), collections: ['no-such-collection'] }, 422, 'collection_not_found'],
      [{ ...newProduct('TEST-E'), currency: 'EUR' }, 422, 'currency_not_supported'],
    ];
    for (const [body, status, code] of cases) {
      const res = await stack.http('/api/admin/products', { method: 'POST', admin: true, json: body });
      expect(res.status, code).toBe(status);
      expect(res.body.error.code).toBe(code);
    }
    expect(await stack.db.prisma.product.count({ where: { sku: { in: ['TEST-V', 'TEST-C', 'TEST-E'] } } })).toBe(0);
  });

  it('rejects malformed bodies with 400 naming the field', async () => {
    const cases: [object, string][] = [
      [{ ...newProduct('TEST-B1'), priceCents: -1 }, 'priceCents'],
      [{ ...newProduct('TEST-B2'), priceCents: 12.5 }, 'priceCents'],
      [{ ...newProduct('TEST-B3'), id: 'mine' }, 'id'],
      [{ ...newProduct('TEST-B4'), vendorId: 'nope' }, 'vendorId'],
      [{ ...newProduct('TEST B5') }, 'sku'],
      [{ name: 'no sku' }, 'sku'],
    ];
    for (const [body, field] of cases) {
      const res = await stack.http('/api/admin/products', { method: 'POST', admin: true, json: body });
      expect(res.status, field).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.details[0].field, JSON.stringify(res.body)).toBe(field);
    }
    const notJson = await stack.http('/api/admin/products', {
      method: 'POST',
      admin: true,
      body: '{oops',
      headers: { 'content-type': 'application/json' },
    });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.code).toBe('malformed_json');
  });
});

describe('PATCH /api/admin/products/:id', () => {
  it('changes the given fields and leaves the others', async () => {
    const created = (
      await stack.http('/api/admin/products', { method: 'POST', admin: true, json: newProduct('TEST-PATCH') })
    ).body;
    const res = await stack.http(`/api/admin/products/${created.id}`, {
      method: 'PATCH',
      admin: true,
      json: { priceCents: 3999, collections: ['clearance', 'gift-ideas'] },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ priceCents: 3999, name: created.name, collections: ['clearance', 'gift-ideas'] });
    expect((await stack.http(`/api/products/${created.id}`)).body.priceCents).toBe(3999);
  });

  it('answers 400 for an empty or unknown-field patch and 404 for an unknown product', async () => {
    const created = (
      await stack.http('/api/admin/products', { method: 'POST', admin: true, json: newProduct('TEST-PATCH2') })
    ).body;
    expect(
      (await stack.http(`/api/admin/products/${created.id}`, { method: 'PATCH', admin: true, json: {} })).status,
    ).toBe(400);
    const sku = await stack.http(`/api/admin/products/${created.id}`, {
      method: 'PATCH',
      admin: true,
      json: { sku: 'NEW' },
    });
    expect(sku.status).toBe(400);
    expect(sku.body.error.details[0].field).toBe('sku');
    const missing = await stack.http('/api/admin/products/00000000-0000-4000-8000-000000000000', {
      method: 'PATCH',
      admin: true,
      json: { priceCents: 1 },
    });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('product_not_found');
  });
});

describe('PUT /api/admin/products/:id/inventory', () => {
  it('sets stock and restock settings; the catalog shows the new availability', async () => {
    const created = (
      await stack.http('/api/admin/products', { method: 'POST', admin: true, json: newProduct('TEST-INV') })
    ).body;
    const res = await stack.http(`/api/admin/products/${created.id}/inventory`, {
      method: 'PUT',
      admin: true,
      json: { onHand: 40, restockThreshold: 5, restockQuantity: 60 },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ onHand: 40, reserved: 0, available: 40, restockThreshold: 5, restockQuantity: 60 });
    expect((await stack.http(`/api/products/${created.id}`)).body.available).toBe(40);
  });

  it('never lets on hand drop below what orders hold (409), and changes nothing then', async () => {
    const created = (
      await stack.http('/api/admin/products', { method: 'POST', admin: true, json: newProduct('TEST-HELD') })
    ).body;
    // Orders hold 8 of the 12 units.
    await stack.db.prisma.inventory.update({ where: { productId: created.id }, data: { reserved: 8 } });
    const res = await stack.http(`/api/admin/products/${created.id}/inventory`, {
      method: 'PUT',
      admin: true,
      json: { onHand: 5, restockThreshold: 1, restockQuantity: 1 },
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('stock_below_reserved');
    const row = await stack.db.prisma.inventory.findUniqueOrThrow({ where: { productId: created.id } });
    expect(row).toMatchObject({ onHand: 12, reserved: 8, restockThreshold: 3, restockQuantity: 20 });

    const ok = await stack.http(`/api/admin/products/${created.id}/inventory`, {
      method: 'PUT',
      admin: true,
      json: { onHand: 8, restockThreshold: 1, restockQuantity: 1 },
    });
    expect(ok.body).toMatchObject({ onHand: 8, reserved: 8, available: 0 });
  });

  it('rejects negative or missing counts with 400', async () => {
    const created = (
      await stack.http('/api/admin/products', { method: 'POST', admin: true, json: newProduct('TEST-NEG') })
    ).body;
    for (const body of [{ onHand: -1, restockThreshold: 0, restockQuantity: 0 }, { onHand: 3 }]) {
      const res = await stack.http(`/api/admin/products/${created.id}/inventory`, {
        method: 'PUT',
        admin: true,
        json: body,
      });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
  });
});
