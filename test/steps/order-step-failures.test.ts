/**
 * A step that cannot proceed puts the order where people see it, never in a silent loop: a
 * failure no retry cures stops it for an operator (step_failed), a long transient one flags it
 * while it keeps retrying (step_retrying), and a compensation that keeps failing is flagged
 * (compensation_stuck) but never given up. Each shows in the timeline, the search attributes and
 * the operators' outbox, and a cancel always has an answer.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { afterAll, beforeAll, describe, it } from 'vitest';
import {
  cancelOrderUpdate,
  forceCancelOrderUpdate,
  retryPaymentStepUpdate,
  retryStepUpdate,
} from '../../src/contracts/order.contract.js';
import { OrderFlags } from '../../src/contracts/search-attributes.js';
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
const refused = (type: string, message: string) => ApplicationFailure.create({ type, message, nonRetryable: true });
const types = (o: { timeline: { type: string }[] }) => o.timeline.map((t) => t.type);
const flagsInWebUi = async (handle: OrderHandle) =>
  ((await handle.describe()).typedSearchAttributes.get(OrderFlags) as string[] | undefined) ?? [];

describe.concurrent('a step the database refuses for good', () => {
  function refusingSecondHold(world: World) {
    const hold = world.stubs.holdStock;
    const state = { fixed: false };
    world.stubs.holdStock = async (input) => {
      if (input.productId === P2 && !state.fixed) throw refused('data_rejected', 'new row violates check constraint');
      return hold(input);
    };
    return state;
  }

  it('stops the order flagged step_failed, says where and why, tells the operators; a retry after the fix goes on', async ({
    expect,
  }) => {
    const world = new World();
    const db = refusingSecondHold(world);
    const handle = await orders.start(world);
    const stopped = await orders.until(handle, (o) => o.flags.includes('step_failed'));
    // Placement is one step (one transaction): the refused hold stops it, nothing half-taken.
    expect(stopped.stuck).toMatchObject({
      step: 'Placing the order',
      flag: 'step_failed',
      code: 'data_rejected',
      message: 'new row violates check constraint',
      waitingFor: 'operator',
    });
    expect(types(stopped)).toContain('step_failed');
    await expect.poll(() => flagsInWebUi(handle)).toEqual(['step_failed']);
    await expect.poll(() => world.callsTo('alertOperators').length).toBe(1);
    expect(world.callsTo('alertOperators')[0]).toMatchObject({
      kind: 'operator_alert',
      recipient: null,
      payload: { flag: 'step_failed', step: 'Placing the order', code: 'data_rejected' },
    });
    // The flagged summary reached the read side too.
    await expect.poll(() => world.lastSummary()?.flags).toEqual(['step_failed']);

    db.fixed = true;
    const retried = await handle.executeUpdate(retryStepUpdate);
    expect(retried.flags).toEqual([]);
    const order = await handle.result();
    expect(order).toMatchObject({ status: 'delivered', flags: [], stuck: null });
    expect(types(order)).toContain('step_retried');
    expect(await flagsInWebUi(handle)).toEqual([]);
  });

  it('a customer cancel gives up the step and everything taken, and answers at once', async ({ expect }) => {
    const world = new World();
    // The step after placement and payment (the summary as picking starts; "reserved" before the
    // picking-in-one-step patch) is refused: stock is held by then.
    world.stubs.recordOrderSummary = async (view) => {
      if (view.status === 'reserved' || view.status === 'picking')
        throw refused('data_rejected', 'value too long for type character(3)');
    };
    const handle = await orders.start(world);
    await orders.until(handle, (o) => o.flags.includes('step_failed'));
    const started = Date.now();
    const cancelled = await handle.executeUpdate(cancelOrderUpdate, { args: [{ reason: 'customer' }] });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(cancelled).toMatchObject({ status: 'cancelled', cancelReason: 'customer', flags: [], stuck: null });
    expect(types(cancelled)).toContain('step_abandoned');
    expect(world.callsTo('releaseStock').map((a) => a.productId)).toEqual([P2, P1]);
    expect(world.callsTo('cancelPayment')).toHaveLength(1);
  });

  it('refuses retry-payment for a step that is not a payment step, and retry when nothing waits', async ({
    expect,
  }) => {
    const world = new World();
    refusingSecondHold(world);
    const handle = await orders.start(world);
    await orders.until(handle, (o) => o.flags.includes('step_failed'));
    await expect(handle.executeUpdate(retryPaymentStepUpdate)).rejects.toMatchObject({
      cause: { type: 'payment_not_stuck' },
    });
    await handle.executeUpdate(forceCancelOrderUpdate, { args: [{ reason: 'test over' }] });

    const fine = await orders.start(new World(), { policy: { pickingMs: 60_000 } as any });
    await orders.until(fine, (o) => o.status === 'picking');
    await expect(fine.executeUpdate(retryStepUpdate)).rejects.toMatchObject({ cause: { type: 'nothing_to_retry' } });
    await fine.executeUpdate(forceCancelOrderUpdate, { args: [{ reason: 'test over' }] });
  });

  it('a summary the read side refuses stops the order the same way, and it still shows in the Web UI', async ({
    expect,
  }) => {
    const world = new World();
    let fixed = false;
    world.stubs.recordOrderSummary = async () => {
      if (!fixed) throw refused('data_rejected', 'value too long for type character(3)');
    };
    const handle = await orders.start(world);
    const stopped = await orders.until(handle, (o) => o.flags.includes('step_failed'));
    // The first summary is written by placement, in its transaction.
    expect(stopped.stuck).toMatchObject({ step: 'Placing the order', code: 'data_rejected' });
    await expect.poll(() => flagsInWebUi(handle)).toEqual(['step_failed']);
    // A force-cancel gives up the step; closing the order saves the summary again, and that waits
    // for an operator too (the order is ending: nothing left to give way to), named in the answer.
    const cancel = handle.executeUpdate(forceCancelOrderUpdate, { args: [{ reason: 'bad data' }] });
    const closing = await orders.until(handle, (o) => o.status === 'cancelled' && o.flags.includes('step_failed'));
    expect(closing).toMatchObject({ cancelRequested: 'operator', stuck: { step: 'Saving the order summary' } });
    fixed = true;
    await handle.executeUpdate(retryStepUpdate);
    expect(await cancel).toMatchObject({ status: 'cancelled', flags: [], cancelRequested: null });
  });
});

describe.concurrent('a step failing for longer than STEP_ALERT_AFTER', () => {
  it('is flagged step_retrying while it goes on by itself; the flag comes off when it goes through', async ({
    expect,
  }) => {
    const world = new World();
    const ship = world.stubs.shipStock;
    let down = true;
    world.stubs.shipStock = async (input) => {
      if (down) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
      return ship(input);
    };
    const handle = await orders.start(world, { policy: { stepAlertAfterMs: 2_000 } as any });
    const flagged = await orders.until(handle, (o) => o.stuck?.step === 'Shipping 1 × SKU-1');
    expect(flagged.stuck).toMatchObject({ step: 'Shipping 1 × SKU-1', flag: 'step_retrying', waitingFor: 'recovery' });
    await expect.poll(() => flagsInWebUi(handle)).toEqual(['step_retrying']);
    // Nothing for an operator to do: it resumes by itself.
    await expect(handle.executeUpdate(retryStepUpdate)).rejects.toMatchObject({ cause: { type: 'nothing_to_retry' } });
    down = false;
    const order = await handle.result();
    expect(order).toMatchObject({ status: 'delivered', flags: [], stuck: null });
    expect(types(order)).toEqual(expect.arrayContaining(['step_retrying', 'step_recovered']));
  });
});

describe.concurrent('a compensation that keeps failing', () => {
  it('is flagged compensation_stuck and never given up; the cancel says what it waits on; an operator retry finishes it', async ({
    expect,
  }) => {
    const world = new World();
    const release = world.stubs.releaseStock;
    let fixed = false;
    world.stubs.releaseStock = async (input) => {
      if (!fixed) throw refused('data_rejected', 'reservation row locked by a broken trigger');
      return release(input);
    };
    const handle = await orders.start(world, { policy: { pickingMs: 60_000 } as any });
    await orders.until(handle, (o) => o.status === 'picking');
    const cancel = handle.executeUpdate(cancelOrderUpdate, { args: [{ reason: 'customer' }] });
    const waiting = await orders.until(handle, (o) => o.flags.includes('compensation_stuck'));
    expect(waiting).toMatchObject({
      status: 'picking',
      cancelRequested: 'customer',
      stuck: { step: 'Releasing 2 × SKU-2', flag: 'compensation_stuck', waitingFor: 'operator' },
    });
    fixed = true;
    await handle.executeUpdate(retryStepUpdate);
    const cancelled = await cancel;
    expect(cancelled).toMatchObject({ status: 'cancelled', flags: [], cancelRequested: null });
    expect(world.callsTo('releaseStock').map((a) => a.productId)).toEqual([P2, P2, P1]);
  });
});

describe.concurrent('a payment provider that refuses our key', () => {
  it('stops the payment step at once (no waiting out PAYMENT_STEP_TIMEOUT), flagged payment_stuck', async ({
    expect,
  }) => {
    const world = new World();
    world.stubs.authorizePayment = async () => {
      throw ApplicationFailure.create({ type: 'provider_rejected', message: 'Invalid API Key', nonRetryable: true });
    };
    const handle = await orders.start(world, { policy: { paymentStepTimeoutMs: 60_000 } as any });
    const stuck = await orders.until(handle, (o) => o.flags.includes('payment_stuck'), 5_000);
    expect(stuck.stuck).toMatchObject({ flag: 'payment_stuck', code: 'provider_rejected' });
    expect(stuck.timeline.at(-1)?.message).toMatch(/refused by the payment provider \(provider_rejected/);
    await handle.executeUpdate(forceCancelOrderUpdate, { args: [{ reason: 'test over' }] });
  });
});
