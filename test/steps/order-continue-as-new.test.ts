/**
 * Bounded histories: a backorder retried often over a long wait used to grow one run's history
 * without end (about 11 events a retry; 790 in 6 minutes at a 5 s interval, on its way to
 * Temporal's limit of 51,200, where the order would be terminated). Now each run stops at
 * HISTORY_EVENTS_PER_RUN and the order continues as new, carrying its state and everything it
 * must give back if cancelled.
 */
import { WorkflowUpdateStage } from '@temporalio/client';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { cancelOrderUpdate, stockArrivedSignal } from '../../src/contracts/order.contract.js';
import {
  productIds,
  startStubbedOrders,
  World,
  type OrderHandle,
  type StubbedOrders,
} from '../helpers/stubbed-orders.js';

let orders: StubbedOrders;
beforeAll(async () => {
  orders = await startStubbedOrders();
});
afterAll(async () => {
  await orders?.close();
});

const [P1, P2] = productIds as [string, string];
const BUDGET = 120;
const longBackorder = { backorderRetryIntervalMs: 50, maxBackorderWaitMs: 120_000, historyEventsPerRun: BUDGET } as any;
const continuations = (o: { timeline: { type: string }[] }) =>
  o.timeline.filter((t) => t.type === 'continued_as_new').length;

/** The length of every run of the order's workflow, oldest first. */
async function runLengths(handle: OrderHandle): Promise<number[]> {
  const runs: { runId: string; startTime: Date }[] = [];
  for await (const w of orders.client.workflow.list({ query: `WorkflowId = '${handle.workflowId}'` })) runs.push(w);
  runs.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
  const lengths: number[] = [];
  for (const { runId } of runs) {
    const history = await orders.client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
    lengths.push(history.events?.length ?? 0);
  }
  return lengths;
}

describe.concurrent('a long backorder', () => {
  it('continues as new before its history grows long; a cancel in a later run gives back what the first took', async ({
    expect,
  }) => {
    const world = new World();
    world.stock.set(P2, 0);
    const handle = await orders.start(world, { policy: longBackorder });
    const waited = await orders.until(handle, (o) => continuations(o) >= 2, 30_000);
    expect(waited).toMatchObject({ status: 'backordered', payment: { step: 'authorized', paymentId: 'pi_1' } });
    // The order is one order across its runs: its timeline runs on from the placement.
    expect(waited.timeline[0]!.type).toBe('placed');

    const cancelled = await handle.executeUpdate(cancelOrderUpdate, { args: [{ reason: 'customer' }] });
    expect(cancelled).toMatchObject({ status: 'cancelled', cancelReason: 'customer', payment: { step: 'voided' } });
    // The first run held P1, waited for P2 and authorized the payment; a later run undid all three.
    expect(world.callsTo('releaseStock').map((a) => a.productId)).toEqual([P1]);
    expect(world.callsTo('removeBackorderWait').map((a) => a.productId)).toEqual([P2]);
    expect(world.callsTo('cancelPayment').map((a) => a.paymentId)).toEqual(['pi_1']);

    const lengths = await runLengths(handle);
    expect(lengths.length).toBeGreaterThanOrEqual(3);
    // Every run stopped near the budget: one retry pass (about a dozen events) and the hand-over past it.
    for (const length of lengths) expect(length).toBeLessThan(BUDGET + 40);
  }, 40_000);

  it('stock that arrives in a later run is held there, and the order ships as it would have', async ({ expect }) => {
    const world = new World();
    world.stock.set(P2, 0);
    const handle = await orders.start(world, { policy: longBackorder });
    await orders.until(handle, (o) => continuations(o) >= 1, 20_000);
    world.stock.set(P2, 5);
    await handle.signal(stockArrivedSignal, { productId: P2 });
    const order = await handle.result();
    expect(order).toMatchObject({ status: 'delivered', payment: { step: 'captured', capturedCents: 5000 } });
    expect(order.timeline.map((t) => t.type)).toEqual(
      expect.arrayContaining(['placed', 'backordered', 'continued_as_new', 'reserved', 'shipped', 'delivered']),
    );
    expect(world.messages().filter((m) => m === 'order_backordered')).toHaveLength(1); // told once, not per run
    expect(world.callsTo('authorizePayment')).toHaveLength(1);
  }, 40_000);

  it('a cancel accepted while the run hands over is answered, not lost with the old run', async ({ expect }) => {
    // The hand-over's last summary is where a cancel used to slip in: accepted by the old run,
    // which then continued as new and failed the caller's update ("workflow completed").
    const world = new World();
    world.stock.set(P2, 0);
    let entered!: () => void;
    const handingOver = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    world.stubs.recordOrderSummary = async (view) => {
      if (view.timeline.some((t) => t.type === 'continued_as_new')) {
        entered();
        await released;
      }
    };
    const handle = await orders.start(world, { policy: longBackorder });
    await handingOver;
    const update = await handle.startUpdate(cancelOrderUpdate, {
      args: [{ reason: 'customer' }],
      waitForStage: WorkflowUpdateStage.ACCEPTED,
    });
    release();
    expect(await update.result()).toMatchObject({ status: 'cancelled', payment: { step: 'voided' } });
    expect(world.callsTo('releaseStock').map((a) => a.productId)).toEqual([P1]);
  }, 40_000);

  it('a cancel accepted just before a run turns out long is answered, not left waiting for itself', async ({
    expect,
  }) => {
    // The run is long by its first wait (a budget of 8 events); the cancel lands in the summary
    // written as the wait begins. The hand-over waited for every handler to finish, and the
    // cancel's handler waits for the cancellation: neither could go on (the order stayed
    // backordered, its stock held, the caller answered "under way" for ever).
    const world = new World();
    world.stock.set(P2, 0);
    let entered!: () => void;
    const waiting = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let blocked = false;
    world.stubs.recordOrderSummary = async (view) => {
      if (view.status === 'backordered' && !blocked) {
        blocked = true;
        entered();
        await released;
      }
    };
    const handle = await orders.start(world, { policy: { ...longBackorder, historyEventsPerRun: 8 } });
    await waiting;
    const update = await handle.startUpdate(cancelOrderUpdate, {
      args: [{ reason: 'customer' }],
      waitForStage: WorkflowUpdateStage.ACCEPTED,
    });
    release();
    const answered = await Promise.race([
      update.result(),
      new Promise<'no answer'>((resolve) => setTimeout(() => resolve('no answer'), 10_000)),
    ]);
    expect(answered).toMatchObject({ status: 'cancelled', payment: { step: 'voided' } });
    expect(world.callsTo('releaseStock').map((a) => a.productId)).toEqual([P1]);
  }, 40_000);
});
