/**
 * Every order is in the read side from the moment it is accepted, and stays answerable after its
 * workflow is gone: a retried POST /api/orders gets the same order whatever its state (it used to
 * be a 500 once the order had closed), and GET /api/orders/:id answers from the read side after
 * Temporal's retention has removed a closed order's workflow.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowId } from '../../src/contracts/temporal.js';
import { startTestStack, type TestStack } from '../helpers/app.js';
import { address, fastOrders, orderToken, productsInStock, waitForOrder } from '../helpers/orders.js';

let stack: TestStack;
let idle: TestStack; // an API whose task queue no worker polls: orders are accepted, never run
beforeAll(async () => {
  [stack, idle] = await Promise.all([startTestStack(fastOrders), startTestStack(fastOrders, { worker: false })]);
});
afterAll(async () => {
  await Promise.all([stack?.close(), idle?.close()]);
});

const place = (on: TestStack, json: unknown, key?: string) =>
  on.http('/api/orders', { method: 'POST', json, headers: key ? { 'idempotency-key': key } : {} });

describe('the read side', () => {
  it('lists an order the moment it is accepted, before any worker has run it', async () => {
    const [product] = await productsInStock(idle, 1);
    const res = await place(idle, {
      lines: [{ productId: product!.id, quantity: 2 }],
      email: 'early@example.com',
      shippingAddress: address,
    });
    expect(res.status).toBe(202);
    const listed = await idle.http('/api/admin/orders?email=early@example.com', { admin: true });
    expect(listed.body.items).toEqual([
      expect.objectContaining({
        id: res.body.orderId,
        status: 'placed',
        totalCents: 2 * product!.priceCents,
        lineCount: 1,
      }),
    ]);
  });

  it('answers a retried POST with the same order after it has closed', async () => {
    const [product] = await productsInStock(stack, 1);
    const body = {
      lines: [{ productId: product!.id, quantity: 1 }],
      email: 'retry@example.com',
      shippingAddress: address,
      paymentMethod: 'pm_card_visa',
    };
    const first = await place(stack, body, 'key-closed-1');
    expect(first.status).toBe(202);
    const orderId = first.body.orderId as string;
    await waitForOrder(stack, orderId, (o) => o.status === 'delivered');
    const handle = stack.client.workflow.getHandle(workflowId.order(orderId));
    await handle.result();

    const again = await place(stack, body, 'key-closed-1');
    expect(again.status, JSON.stringify(again.body)).toBe(202);
    expect(again.body).toMatchObject({ orderId, status: 'delivered' });

    const cancel = await stack.http(`/api/orders/${orderId}/cancel`, { method: 'POST' });
    expect(cancel).toMatchObject({ status: 409, body: { error: { code: 'order_not_cancellable' } } });
  });

  it('answers from the read side once Temporal has removed a closed order, and never starts it again', async () => {
    const [product] = await productsInStock(stack, 1);
    const body = {
      lines: [{ productId: product!.id, quantity: 1 }],
      email: 'gone@example.com',
      shippingAddress: address,
      paymentMethod: 'pm_card_visa',
    };
    const first = await place(stack, body, 'key-gone-1');
    const delivered = await waitForOrder(stack, first.body.orderId, (o) => o.status === 'delivered');
    await stack.client.workflow.getHandle(workflowId.order(first.body.orderId)).result();
    // Retention takes minutes even when asked for (the server deletes in the background), so the
    // removed order is this one's read-side record and idempotency key under an id Temporal never had.
    const gone = randomUUID();
    const row = await stack.db.prisma.order.findUniqueOrThrow({ where: { id: first.body.orderId } });
    await stack.db.prisma.order.create({
      data: {
        ...row,
        id: gone,
        view: { ...(row.view as object), id: gone },
        shippingAddress: row.shippingAddress as object,
      },
    });
    await stack.db.prisma.orderRequest.update({
      where: { key: 'gone@example.com:key-gone-1' },
      data: { orderId: gone },
    });

    const read = await stack.http(`/api/orders/${gone}`, { headers: orderToken(stack, gone) });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: gone, status: 'delivered', version: delivered.version });
    expect(read.body.timeline.map((t: any) => t.type)).toContain('delivered');

    const again = await place(stack, body, 'key-gone-1');
    expect(again).toMatchObject({ status: 202, body: { orderId: gone, status: 'delivered' } });
    await expect(stack.client.workflow.getHandle(workflowId.order(gone)).describe()).rejects.toThrow(/not found/);
    const cancel = await stack.http(`/api/orders/${gone}/cancel`, { method: 'POST', headers: orderToken(stack, gone) });
    expect(cancel).toMatchObject({ status: 409, body: { error: { code: 'order_not_cancellable' } } });
    expect((await stack.http('/api/orders/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });
});
