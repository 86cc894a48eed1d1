/**
 * An order nobody pays for gives its stock back after UNPAID_HOLD_TIMEOUT, on the real database:
 * the stock is available to others at once, and when the customer does pay, the order holds it
 * again and goes on to delivery (the steps tier checks the workflow's moves with stubs).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/app.js';
import { address, expectInvariants, fastOrders, productsInStock, waitForOrder } from '../helpers/orders.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ ...fastOrders, PAYMENT_TIMEOUT: '30s', UNPAID_HOLD_TIMEOUT: '1s' });
});
afterAll(async () => {
  await stack?.close();
});

const reservedOf = async (productIds: string[]) =>
  (
    await stack.db.prisma.inventory.findMany({
      where: { productId: { in: productIds } },
      orderBy: { productId: 'asc' },
    })
  ).map((i) => i.reserved);

describe('an unpaid hold that lapsed', () => {
  it('gives the stock back, then holds it again once paid, and the order is delivered', async () => {
    const [a, b] = await productsInStock(stack, 2);
    const ids = [a!.id, b!.id].sort();
    const before = await reservedOf(ids);
    const placed = await stack.http('/api/orders', {
      method: 'POST',
      json: {
        lines: [
          { productId: a!.id, quantity: 1 },
          { productId: b!.id, quantity: 2 },
        ],
        email: 'later@example.com',
        shippingAddress: address,
      },
    });
    expect(placed.status).toBe(202);
    const orderId = placed.body.orderId as string;
    const lapsed = await waitForOrder(
      stack,
      orderId,
      (o) => o.timeline.filter((t: { type: string }) => t.type === 'line_pending').length === 2,
    );
    expect(lapsed.status).toBe('awaiting_payment');
    expect(await reservedOf(ids)).toEqual(before);

    const paid = await stack.http(`/api/orders/${orderId}/payment`, {
      method: 'POST',
      json: { paymentMethod: 'pm_card_visa' },
    });
    expect(paid.status, JSON.stringify(paid.body)).toBeLessThan(300);
    const delivered = await waitForOrder(stack, orderId, (o) => ['delivered', 'cancelled'].includes(o.status), 30_000);
    expect(delivered).toMatchObject({ status: 'delivered', cancelReason: null });
    expect(delivered.lines.map((l: { status: string }) => l.status)).toEqual(['shipped', 'shipped']);
    expect(await reservedOf(ids)).toEqual(before);
    await expectInvariants(stack);
  }, 60_000);
});
