/**
 * What reaches an order in the workflow task in which one of its deadlines fires was accepted
 * before the deadline, and is acted on: a payment method at the pay-by deadline is tried, a
 * cancel at the end of picking is honoured. The SDK runs update handlers before it fires timers
 * in one task, and these handlers record their request before their first await, so the order's
 * waits see the request first; these tests keep it so. Each stops the worker so that the request
 * and the timer reach the next one together, and checks in the history that they did.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelOrderUpdate, providePaymentMethodUpdate } from '../../src/contracts/order.contract.js';
import { startStubbedOrders, World, type OrderHandle, type StubbedOrders } from '../helpers/stubbed-orders.js';

let orders: StubbedOrders;
beforeAll(async () => {
  orders = await startStubbedOrders();
});
afterAll(async () => {
  await orders?.close();
});

type Event = temporal.api.history.v1.IHistoryEvent;

/** The timer fired and the update was taken up with no workflow task completed in between. */
async function expectTogether(handle: OrderHandle, update: string) {
  const events = (await handle.fetchHistory()).events ?? [];
  const accepted = events.findIndex(
    (e: Event) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === update,
  );
  const fired = events.findLastIndex((e: Event, i: number) => i < accepted && Boolean(e.timerFiredEventAttributes));
  expect(fired, `no timer fired before ${update} was taken up`).toBeGreaterThan(-1);
  expect(events.slice(fired, accepted).filter((e: Event) => e.workflowTaskCompletedEventAttributes).length).toBe(1);
}

describe('a request that lands with a deadline', () => {
  it('a payment method given as the pay-by deadline fires is tried, not cancelled as too late', async () => {
    const world = new World();
    const handle = await orders.start(world, { paymentMethod: null, policy: { paymentTimeoutMs: 2_000 } as any });
    await orders.until(handle, (o) => o.status === 'awaiting_payment');
    await expect.poll(() => world.lastSummary()?.status).toBe('awaiting_payment'); // its timer has started
    await sleep(200);
    await orders.stopWorker();
    const paying = handle.executeUpdate(providePaymentMethodUpdate, { args: [{ paymentMethod: 'pm_card_visa' }] });
    await sleep(2_500);
    await orders.startWorker();
    const order = await paying;
    await expectTogether(handle, 'providePaymentMethod');
    expect(order.payment.step).toBe('authorized');
    expect((await handle.result()).status).toBe('delivered');
  }, 30_000);

  it('a cancel sent as picking ends is honoured: cancelled, nothing captured', async () => {
    const world = new World();
    const handle = await orders.start(world, { policy: { pickingMs: 2_000 } as any });
    await orders.until(handle, (o) => o.status === 'picking');
    await expect.poll(() => world.lastSummary()?.status).toBe('picking'); // the picking timer has started
    await sleep(200);
    await orders.stopWorker();
    const cancelling = handle.executeUpdate(cancelOrderUpdate, { args: [{ reason: 'customer' }] });
    await sleep(2_500);
    await orders.startWorker();
    const order = await cancelling;
    await expectTogether(handle, 'cancelOrder');
    expect(order).toMatchObject({ status: 'cancelled', cancelReason: 'customer', payment: { capturedCents: 0 } });
    expect(world.callsTo('capturePayment')).toEqual([]);
  }, 30_000);
});
