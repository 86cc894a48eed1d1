/**
 * An order nobody pays for cannot sit on the shop's stock (UNPAID_HOLD_TIMEOUT) nor set off supplier
 * restocks: its holds lapse, and are taken again once a payment is authorized.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { cancelOrderUpdate, providePaymentMethodUpdate } from '../../src/contracts/order.contract.js';
import { workflowId } from '../../src/contracts/temporal.js';
import type { OrderView } from '../../src/domain/order.js';
import { startStubbedOrders, World, type StubbedOrders } from '../helpers/stubbed-orders.js';

let orders: StubbedOrders;
beforeAll(async () => {
  orders = await startStubbedOrders();
});
afterAll(async () => {
  await orders?.close();
});

/** Every line given back (a line waiting at placement has no `line_pending` on its timeline). */
const lapsed = (o: OrderView) =>
  o.lines.every((l) => l.status === 'pending') && o.timeline.filter((t) => t.type === 'line_pending').length === 2;

const unpaid = { paymentMethod: null, policy: { unpaidHoldMs: 400, paymentTimeoutMs: 8_000 } as any };

describe.concurrent('unpaid holds', () => {
  it('give the stock back after UNPAID_HOLD_TIMEOUT; a payment then holds it again and the order ships', async ({
    expect,
  }) => {
    const world = new World();
    const handle = await orders.start(world, unpaid);
    const gaveBack = await orders.until(handle, lapsed);
    expect(gaveBack.status).toBe('awaiting_payment');
    expect(world.callsTo('releaseStock').map((a) => a.productId)).toEqual(gaveBack.lines.map((l) => l.productId));
    expect(world.callsTo('authorizePayment')).toEqual([]);

    const paid = await handle.executeUpdate(providePaymentMethodUpdate, { args: [{ paymentMethod: 'pm_card_visa' }] });
    expect(paid.payment.step).toBe('authorized');
    const order = await handle.result();
    expect(order.status).toBe('delivered');
    expect(world.callsTo('holdStock')).toHaveLength(4); // each line at placement, and again once paid
    expect(world.callsTo('releaseStock')).toHaveLength(2); // the lapse only: shipping does not release
  });

  it('a cancel after the lapse gives back nothing twice', async ({ expect }) => {
    const world = new World();
    const handle = await orders.start(world, unpaid);
    await orders.until(handle, lapsed);
    const cancelled = await handle.executeUpdate(cancelOrderUpdate, { args: [{ reason: 'customer' }] });
    expect(cancelled.status).toBe('cancelled');
    expect(world.callsTo('releaseStock')).toHaveLength(2);
    expect(world.callsTo('cancelPayment')).toEqual([]);
  });

  it('ask for a restock only once the order is paid for', async ({ expect }) => {
    const world = new World();
    const sku = `LOW-${randomUUID().slice(0, 8)}`;
    world.catalog = world.catalog.map((c, i) => (i === 0 ? { ...c, sku } : c));
    const hold = world.stubs.holdStock;
    world.stubs.holdStock = async (input) => ({ ...(await hold(input)), restockThreshold: 50, restockQuantity: 20 });
    const handle = await orders.start(world, unpaid);
    await orders.until(handle, lapsed);
    const restock = orders.client.workflow.getHandle(workflowId.restock(sku));
    await expect(restock.describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);

    await handle.executeUpdate(providePaymentMethodUpdate, { args: [{ paymentMethod: 'pm_card_visa' }] });
    await orders.until(handle, (o) => o.lines.every((l) => l.status === 'held' || l.status === 'shipped'));
    const description = await restock.describe();
    expect(description.status.name).toMatch(/RUNNING|COMPLETED/);
    expect((await handle.result()).status).toBe('delivered');
  });
});
