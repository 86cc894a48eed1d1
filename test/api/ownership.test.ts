import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type Shopper, type TestStack } from '../helpers/app.js';
import { address, newCart, productsInStock, waitForOrder } from '../helpers/orders.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.close();
});

const mine = { ...address, name: 'Mallory Stranger', line1: '1 Elsewhere Road' };

describe('a stranger who knows nothing but ids', () => {
  it("can do none of the 14 things they could do to another shopper's cart and order", async () => {
    const [a, b] = await productsInStock(stack, 2);
    // The victim: a guest with a cart, and an order waiting for 3-D Secure.
    const victim = stack.shopper();
    const cartId = await newCart(stack, { as: victim });
    expect(
      (
        await stack.http(`/api/carts/${cartId}/items`, {
          method: 'POST',
          json: { productId: a!.id, quantity: 2 },
          as: victim,
        })
      ).status,
    ).toBe(200);
    const placed = await stack.http('/api/orders', {
      method: 'POST',
      as: victim,
      json: {
        lines: [{ productId: b!.id, quantity: 1 }],
        email: 'victim@example.com',
        shippingAddress: address,
        paymentMethod: 'pm_card_authenticationRequired',
      },
    });
    expect(placed.status).toBe(202);
    const orderId = placed.body.orderId as string;
    const waiting = await waitForOrder(stack, orderId, (o) => o.payment.step === 'requires_action');
    const paymentId = waiting.payment.paymentId as string;

    const stranger = stack.shopper();
    // A token, but another order's: keys do not open other doors.
    const own = await stack.http('/api/orders', {
      method: 'POST',
      as: stranger,
      json: { lines: [{ productId: b!.id, quantity: 1 }], email: 'mallory@example.com', shippingAddress: mine },
    });
    const wrongToken = { 'x-order-token': own.body.accessToken as string };
    const as = (extra: { json?: unknown; headers?: Record<string, string> } = {}) => ({ as: stranger, ...extra });
    const checkout = { email: 'mallory@example.com', shippingAddress: mine, paymentMethod: 'pm_card_visa' };
    const actions: [string, () => Promise<{ status: number; body: any }>][] = [
      ['read the cart', () => stack.http(`/api/carts/${cartId}`, as())],
      [
        'add to the cart',
        () =>
          stack.http(`/api/carts/${cartId}/items`, {
            method: 'POST',
            ...as({ json: { productId: b!.id, quantity: 1 } }),
          }),
      ],
      [
        'change a line',
        () => stack.http(`/api/carts/${cartId}/items/${a!.id}`, { method: 'PATCH', ...as({ json: { quantity: 9 } }) }),
      ],
      ['remove a line', () => stack.http(`/api/carts/${cartId}/items/${a!.id}`, { method: 'DELETE', ...as() })],
      ['empty the cart', () => stack.http(`/api/carts/${cartId}/items`, { method: 'DELETE', ...as() })],
      [
        'check the cart out to my address',
        () => stack.http(`/api/carts/${cartId}/checkout`, { method: 'POST', ...as({ json: checkout }) }),
      ],
      ['read the cart (seed route)', () => stack.http(`/cart/${cartId}`, as())],
      [
        'add to the cart (seed route)',
        () => stack.http(`/cart/${cartId}`, { method: 'POST', ...as({ json: { productId: b!.id } }) }),
      ],
      [
        'remove a line (seed route)',
        () => stack.http(`/cart/${cartId}/productId/${a!.id}`, { method: 'DELETE', ...as() }),
      ],
      [
        'check out (seed route)',
        () => stack.http(`/cart/${cartId}/checkout`, { method: 'POST', ...as({ json: checkout }) }),
      ],
      ['read the order: e-mail, address, client secret', () => stack.http(`/api/orders/${orderId}`, as())],
      [
        'read the order with another order’s token',
        () => stack.http(`/api/orders/${orderId}`, as({ headers: wrongToken })),
      ],
      [
        'pay with a declined card',
        () =>
          stack.http(`/api/orders/${orderId}/payment`, {
            method: 'POST',
            ...as({ json: { paymentMethod: 'pm_card_chargeDeclined' } }),
          }),
      ],
      [
        'cancel the order',
        () => stack.http(`/api/orders/${orderId}/cancel`, { method: 'POST', ...as({ headers: wrongToken }) }),
      ],
    ];
    expect(actions).toHaveLength(14);
    const missingOrder = await stack.http(`/api/orders/${randomUUID()}`, as());
    for (const [what, act] of actions) {
      const res = await act();
      expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(404);
      // Exactly what a missing cart or order answers: existence is not revealed.
      expect(res.body.error.code, what).toBe(/order|card/.test(what) ? 'order_not_found' : 'cart_not_found');
      expect(JSON.stringify(res.body), what).not.toMatch(/victim|secret|Lovelace/);
    }
    expect(missingOrder.body.error.code).toBe('order_not_found');

    // Nothing changed: the cart as the victim left it, the order still waiting for its customer.
    const cart = await stack.http(`/api/carts/${cartId}`, { as: victim });
    expect(cart.body).toMatchObject({ status: 'active', itemCount: 2 });
    const order = await stack.http(`/api/orders/${orderId}`, { as: victim });
    expect(order.body).toMatchObject({ status: 'awaiting_payment', email: 'victim@example.com' });
    expect(order.body.payment).toMatchObject({ step: 'requires_action', paymentId });
    expect(order.body.payment.nextAction.clientSecret).toContain(paymentId);

    // The tracking page shows where the order is, and nothing about who or what.
    const tracked = await stack.http(`/api/track/${orderId}`, as());
    expect(tracked.status).toBe(200);
    expect(Object.keys(tracked.body).sort()).toEqual(['orderId', 'placedAt', 'status', 'updatedAt']);
    expect(tracked.body.status).toBe('awaiting_payment');
  });

  it('cannot pick a cart id (the nil UUID included) or claim to be a customer', async () => {
    const stranger = stack.shopper();
    const nil = '00000000-0000-0000-0000-000000000000';
    for (const json of [{ cartId: nil }, { customerId: 'ada' }]) {
      const res = await stack.http('/api/carts', { method: 'POST', json, as: stranger });
      expect(res.status).toBe(400);
    }
    const [product] = await productsInStock(stack, 1);
    const squat = await stack.http(`/cart/${nil}`, { method: 'POST', json: { productId: product!.id }, as: stranger });
    expect(squat.status).toBe(404);
    const posed = await stack.http('/api/orders', {
      method: 'POST',
      as: stranger,
      json: {
        lines: [{ productId: product!.id, quantity: 1 }],
        email: 'm@example.com',
        shippingAddress: mine,
        customerId: 'ada',
      },
    });
    expect(posed.status).toBe(400);
    expect(JSON.stringify(posed.body.error)).toContain('customerId');
  });
});

describe("a shopper's own carts", () => {
  it('are all theirs when one session makes several at once (two tabs)', async () => {
    const shopper = stack.shopper();
    const first = await newCart(stack, { as: shopper }); // the session exists from here on
    const more = await Promise.all(
      Array.from({ length: 6 }, () => stack.http('/api/carts', { method: 'POST', json: {}, as: shopper })),
    );
    expect(more.map((r) => r.status)).toEqual(Array(6).fill(201));
    for (const id of [first, ...more.map((r) => r.body.id as string)]) {
      const res = await stack.http(`/api/carts/${id}`, { as: shopper });
      expect(res.status, `cart ${id}: ${JSON.stringify(res.body)}`).toBe(200);
    }
  });
});

describe('guest orders and their access token', () => {
  it('is handed out at placement and in the tracking link, the same on a retried placement', async () => {
    const guest: Shopper = stack.shopper();
    const [product] = await productsInStock(stack, 1);
    const body = {
      lines: [{ productId: product!.id, quantity: 1 }],
      email: 'guest@example.com',
      shippingAddress: address,
    };
    const key = randomUUID();
    const first = await stack.http('/api/orders', {
      method: 'POST',
      json: body,
      headers: { 'idempotency-key': key },
      as: guest,
    });
    expect(first.status).toBe(202);
    const { orderId, accessToken, trackingUrl } = first.body;
    expect(accessToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(trackingUrl).toBe(`${stack.config.publicUrl}/?order=${orderId}#token=${accessToken}`);
    const retried = await stack.http('/api/orders', {
      method: 'POST',
      json: body,
      headers: { 'idempotency-key': key },
      as: guest,
    });
    expect(retried.body).toMatchObject({ orderId, accessToken });

    // The token alone (another device, no session) opens the order; a token one character off does not.
    const elsewhere = stack.shopper();
    const read = await stack.http(`/api/orders/${orderId}`, {
      headers: { 'x-order-token': accessToken },
      as: elsewhere,
    });
    expect(read.status).toBe(200);
    expect(read.body.email).toBe('guest@example.com');
    const off = `${accessToken.slice(0, -1)}${accessToken.endsWith('A') ? 'B' : 'A'}`;
    for (const token of [off, '', 'x'.repeat(43), accessToken.slice(1), `${accessToken}=`]) {
      const res = await stack.http(`/api/orders/${orderId}`, { headers: { 'x-order-token': token }, as: elsewhere });
      expect(res.status, token).toBe(404);
    }
  });
});
