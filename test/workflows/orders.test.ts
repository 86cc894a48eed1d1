import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailSearchHash } from '../../src/codec/data-converter.js';
import { startTestStack, type TestStack } from '../helpers/app.js';
import { address, expectInvariants, fastOrders, productsInStock, waitForOrder } from '../helpers/orders.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack(fastOrders);
});
afterAll(async () => {
  await stack?.close();
});

const place = (json: unknown, key?: string) =>
  stack.http('/api/orders', { method: 'POST', json, headers: key ? { 'idempotency-key': key } : {} });

describe('an order, from placement to delivery', () => {
  it('holds stock, authorizes, picks, captures what ships, delivers, and tells the customer each step', async () => {
    const [a, b] = await productsInStock(stack, 2);
    const before = await stack.db.prisma.inventory.findMany({ where: { productId: { in: [a!.id, b!.id] } } });
    const res = await place({
      lines: [
        { productId: a!.id, quantity: 2 },
        { productId: b!.id, quantity: 1 },
      ],
      email: 'ada@example.com',
      shippingAddress: address,
      paymentMethod: 'pm_card_visa',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body).toEqual({
      orderId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      status: 'placed',
      statusUrl: `/api/orders/${res.body.orderId}`,
      accessToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      trackingUrl: `${stack.config.publicUrl}/?order=${res.body.orderId}#token=${res.body.accessToken}`,
    });

    const total = 2 * a!.priceCents + b!.priceCents;
    const order = await waitForOrder(stack, res.body.orderId, (o) => o.status === 'delivered');
    expect(order).toMatchObject({
      totalCents: total,
      cancelReason: null,
      payment: { step: 'captured', authorizedCents: total, capturedCents: total, refundedCents: 0 },
    });
    expect(order.lines.map((l: any) => l.status)).toEqual(['shipped', 'shipped']);
    const statuses = order.timeline
      .map((t: any) => t.type)
      .filter((t: string) =>
        ['placed', 'awaiting_payment', 'authorized', 'reserved', 'picking', 'shipped', 'delivered'].includes(t),
      );
    expect(statuses).toEqual([
      'placed',
      'awaiting_payment',
      'authorized',
      'reserved',
      'picking',
      'shipped',
      'delivered',
    ]);

    const after = await stack.db.prisma.inventory.findMany({ where: { productId: { in: [a!.id, b!.id] } } });
    const onHand = (rows: typeof after, id: string) => rows.find((r) => r.productId === id)!.onHand;
    expect(onHand(before, a!.id) - onHand(after, a!.id)).toBe(2);
    expect(onHand(before, b!.id) - onHand(after, b!.id)).toBe(1);
    expect(after.every((r) => r.reserved === 0)).toBe(true);

    const journal = await stack.db.prisma.journalEvent.findMany({
      where: { aggregateId: order.id },
      orderBy: { seq: 'asc' },
    });
    const purchases = journal.filter((e) => e.type === 'ItemPurchased');
    expect(purchases.map((e) => [(e.payload as any).productId, (e.payload as any).amountCents])).toEqual([
      [a!.id, 2 * a!.priceCents],
      [b!.id, b!.priceCents],
    ]);
    // Its milestones, each once, journaled with the summaries that showed them.
    expect(journal.map((e) => e.type).sort()).toEqual(
      ['ItemPurchased', 'ItemPurchased', 'OrderDelivered', 'OrderPaid', 'OrderPlaced', 'OrderShipped'].sort(),
    );
    const kinds = (
      await stack.db.prisma.notification.findMany({ where: { subjectId: order.id }, orderBy: { createdAt: 'asc' } })
    ).map((n) => n.kind);
    expect(kinds).toEqual(['order_confirmed', 'order_picking', 'order_shipped', 'order_delivered']);

    const summary = await stack.db.prisma.order.findUniqueOrThrow({
      where: { id: order.id },
      include: { lines: true },
    });
    expect(summary).toMatchObject({ status: 'delivered', capturedCents: total, email: 'ada@example.com' });
    const description = await stack.client.workflow.getHandle(`order-${order.id}`).describe();
    expect(description.searchAttributes).toMatchObject({
      OrderStatus: ['delivered'],
      CustomerEmailHash: [emailSearchHash(stack.config.security.emailHashSecret, 'ada@example.com')],
      OrderTotal: [total / 100],
    });
    await expectInvariants(stack);
  });
});

describe('the worker', () => {
  it('gives a workflow activation 15 s before cutting it off, not the SDK’s 5 s (see create-worker.ts)', () => {
    // The SDK honours isolateExecutionTimeout without declaring it: an upgrade that stops would show here.
    expect(stack.worker!.options.isolateExecutionTimeoutMs).toBe(15_000);
  });
});
