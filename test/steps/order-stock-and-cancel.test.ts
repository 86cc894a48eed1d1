/**
 * The order's stock, cancellation and after-shipping steps, branch by branch, on stubbed
 * activities: a product gone from the catalog, a backorder woken by stock or given up, the saga
 * unwound newest-first, refunds, and the shop cancelling after shipping.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import {
  cancelOrderUpdate,
  forceCancelOrderUpdate,
  refundOrderUpdate,
  refundUpdatedSignal,
  stockArrivedSignal,
} from '../../src/contracts/order.contract.js';
import { productIds, startStubbedOrders, World, type StubbedOrders } from '../helpers/stubbed-orders.js';

let orders: StubbedOrders;
beforeAll(async () => {
  orders = await startStubbedOrders();
});
afterAll(async () => {
  await orders?.close();
});

const [P1, P2] = productIds as [string, string];
const types = (o: { timeline: { type: string }[] }) => o.timeline.map((t) => t.type);

describe.concurrent('place', () => {
  it('drops a product no longer sold; an order with none left closes as unavailable, taking nothing', async ({
    expect,
  }) => {
    const world = new World();
    world.catalog = [];
    const order = await (await orders.start(world)).result();
    expect(order).toMatchObject({ status: 'cancelled', cancelReason: 'unavailable', lines: [] });
    // Placement is one activity; its parts in the order it runs them.
    expect(world.names()).toEqual(['placeOrder', 'lookupCatalogItems', 'recordOrderSummary']);
  });
});

describe.concurrent('hold stock and wait for it', () => {
  it('backorders a line it cannot hold, and holds it when stock arrives (woken, not on the timer)', async ({
    expect,
  }) => {
    const world = new World();
    world.stock.set(P2, 0);
    const handle = await orders.start(world, {
      policy: { backorderRetryIntervalMs: 60_000, maxBackorderWaitMs: 120_000 } as any,
    });
    const waiting = await orders.until(handle, (o) => o.status === 'backordered');
    expect(waiting.lines.map((l) => l.status)).toEqual(['held', 'backordered']);
    expect(world.callsTo('addBackorderWait')).toEqual([expect.objectContaining({ productId: P2, quantity: 2 })]);
    world.stock.set(P2, 5);
    await handle.signal(stockArrivedSignal, { productId: P2 });
    const order = await handle.result();
    expect(order.status).toBe('delivered');
    expect(world.callsTo('removeBackorderWait')).toEqual([expect.objectContaining({ productId: P2 })]);
    expect(world.messages()).toContain('order_backordered');
  });

  it('stock that arrives while the customer is being told of the backorder still wakes the order at once', async ({
    expect,
  }) => {
    const world = new World();
    world.stock.set(P2, 0);
    let told!: () => void;
    const telling = new Promise<void>((resolve) => (told = resolve));
    const notify = world.stubs.notifyCustomer;
    world.stubs.notifyCustomer = async (message) => {
      if (message.kind === 'order_backordered') await telling; // held until the stock has arrived
      return notify(message);
    };
    const handle = await orders.start(world, {
      policy: { backorderRetryIntervalMs: 60_000, maxBackorderWaitMs: 120_000 } as any,
    });
    await orders.until(handle, (o) => o.status === 'backordered');
    world.stock.set(P2, 5);
    await handle.signal(stockArrivedSignal, { productId: P2 });
    await new Promise((r) => setTimeout(r, 300)); // the signal is in before the message is written
    told();
    const order = await orders.until(handle, (o) => o.lines.every((l) => l.status !== 'backordered'), 8_000);
    expect(order.lines.map((l) => l.status)).toEqual(['held', 'held']);
    await handle.executeUpdate(forceCancelOrderUpdate, { args: [{ reason: 'test over' }] });
  });

  it('after MAX_BACKORDER_WAIT: the waiting line is cancelled and the rest ships, paid for alone', async ({
    expect,
  }) => {
    const world = new World();
    world.stock.set(P2, 0);
    const order = await (await orders.start(world, { policy: { maxBackorderWaitMs: 1_200 } as any })).result();
    expect(order.status).toBe('delivered');
    expect(order.lines.map((l) => [l.status, l.cancelReason])).toEqual([
      ['shipped', null],
      ['cancelled', 'backorder_timeout'],
    ]);
    expect(world.callsTo('capturePayment')).toEqual([expect.objectContaining({ amountCents: 1000 })]);
    expect(world.messages()).toContain('order_lines_cancelled');
  });

  it('after MAX_BACKORDER_WAIT with nothing held: cancelled backorder_timeout, the hold voided', async ({ expect }) => {
    const world = new World();
    world.stock.set(P1, 0);
    world.stock.set(P2, 0);
    const order = await (await orders.start(world, { policy: { maxBackorderWaitMs: 1_000 } as any })).result();
    expect(order).toMatchObject({
      status: 'cancelled',
      cancelReason: 'backorder_timeout',
      payment: { step: 'voided' },
    });
    expect(world.callsTo('capturePayment')).toEqual([]);
  });
});

describe.concurrent('cancel', () => {
  it('unwinds the saga newest first: the hold voided, then the lines released last-held first', async ({ expect }) => {
    const world = new World();
    const handle = await orders.start(world, { policy: { pickingMs: 60_000 } as any });
    await orders.until(handle, (o) => o.status === 'picking');
    const cancelled = await handle.executeUpdate(cancelOrderUpdate, { args: [{ reason: 'customer' }] });
    expect(cancelled).toMatchObject({ status: 'cancelled', cancelReason: 'customer', payment: { step: 'voided' } });
    const undos = world.calls
      .filter((c) => c.name === 'cancelPayment' || c.name === 'releaseStock')
      .map((c) => c.args.productId ?? 'void');
    expect(undos).toEqual(['void', P2, P1]);
    expect(world.callsTo('appendJournal').map((a) => a.events[0].type)).toEqual(['OrderCancelled']);
    expect(world.messages().at(-1)).toBe('order_cancelled');
    // Cancelling again answers the same; the workflow has ended with it.
    expect((await handle.result()).status).toBe('cancelled');
  });

  it('refuses a customer cancel once the order has shipped', async ({ expect }) => {
    const world = new World();
    const handle = await orders.start(world, { policy: { shippingMs: 60_000 } as any });
    await orders.until(handle, (o) => o.status === 'shipped');
    await expect(handle.executeUpdate(cancelOrderUpdate, { args: [{ reason: 'customer' }] })).rejects.toMatchObject({
      cause: { type: 'order_not_cancellable' },
    });
    await handle.executeUpdate(forceCancelOrderUpdate, { args: [{ reason: 'test over' }] });
  });
});

describe.concurrent('after shipping', () => {
  it('a refund in the return window that is pending is followed until it succeeds', async ({ expect }) => {
    const world = new World();
    // The first refund stays pending until the provider says otherwise; any later one succeeds at once.
    world.stubs.refundPayment = async ({ paymentId, amountCents }) => {
      const first = world.callsTo('refundPayment').length === 1;
      return {
        id: first ? 're_pending' : 're_later',
        paymentId,
        amount: amountCents,
        status: first ? 'pending' : 'succeeded',
        failureReason: null,
      };
    };
    let settled = false;
    world.stubs.retrieveRefund = async ({ refundId }) => ({
      id: refundId,
      paymentId: 'pi_1',
      amount: 700,
      status: settled ? 'succeeded' : 'pending',
      failureReason: null,
    });
    const handle = await orders.start(world, {
      policy: { returnWindowMs: 60_000, refundCheckIntervalMs: 60_000 } as any,
    });
    await orders.until(handle, (o) => o.status === 'delivered');
    const pending = await handle.executeUpdate(refundOrderUpdate, { args: [{ amountCents: 700, reason: 'return' }] });
    expect(pending.payment).toMatchObject({ refundedCents: 0, refunds: [{ id: 're_pending', status: 'pending' }] });
    settled = true;
    await handle.signal(refundUpdatedSignal, { refundId: 're_pending', eventId: 'evt_r1' });
    const refunded = await orders.until(handle, (o) => o.payment.refundedCents === 700);
    expect(types(refunded)).toContain('refund_succeeded');
    await expect.poll(() => world.messages()).toContain('refund_issued');
    await handle.executeUpdate(forceCancelOrderUpdate, { args: [{ reason: 'test over' }] });
  });

  it('a force-cancel after shipping refunds everything captured and ends cancelled with lines shipped', async ({
    expect,
  }) => {
    const world = new World();
    const handle = await orders.start(world, { policy: { returnWindowMs: 60_000 } as any });
    await orders.until(handle, (o) => o.status === 'delivered');
    const order = await handle.executeUpdate(forceCancelOrderUpdate, { args: [{ reason: 'fraud' }] });
    expect(order).toMatchObject({ status: 'cancelled', cancelReason: 'operator', payment: { refundedCents: 5000 } });
    expect(order.lines.every((l) => l.status === 'shipped')).toBe(true);
    expect(world.callsTo('refundPayment')).toEqual([expect.objectContaining({ amountCents: 5000 })]);
  });

  it('the return window closes: the workflow completes delivered', async ({ expect }) => {
    const world = new World();
    const order = await (await orders.start(world)).result();
    expect(order.status).toBe('delivered');
    expect(world.callsTo('shipStock').map((a) => a.productId)).toEqual([P1, P2]);
    expect(world.callsTo('appendJournal')[0].events.map((e: any) => e.type)).toEqual([
      'ItemPurchased',
      'ItemPurchased',
    ]);
  });
});
