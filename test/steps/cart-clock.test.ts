/**
 * The cart's idle clock keeps its timer across changes (patch cart-clock-keeps-timer): a change
 * cancels no timer and starts none. When the timer fires after changes it re-arms for the deadline
 * counted from the last one, so the reminder and abandonment come when they always did; and the
 * first change after a reminder, which brings a reminder back sooner than the armed deadline,
 * wakes the clock at once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addItemUpdate } from '../../src/contracts/cart.contract.js';
import type { CartView } from '../../src/domain/cart.js';
import {
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

type Event = temporal.api.history.v1.IHistoryEvent;
const at = (e: Event) => Number(e.eventTime?.seconds ?? 0) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6;
const events = async (cart: CartHandle) => (await cart.fetchHistory()).events ?? [];
const add = (cart: CartHandle, i: number) =>
  cart.executeUpdate(addItemUpdate, { args: [{ productId: productIds[i % productIds.length]!, quantity: 1 }] });
/** When each reminder was scheduled (server time, ms). */
const remindersAt = (history: Event[]) =>
  history.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'sendCartReminder').map(at);
// A timer fires no earlier than its deadline; the task acting on it follows within this.
const LATENESS_MS = 1_000;

describe('the idle clock across changes', () => {
  it('changes to a cart cancel no timer and start none', async () => {
    const cart = await carts.startCart(new World(), { abandonAfterMs: 3_600_000 });
    for (let i = 0; i < 5; i++) await add(cart, i);
    const history = await events(cart);
    await cart.terminate('test over');
    expect(history.filter((e) => e.timerCanceledEventAttributes).length, 'timers canceled').toBe(0);
    expect(history.filter((e) => e.timerStartedEventAttributes).length, 'timers started').toBe(1);
  });

  it('the reminder and abandonment count from the last change, not the first', async () => {
    const world = new World();
    const cart = await carts.startCart(world, { idleTimeoutMs: 1_500, abandonAfterMs: 3_000 });
    let last!: CartView;
    for (let i = 0; i < 3; i++) {
      if (i > 0) await sleep(700); // each change before the reminder the one before it would have had
      last = await add(cart, i);
    }
    const result = await cart.result();
    const history = await events(cart);

    expect(result).toMatchObject({ status: 'abandoned', itemCount: 3 });
    // One reminder, for the idle period that began with the last change, when it was due.
    expect(world.callsTo('sendCartReminder').map((a) => a.idleSince)).toEqual([last.updatedAt]);
    const [reminded] = remindersAt(history);
    expect(reminded).toBeGreaterThanOrEqual(Date.parse(last.reminderAt!));
    expect(reminded).toBeLessThan(Date.parse(last.reminderAt!) + LATENESS_MS);
    // Abandoned not before the last change's deadline, and soon after it.
    expect(Date.parse(result.closedAt!)).toBeGreaterThanOrEqual(Date.parse(last.expiresAt!));
    expect(Date.parse(result.closedAt!)).toBeLessThan(Date.parse(last.expiresAt!) + LATENESS_MS);
  });

  it('a change after the reminder brings the next reminder back on time', async () => {
    const world = new World();
    const cart = await carts.startCart(world, { idleTimeoutMs: 1_000, abandonAfterMs: 5_000 });
    const first = await add(cart, 0);
    for (let i = 0; i < 100 && world.callsTo('sendCartReminder').length === 0; i++) await sleep(50);
    expect(world.callsTo('sendCartReminder').map((a) => a.idleSince)).toEqual([first.updatedAt]);
    // The clock now waits for the first period's abandonment, 4 s away; this change is due a reminder in 1.
    const second = await add(cart, 1);
    const result = await cart.result();
    const history = await events(cart);

    expect(result).toMatchObject({ status: 'abandoned', itemCount: 2 });
    expect(world.callsTo('sendCartReminder').map((a) => a.idleSince)).toEqual([first.updatedAt, second.updatedAt]);
    const reminded = remindersAt(history)[1]!;
    expect(reminded).toBeGreaterThanOrEqual(Date.parse(second.reminderAt!));
    expect(reminded).toBeLessThan(Date.parse(second.reminderAt!) + LATENESS_MS);
    expect(Date.parse(result.closedAt!)).toBeGreaterThanOrEqual(Date.parse(second.expiresAt!));
    expect(Date.parse(result.closedAt!)).toBeLessThan(Date.parse(second.expiresAt!) + LATENESS_MS);
  });
});
