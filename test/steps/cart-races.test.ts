/**
 * A checked-out cart can never become abandoned, whatever lands in the workflow task in which its
 * idle timer fires: a checkout, the order that checkout started, a change still in flight. Each
 * test makes the collision happen on purpose (a held catalog lookup, a stopped worker, a worker
 * slow to see the order start) and checks in the history that it did, so none depends on luck.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { temporal } from '@temporalio/proto';
import { WorkflowUpdateStage } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addItemUpdate, checkoutUpdate } from '../../src/contracts/cart.contract.js';
import { workflowsPath } from '../../src/worker/create-worker.js';
import {
  checkoutArgs,
  productIds,
  startStubbedOrders,
  World,
  type CartHandle,
  type StubbedOrders,
} from '../helpers/stubbed-orders.js';

let carts: StubbedOrders;
beforeAll(async () => {
  carts = await startStubbedOrders();
});
afterAll(async () => {
  await carts?.close();
});

const [P1, P2] = productIds as [string, string];
type Event = temporal.api.history.v1.IHistoryEvent;
const timerFired = (e: Event) => Boolean(e.timerFiredEventAttributes);
const childStarted = (e: Event) => Boolean(e.childWorkflowExecutionStartedEventAttributes);
const taskCompleted = (e: Event) => Boolean(e.workflowTaskCompletedEventAttributes);

/** Every CartStatus the cart told the Web UI, in order. */
const cartStatuses = (events: Event[]) =>
  events.flatMap((e) => {
    const data = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.CartStatus?.data;
    return data ? [JSON.parse(Buffer.from(data).toString('utf8')) as string] : [];
  });

/** The workflow task (counted by the completions before it) in which each matching event was delivered. */
function taskOf(events: Event[], matches: (e: Event) => boolean): number[] {
  let completed = 0;
  const tasks: number[] = [];
  for (const e of events) {
    if (taskCompleted(e)) completed++;
    else if (matches(e)) tasks.push(completed);
  }
  return tasks;
}

async function cartWithOneLine(world: World, abandonAfterMs: number): Promise<CartHandle> {
  const cart = await carts.startCart(world, { abandonAfterMs });
  await cart.executeUpdate(addItemUpdate, { args: [{ productId: P1, quantity: 1 }] });
  return cart;
}

describe('the idle clock and what lands with it', () => {
  it('a change in flight across the abandon deadline, and the checkout waiting for it, are both kept', async () => {
    const world = new World();
    const cart = await cartWithOneLine(world, 1_500);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const lookup = world.stubs.lookupCatalogItems;
    world.stubs.lookupCatalogItems = async (input) => {
      await gate;
      return lookup(input);
    };
    const adding = await cart.startUpdate(addItemUpdate, {
      args: [{ productId: P2, quantity: 1 }],
      waitForStage: WorkflowUpdateStage.ACCEPTED,
    });
    const checkingOut = cart.executeUpdate(checkoutUpdate, { args: [checkoutArgs] });
    await sleep(2_500); // the deadline passes while the lookup is held
    const events = (await cart.fetchHistory()).events ?? [];
    expect(taskOf(events, timerFired).length, 'the abandon timer fired while the lookup was held').toBe(1);
    release();
    expect((await adding.result()).lines.map((l) => l.productId)).toEqual([P1, P2]);
    const { orderId } = await checkingOut;
    expect(await cart.result()).toMatchObject({ status: 'checked_out', orderId, itemCount: 2 });
  });

  it('a checkout arriving in the task in which the abandon timer fires wins: the cart is checked out', async () => {
    const world = new World();
    const cart = await cartWithOneLine(world, 2_000);
    await carts.stopWorker();
    const checkingOut = cart.executeUpdate(checkoutUpdate, { args: [checkoutArgs] });
    await sleep(3_000); // the timer fires with no worker: it and the checkout reach the next one together
    await carts.startWorker();
    const { orderId } = await checkingOut;
    const result = await cart.result();
    const events = (await cart.fetchHistory()).events ?? [];
    const accepted = events.findIndex(
      (e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'checkout',
    );
    const fired = events.findIndex(timerFired);
    expect(fired, 'the timer fired before the checkout was taken up').toBeLessThan(accepted);
    // Delivered together: no workflow task completed between the timer firing and the checkout's acceptance.
    expect(events.slice(fired, accepted).filter(taskCompleted).length).toBe(1);
    expect(result).toMatchObject({ status: 'checked_out', orderId });
    // Never abandoned on the way, not even for a moment (the Web UI would have shown it).
    expect(cartStatuses(events)).not.toContain('abandoned');
    expect(cartStatuses(events).at(-1)).toBe('checked_out');
  }, 30_000);

  it('the order a checkout started, reaching the cart after its abandon deadline, leaves it checked out', async () => {
    // A worker that only learns of the order's start once the cart is past its abandon deadline
    // (see the fixture). Before the checkout-answers-at-start patch the cart's clock still ran while
    // the order started, and the start could land with the idle timer in one task; now the clock
    // stops in the task that answers the checkout, so no timer is left to fire.
    const dir = await mkdtemp(path.join(tmpdir(), 'late-child-'));
    const { code } = await bundleWorkflowCode({
      workflowsPath,
      workflowInterceptorModules: [fileURLToPath(new URL('./fixtures/late-child-start.ts', import.meta.url))],
      logger: { trace() {}, debug() {}, info() {}, log() {}, warn: console.warn, error: console.error },
    });
    await writeFile(path.join(dir, 'bundle.js'), code);
    const late = await startStubbedOrders({ workflowBundlePath: path.join(dir, 'bundle.js') });
    try {
      const world = new World();
      const abandonAfterMs = 2_000;
      const cart = await late.startCart(world, { abandonAfterMs });
      await cart.executeUpdate(addItemUpdate, { args: [{ productId: P1, quantity: 1 }] });
      const { orderId } = await cart.executeUpdate(checkoutUpdate, { args: [checkoutArgs] });
      const result = await cart.result();
      const events = (await cart.fetchHistory()).events ?? [];
      const at = (e: Event | undefined) => Number(e?.eventTime?.seconds ?? 0) * 1000 + (e?.eventTime?.nanos ?? 0) / 1e6;
      // The task that brought the order's start completed (after the fixture's failed attempts) ...
      const taken = events.slice(events.findIndex(childStarted)).find(taskCompleted);
      expect(at(taken) - at(events[0]), 'the order reached the cart after its abandon deadline').toBeGreaterThan(
        abandonAfterMs,
      );
      expect(events.filter(timerFired)).toEqual([]);
      expect(result).toMatchObject({ status: 'checked_out', orderId });
      expect(cartStatuses(events)).not.toContain('abandoned');
    } finally {
      await late.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
