import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/app.js';
import {
  address,
  expectInvariants,
  fastOrders,
  productWithStock,
  productsInStock,
  waitForOrder,
} from '../helpers/orders.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack(fastOrders);
});
afterAll(async () => {
  await stack?.close();
});

async function place(lines: { productId: string; quantity: number }[], paymentMethod: string | null = 'pm_card_visa') {
  const res = await stack.http('/api/orders', {
    method: 'POST',
    json: { lines, email: 'linus@example.com', shippingAddress: address, ...(paymentMethod ? { paymentMethod } : {}) },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.orderId as string;
}

async function restockRuns(sku: string) {
  const runs = [];
  for await (const run of stack.client.workflow.list({ query: `WorkflowId = "restock-${sku}"` })) runs.push(run);
  return runs;
}

describe('backorders and restock', () => {
  it('wakes every waiting order when the restock lands, with one restock workflow for the SKU', async () => {
    const product = await productWithStock(stack, 'BACKORDER-1', {
      onHand: 2,
      restockThreshold: 3,
      restockQuantity: 10,
    });
    const orders = await Promise.all([1, 2, 3, 4].map(() => place([{ productId: product.id, quantity: 2 }])));
    const waiting = await Promise.all(
      orders.map((id) =>
        waitForOrder(stack, id, (o) => ['backordered', 'picking', 'shipped', 'delivered'].includes(o.status)),
      ),
    );
    expect(waiting.filter((o) => o.status === 'backordered')).toHaveLength(3);

    const done = await Promise.all(orders.map((id) => waitForOrder(stack, id, (o) => o.status === 'delivered')));
    for (const o of done) expect(o.payment.capturedCents).toBe(2 * product.priceCents);

    const runs = await restockRuns('BACKORDER-1');
    expect(runs).toHaveLength(1);
    const restocks = await stack.http('/api/admin/restocks?sku=BACKORDER-1', { admin: true });
    expect(restocks.body.items).toHaveLength(1);
    expect(restocks.body.items[0]).toMatchObject({ quantity: 10, status: 'received', requestedBy: expect.any(String) });
    expect(restocks.body.items[0].steps.map((s: any) => s.step)).toEqual([
      'requested',
      'ordered',
      'in_transit',
      'received',
    ]);
    const inventory = await stack.db.prisma.inventory.findUniqueOrThrow({ where: { productId: product.id } });
    expect(inventory).toMatchObject({ onHand: 2 + 10 - 8, reserved: 0 });
    await expectInvariants(stack);
  });

  it('after MAX_BACKORDER_WAIT, cancels the waiting lines, ships the rest and captures only what ships', async () => {
    const [inStock] = await productsInStock(stack, 1);
    const never = await productWithStock(stack, 'NEVER-BACK', { onHand: 0 });
    const orderId = await place([
      { productId: inStock!.id, quantity: 1 },
      { productId: never.id, quantity: 3 },
    ]);
    const backordered = await waitForOrder(stack, orderId, (o) => o.status === 'backordered');
    expect(backordered.payment.authorizedCents).toBe(inStock!.priceCents + 3 * never.priceCents);
    expect(backordered.lines.map((l: any) => l.status)).toEqual(['held', 'backordered']);

    const order = await waitForOrder(stack, orderId, (o) => o.status === 'delivered');
    expect(order.lines.map((l: any) => [l.status, l.cancelReason])).toEqual([
      ['shipped', null],
      ['cancelled', 'backorder_timeout'],
    ]);
    expect(order).toMatchObject({ totalCents: inStock!.priceCents, payment: { capturedCents: inStock!.priceCents } });
    const kinds = (
      await stack.db.prisma.notification.findMany({ where: { subjectId: orderId }, orderBy: { createdAt: 'asc' } })
    ).map((n) => n.kind);
    expect(kinds).toEqual([
      'order_confirmed',
      'order_backordered',
      'order_lines_cancelled',
      'order_picking',
      'order_shipped',
      'order_delivered',
    ]);
    expect(await stack.db.prisma.backorderWait.count({ where: { orderId } })).toBe(0);
    await expectInvariants(stack);
  });

  it('cancels with backorder_timeout when nothing is left to ship, and voids the payment', async () => {
    const never = await productWithStock(stack, 'NEVER-BACK-2', { onHand: 0 });
    const orderId = await place([{ productId: never.id, quantity: 1 }]);
    const order = await waitForOrder(stack, orderId, (o) => o.status === 'cancelled');
    expect(order).toMatchObject({ cancelReason: 'backorder_timeout', payment: { step: 'voided', capturedCents: 0 } });
    await expectInvariants(stack);
  });

  it('never oversells: N concurrent orders for the last K units hold exactly K, the rest wait', async () => {
    const K = 5;
    const N = 14;
    const product = await productWithStock(stack, 'LAST-UNITS', { onHand: K });
    const orders = await Promise.all(
      Array.from({ length: N }, () => place([{ productId: product.id, quantity: 1 }], null)),
    );
    const placed = await Promise.all(
      orders.map((id) => waitForOrder(stack, id, (o) => o.status === 'awaiting_payment')),
    );
    const statuses = placed.map((o) => o.lines[0].status);
    expect(statuses.filter((s) => s === 'held')).toHaveLength(K);
    expect(statuses.filter((s) => s === 'backordered')).toHaveLength(N - K);
    const inventory = await stack.db.prisma.inventory.findUniqueOrThrow({ where: { productId: product.id } });
    expect(inventory).toMatchObject({ onHand: K, reserved: K });
    await expectInvariants(stack);
    // Clean up: cancelling gives every held unit back.
    await Promise.all(orders.map((id) => stack.http(`/api/orders/${id}/cancel`, { method: 'POST' })));
    expect((await stack.db.prisma.inventory.findUniqueOrThrow({ where: { productId: product.id } })).reserved).toBe(0);
    await expectInvariants(stack);
  });

  it('an operator adding stock wakes waiting orders at once', async () => {
    const product = await productWithStock(stack, 'ADMIN-ADDS', { onHand: 0 });
    const orderId = await place([{ productId: product.id, quantity: 2 }]);
    await waitForOrder(stack, orderId, (o) => o.status === 'backordered');
    const put = await stack.http(`/api/admin/products/${product.id}/inventory`, {
      method: 'PUT',
      admin: true,
      json: { onHand: 5, restockThreshold: 0, restockQuantity: 0 },
    });
    expect(put.status).toBe(200);
    await waitForOrder(stack, orderId, (o) => o.status === 'delivered');
    await expectInvariants(stack);
  });
});

describe('cancelling and refunding', () => {
  it('cancel before shipping: stock released, authorization voided, backorder wait ended, answered once done', async () => {
    const [a] = await productsInStock(stack, 1);
    const never = await productWithStock(stack, 'CANCEL-WAIT', { onHand: 0 });
    const orderId = await place([
      { productId: a!.id, quantity: 1 },
      { productId: never.id, quantity: 1 },
    ]);
    const waiting = await waitForOrder(stack, orderId, (o) => o.status === 'backordered');
    const res = await stack.http(`/api/orders/${orderId}/cancel`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'cancelled',
      cancelReason: 'customer',
      payment: { step: 'voided', capturedCents: 0 },
    });
    expect(res.body.lines.map((l: any) => l.status)).toEqual(['cancelled', 'cancelled']);
    const intent = await stack.db.prisma.simulatedPaymentIntent.findUniqueOrThrow({
      where: { id: waiting.payment.paymentId },
    });
    expect(intent).toMatchObject({ status: 'canceled', amountReceived: 0 });
    expect(await stack.db.prisma.backorderWait.count({ where: { orderId } })).toBe(0);
    // Cancelling again answers the same; the journal and the customer hear of it once.
    expect((await stack.http(`/api/orders/${orderId}/cancel`, { method: 'POST' })).body.status).toBe('cancelled');
    expect(await stack.db.prisma.journalEvent.count({ where: { aggregateId: orderId, type: 'OrderCancelled' } })).toBe(
      1,
    );
    expect(await stack.db.prisma.notification.count({ where: { subjectId: orderId, kind: 'order_cancelled' } })).toBe(
      1,
    );
    await expectInvariants(stack);
  });

  it('cancel after shipping is refused (409); a refund (a return) gives money back, journaled once', async () => {
    const [a, b] = await productsInStock(stack, 2);
    const orderId = await place([
      { productId: a!.id, quantity: 1 },
      { productId: b!.id, quantity: 2 },
    ]);
    const shipped = await waitForOrder(stack, orderId, (o) => o.status === 'shipped' || o.status === 'delivered');
    const refused = await stack.http(`/api/orders/${orderId}/cancel`, { method: 'POST' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('order_not_cancellable');

    const captured = shipped.payment.capturedCents;
    const tooMuch = await stack.http(`/api/admin/orders/${orderId}/refund`, {
      method: 'POST',
      admin: true,
      json: { amountCents: captured + 1, reason: 'return' },
    });
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body.error.code).toBe('refund_not_allowed');
    const refund = await stack.http(`/api/admin/orders/${orderId}/refund`, {
      method: 'POST',
      admin: true,
      json: { amountCents: b!.priceCents, reason: 'one item returned' },
    });
    expect(refund.status, JSON.stringify(refund.body)).toBe(200);
    expect(refund.body.payment).toMatchObject({ capturedCents: captured, refundedCents: b!.priceCents });
    const refunded = await stack.db.prisma.journalEvent.findMany({ where: { aggregateId: orderId, type: 'Refunded' } });
    expect(refunded.map((e) => (e.payload as any).amountCents)).toEqual([b!.priceCents]);
    expect(await stack.db.prisma.notification.count({ where: { subjectId: orderId, kind: 'refund_issued' } })).toBe(1);
    const intent = await stack.db.prisma.simulatedPaymentIntent.findUniqueOrThrow({
      where: { id: shipped.payment.paymentId },
    });
    expect(intent).toMatchObject({ amountReceived: captured, amountRefunded: b!.priceCents });
  });

  it('refuses unknown orders (404) and cancelling orders that are not placed by anyone (404)', async () => {
    const res = await stack.http('/api/orders/00000000-0000-4000-8000-000000000000');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('order_not_found');
    const cancel = await stack.http('/api/orders/00000000-0000-4000-8000-000000000000/cancel', { method: 'POST' });
    expect(cancel.status).toBe(404);
  });
});
