import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/app.js';
import { address, newCart, productsInStock, waitForOrder } from '../helpers/orders.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({
    MAX_LINES_PER_ORDER: '2',
    MAX_UNITS_PER_LINE: '5',
    MAX_UNITS_PER_PRODUCT_PER_DAY: '6',
  });
});
afterAll(async () => {
  await stack?.close();
});

describe('caps on what one buyer may hold', () => {
  it('refuses an order over the lines or units caps (422 order_limit_exceeded), taking nothing', async () => {
    const [a, b, c] = await productsInStock(stack, 3);
    const place = (lines: { productId: string; quantity: number }[], email = 'hoarder@example.com') =>
      stack.http('/api/orders', {
        method: 'POST',
        json: { lines, email, shippingAddress: address },
        as: stack.shopper(),
      });
    const tooManyLines = await place([a!, b!, c!].map((p) => ({ productId: p.id, quantity: 1 })));
    const tooManyUnits = await place([{ productId: a!.id, quantity: 6 }]);
    for (const [res, cap] of [
      [tooManyLines, 'lines_per_order'],
      [tooManyUnits, 'units_per_line'],
    ] as const) {
      expect(res.status).toBe(422);
      expect(res.body.error).toMatchObject({ code: 'order_limit_exceeded', details: { cap } });
    }
    expect(await stack.db.prisma.order.count({ where: { email: 'hoarder@example.com' } })).toBe(0);
  });

  it('counts a buyer’s units of one product over 24 hours, by checkout too; cancelled orders do not count', async () => {
    const [product] = await productsInStock(stack, 1);
    const buyer = stack.shopper();
    const cartWith = async (quantity: number) => {
      const cartId = await newCart(stack, { as: buyer });
      await stack.http(`/api/carts/${cartId}/items`, {
        method: 'POST',
        json: { productId: product!.id, quantity },
        as: buyer,
      });
      return cartId;
    };
    const checkout = (cartId: string) =>
      stack.http(`/api/carts/${cartId}/checkout`, {
        method: 'POST',
        json: { email: 'Daily@Example.com', shippingAddress: address },
        as: buyer,
      });
    const first = await checkout(await cartWith(4));
    expect(first.status).toBe(202);
    const over = await checkout(await cartWith(3));
    expect(over.status).toBe(422);
    expect(over.body.error.details).toMatchObject({ cap: 'units_per_product_per_day', max: 6, already: 4 });
    // The same buyer by e-mail, placing directly, is counted too.
    const direct = await stack.http('/api/orders', {
      method: 'POST',
      json: { lines: [{ productId: product!.id, quantity: 3 }], email: 'daily@example.com', shippingAddress: address },
      as: stack.shopper(),
    });
    expect(direct.status).toBe(422);
    await stack.http(`/api/orders/${first.body.orderId}/cancel`, { method: 'POST', as: buyer });
    await waitForOrder(stack, first.body.orderId, (o) => o.status === 'cancelled');
    expect((await checkout(await cartWith(3))).status).toBe(202);
  });

  it('counts only that buyer: an _ or % in an e-mail is not a wildcard over other buyers’ orders', async () => {
    const [product] = await productsInStock(stack, 1);
    const place = (email: string, quantity: number) =>
      stack.http('/api/orders', {
        method: 'POST',
        json: { lines: [{ productId: product!.id, quantity }], email, shippingAddress: address },
        as: stack.shopper(),
      });
    expect((await place('axb@example.com', 5)).status).toBe(202);
    // a_b and a%b would have matched axb's 5 units as ILIKE patterns: 5 + 2 > 6.
    expect((await place('a_b@example.com', 2)).status).toBe(202);
    expect((await place('a%b@example.com', 2)).status).toBe(202);
    // The buyer's own orders still count, ignoring case.
    const own = await place('A_B@example.com', 5);
    expect(own.status).toBe(422);
    expect(own.body.error.details).toMatchObject({ cap: 'units_per_product_per_day', already: 2 });
  });

  it('a cart past a cap is refused at checkout by the cart itself (422), starting nothing, the cart still open', async () => {
    const [a, b, c] = await productsInStock(stack, 3);
    const cartId = await newCart(stack);
    for (const p of [a!, b!, c!])
      expect(
        (await stack.http(`/api/carts/${cartId}/items`, { method: 'POST', json: { productId: p.id, quantity: 1 } }))
          .status,
      ).toBe(200);
    const res = await stack.http(`/api/carts/${cartId}/checkout`, {
      method: 'POST',
      json: { email: 'three-lines@example.com', shippingAddress: address },
    });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'order_limit_exceeded', details: { cap: 'lines_per_order', max: 2 } });
    expect((await stack.http(`/api/carts/${cartId}`)).body).toMatchObject({ status: 'active', orderId: null });
    expect(await stack.db.prisma.order.count({ where: { email: 'three-lines@example.com' } })).toBe(0);
  });

  it('an id the schema takes as a UUID but PostgreSQL does not (urn:uuid:…) names no product: 404, not 500', async () => {
    const [a] = await productsInStock(stack, 1);
    const res = await stack.http('/api/orders', {
      method: 'POST',
      json: {
        lines: [{ productId: `urn:uuid:${a!.id}`, quantity: 1 }],
        email: 'urn@example.com',
        shippingAddress: address,
      },
      as: stack.shopper(),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(404);
    expect(res.body.error.code).toBe('product_not_found');
  });
});
