/**
 * A checkout answers in the workflow task that accepted it, once the order's start is under way
 * (its command issued), not a task later when the order has started. The cart stays open until
 * the order has started (Temporal starts no child of a parent that has closed), and reopens, its
 * lines intact, should the order not start.
 */
import { randomUUID } from 'node:crypto';
import type { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addItemUpdate, checkoutUpdate, getCartQuery } from '../../src/contracts/cart.contract.js';
import { WorkflowType, workflowId } from '../../src/contracts/temporal.js';
import { checkoutArgs, productIds, startStubbedOrders, World, type StubbedOrders } from '../helpers/stubbed-orders.js';

let carts: StubbedOrders;
beforeAll(async () => {
  carts = await startStubbedOrders();
});
afterAll(async () => {
  await carts?.close();
});

type Event = temporal.api.history.v1.IHistoryEvent;
const index = (events: Event[], matches: (e: Event) => unknown) => events.findIndex((e) => Boolean(matches(e)));

describe('checkout', () => {
  it('answers in the task that accepted it, and the cart closes once its order has started', async () => {
    const cart = await carts.startCart(new World(), { abandonAfterMs: 3_600_000 });
    await cart.executeUpdate(addItemUpdate, { args: [{ productId: productIds[0]!, quantity: 1 }] });
    const orderId = randomUUID();
    const answer = await cart.executeUpdate(checkoutUpdate, { args: [{ ...checkoutArgs, orderId }] });
    expect(answer).toMatchObject({ orderId, placed: { lines: [{ productId: productIds[0], quantity: 1 }] } });
    expect(await cart.result()).toMatchObject({ status: 'checked_out', orderId });

    const events = (await cart.fetchHistory()).events ?? [];
    const accepted = events.findLastIndex((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    const answered = events.findLastIndex((e) => e.workflowExecutionUpdateCompletedEventAttributes);
    const initiated = index(events, (e) => e.startChildWorkflowExecutionInitiatedEventAttributes);
    const started = index(events, (e) => e.childWorkflowExecutionStartedEventAttributes);
    const closed = index(events, (e) => e.workflowExecutionCompletedEventAttributes);
    // Accepted, the order's start issued and the answer given in one workflow task ...
    expect(events.slice(accepted, answered).filter((e) => e.workflowTaskStartedEventAttributes)).toEqual([]);
    expect(initiated).toBeGreaterThan(accepted);
    expect(initiated).toBeLessThan(answered);
    // ... and the cart closed only after the order had started.
    expect(answered).toBeLessThan(started);
    expect(started).toBeLessThan(closed);
    const order = await carts.client.workflow.getHandle(workflowId.order(orderId)).describe();
    expect(order.type).toBe(WorkflowType.order);
  });

  it('reopens the cart, its lines intact, when the order cannot be started', async () => {
    const cart = await carts.startCart(new World(), { abandonAfterMs: 3_600_000 });
    await cart.executeUpdate(addItemUpdate, { args: [{ productId: productIds[0]!, quantity: 2 }] });
    // An order workflow already holds the id: the child's start fails (WORKFLOW_ALREADY_EXISTS).
    const orderId = randomUUID();
    const squatter = await carts.client.workflow.start(WorkflowType.order, {
      workflowId: workflowId.order(orderId),
      taskQueue: `nobody-${randomUUID()}`,
      args: [],
    });
    try {
      await cart.executeUpdate(checkoutUpdate, { args: [{ ...checkoutArgs, orderId }] });
      let view = await cart.query(getCartQuery);
      for (let i = 0; i < 100 && view.status !== 'active'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        view = await cart.query(getCartQuery);
      }
      expect(view).toMatchObject({ status: 'active', orderId: null, closedAt: null, itemCount: 2 });
      // The customer can check out again, into a new order.
      const again = await cart.executeUpdate(checkoutUpdate, { args: [{ ...checkoutArgs, orderId: randomUUID() }] });
      expect(again.orderId).not.toBe(orderId);
      expect(await cart.result()).toMatchObject({ status: 'checked_out', orderId: again.orderId });
    } finally {
      await squatter.terminate('test over');
    }
  });
});
