/**
 * An order accepted before the API refused bad text (or started by anything other than the API)
 * with a NUL and an unpaired surrogate in its address. It used to wedge for ever: the step that
 * records it failed in PostgreSQL and was retried without end, so it never reached the read side,
 * its payment timer never fired and cancels never answered. Now it ends well, and the read side
 * shows the bad characters as U+FFFD.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { initialOrderSearchAttributes, type OrderWorkflowInput } from '../../src/contracts/order.contract.js';
import { WorkflowType, workflowId } from '../../src/contracts/temporal.js';
import { startTestStack, type TestStack } from '../helpers/app.js';
import { expectInvariants, fastOrders, productsInStock, waitForOrder } from '../helpers/orders.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack(fastOrders);
});
afterAll(async () => {
  await stack?.close();
});

it('a poisoned address no longer wedges its order: it is recorded, listed and delivered', async () => {
  const [product] = await productsInStock(stack, 1);
  const orderId = randomUUID();
  const input: OrderWorkflowInput = {
    orderId,
    lines: [{ productId: product!.id, quantity: 1 }],
    email: 'poison@example.com',
    shippingAddress: {
      name: 'Mallory \ud800',
      line1: 'Flat 2\u0000B',
      city: 'London',
      postalCode: 'N1',
      country: 'GB',
    },
    paymentMethod: 'pm_card_visa',
    currency: 'USD',
    policy: stack.config.order,
  };
  await stack.client.workflow.start(WorkflowType.order, {
    workflowId: workflowId.order(orderId),
    taskQueue: stack.config.temporal.taskQueue,
    args: [input],
    typedSearchAttributes: initialOrderSearchAttributes(input),
  });
  const order = await waitForOrder(stack, orderId, (o) => o.status === 'delivered');
  expect(order.payment).toMatchObject({ step: 'captured', capturedCents: product!.priceCents });
  const row = await stack.db.prisma.order.findUniqueOrThrow({ where: { id: orderId } });
  expect(row.shippingAddress).toMatchObject({ name: 'Mallory \uFFFD', line1: 'Flat 2\uFFFDB' });
  const listed = await stack.http(`/api/admin/orders?email=poison@example.com`, { admin: true });
  expect(listed.body.items.map((o: any) => o.id)).toEqual([orderId]);
  await expectInvariants(stack);
});
