import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/app.js';
import { address, expectInvariants, fastOrders, productsInStock, waitForOrder } from '../helpers/orders.js';
import { startWorkerProcess } from '../helpers/worker-process.js';

let stack: TestStack;
const durations = { ...fastOrders, PICKING_DURATION: '3s' };
beforeAll(async () => {
  stack = await startTestStack(durations, { worker: false });
});
afterAll(async () => {
  await stack?.close();
});

describe('a worker killed mid-order', () => {
  it('is replaced and the order completes: nothing held twice, captured once', async () => {
    const [a, b] = await productsInStock(stack, 2);
    const before = await stack.db.prisma.inventory.findMany({
      where: { productId: { in: [a!.id, b!.id] } },
      orderBy: { productId: 'asc' },
    });
    const first = await startWorkerProcess(stack, durations);
    const res = await stack.http('/api/orders', {
      method: 'POST',
      json: {
        lines: [
          { productId: a!.id, quantity: 3 },
          { productId: b!.id, quantity: 1 },
        ],
        email: 'kill@example.com',
        shippingAddress: address,
        paymentMethod: 'pm_card_visa',
      },
    });
    const orderId = res.body.orderId as string;
    await waitForOrder(stack, orderId, (o) => o.status === 'picking');
    await first.crash(); // mid-picking: stock held, payment authorized, nothing captured yet

    await sleep(500);
    const second = await startWorkerProcess(stack, durations);
    try {
      const order = await waitForOrder(stack, orderId, (o) => o.status === 'delivered', 40_000);
      const total = 3 * a!.priceCents + b!.priceCents;
      expect(order.payment).toMatchObject({ capturedCents: total, authorizedCents: total });

      const intents = await stack.db.prisma.simulatedPaymentIntent.findMany({
        where: { metadata: { path: ['orderId'], equals: orderId } },
      });
      expect(intents).toHaveLength(1);
      expect(intents[0]).toMatchObject({ status: 'succeeded', amountReceived: total });
      const reservations = await stack.db.prisma.reservation.findMany({ where: { orderId } });
      expect(reservations.map((r) => [r.status, r.quantity]).sort()).toEqual([
        ['shipped', 1],
        ['shipped', 3],
      ]);
      const after = await stack.db.prisma.inventory.findMany({
        where: { productId: { in: [a!.id, b!.id] } },
        orderBy: { productId: 'asc' },
      });
      expect(before.map((r, i) => r.onHand - after[i]!.onHand).sort()).toEqual([1, 3]);
      expect(await stack.db.prisma.journalEvent.count({ where: { aggregateId: orderId, type: 'ItemPurchased' } })).toBe(
        2,
      );
      expect(await stack.db.prisma.notification.count({ where: { subjectId: orderId, kind: 'order_shipped' } })).toBe(
        1,
      );
      await expectInvariants(stack);
    } finally {
      await second.stop();
    }
  });
});
