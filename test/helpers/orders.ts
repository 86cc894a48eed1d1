import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import { OrderAccess } from '../../src/api/identity/order-access.js';
import { checkInvariants } from '../../src/db/invariants.js';
import type { Shopper, TestStack } from './app.js';

export const address = {
  name: 'Ada Lovelace',
  line1: '12 St James Square',
  city: 'London',
  postalCode: 'SW1Y 4JH',
  country: 'GB',
};

/** Durations short enough for tests: every stage of an order runs in a second or so. */
export const fastOrders: Record<string, string> = {
  PAYMENT_TIMEOUT: '4s',
  PAYMENT_ACTION_TIMEOUT: '3s',
  BACKORDER_RETRY_INTERVAL: '1s',
  MAX_BACKORDER_WAIT: '6s',
  PICKING_DURATION: '300ms',
  SHIPPING_DURATION: '300ms',
  RETURN_WINDOW: '3s',
  RESTOCK_STEP_DURATION: '300ms',
};

/**
 * Polls an order until `done` holds and the step that got it there has finished its side effects:
 * its summary in Postgres has caught up with the workflow's version (the summary is written last).
 */
/** The order's access token, as its customer's tracking link carries it (for orders started without the API). */
export const orderToken = (stack: TestStack, orderId: string): Record<string, string> => ({
  'x-order-token': new OrderAccess(stack.db.prisma, stack.config.security.orderTokenSecret).tokenFor(orderId),
});

export async function waitForOrder(
  stack: TestStack,
  orderId: string,
  done: (order: any) => boolean,
  timeoutMs = 20_000,
): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  let last: any;
  while (Date.now() < deadline) {
    const res = await stack.http(`/api/orders/${orderId}`, { headers: orderToken(stack, orderId) });
    last = res.body;
    if (res.status === 200 && done(last)) {
      const summary = await stack.db.prisma.order.findUnique({ where: { id: orderId }, select: { version: true } });
      if (summary && summary.version >= last.version) return last;
    }
    await sleep(100);
  }
  throw new Error(`order ${orderId} did not get there in ${timeoutMs} ms; last seen: ${JSON.stringify(last, null, 2)}`);
}

/**
 * Places an order through `POST /api/orders` for one unit of a product in stock (or the lines
 * given), expects the 202, and returns the order id with the product it bought.
 */
export async function placeOrder(
  stack: TestStack,
  options: { email?: string; paymentMethod?: string; lines?: { productId: string; quantity: number }[] } = {},
): Promise<{ orderId: string; productId: string }> {
  const lines = options.lines ?? [{ productId: (await productsInStock(stack, 1))[0]!.id, quantity: 1 }];
  const res = await stack.http('/api/orders', {
    method: 'POST',
    json: {
      lines,
      email: options.email ?? 'grace@example.com',
      shippingAddress: address,
      ...(options.paymentMethod ? { paymentMethod: options.paymentMethod } : {}),
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return { orderId: res.body.orderId as string, productId: lines[0]!.productId };
}

/** Products with at least `minStock` available and nothing reserved, cheapest first. */
export async function productsInStock(stack: TestStack, n: number, minStock = 50) {
  return stack.db.prisma.product.findMany({
    where: { inventory: { onHand: { gte: minStock }, reserved: 0 } },
    orderBy: { priceCents: 'asc' },
    take: n,
    select: { id: true, sku: true, priceCents: true, vendorId: true },
  });
}

/** A product of the test's own, with exactly the stock and restock settings given. */
export async function productWithStock(
  stack: TestStack,
  sku: string,
  inventory: { onHand: number; restockThreshold?: number; restockQuantity?: number },
) {
  const vendor = await stack.db.prisma.vendor.findFirstOrThrow();
  const res = await stack.http('/api/admin/products', {
    method: 'POST',
    admin: true,
    json: {
      sku,
      name: `Test product ${sku}`,
      priceCents: 2500,
      category: 'home',
      vendorId: vendor.id,
      inventory: { restockThreshold: 0, restockQuantity: 0, ...inventory },
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; sku: string; priceCents: number };
}

/** Every stock and money invariant holds. */
export async function expectInvariants(stack: TestStack): Promise<void> {
  const results = await checkInvariants(stack.db.prisma);
  expect(results.filter((r) => !r.ok)).toEqual([]);
}

/** A new, empty cart of the stack's shopper (or `as`): the server makes its id. */
export async function newCart(stack: TestStack, options: { email?: string; as?: Shopper } = {}): Promise<string> {
  const { email, as } = options;
  const res = await stack.http('/api/carts', { method: 'POST', as, json: email ? { email } : undefined });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}
