/**
 * On the real stack: a step PostgreSQL refuses for good stops the order where people see it (the
 * order's `stuck`, its timeline, the admin listing's flag, the Web UI's search attribute, an
 * outbox alert for the operators), and cancels answer within ANSWER_WITHIN with the truth. The
 * refusal is a trigger raising an exception: what a broken migration or a bad row would do.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderFlags } from '../../src/contracts/search-attributes.js';
import { workflowId } from '../../src/contracts/temporal.js';
import { startTestStack, type TestStack } from '../helpers/app.js';
import { expectInvariants, fastOrders, placeOrder, productWithStock, waitForOrder } from '../helpers/orders.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ ...fastOrders, PICKING_DURATION: '30s', ANSWER_WITHIN: '1s' });
  await stack.db.prisma.$executeRawUnsafe(`
    CREATE FUNCTION refuse_for_test() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'maintenance: reservations of % are frozen', NEW.product_id; END $$`);
});
afterAll(async () => {
  await stack?.close();
});

const refuse = (name: string, when: 'INSERT' | 'UPDATE', productId: string) =>
  stack.db.prisma.$executeRawUnsafe(
    `CREATE TRIGGER ${name} BEFORE ${when} ON reservations FOR EACH ROW
     WHEN (NEW.product_id = '${productId}') EXECUTE FUNCTION refuse_for_test()`,
  );
const allow = (name: string) => stack.db.prisma.$executeRawUnsafe(`DROP TRIGGER ${name} ON reservations`);

describe('a hold the database refuses', () => {
  it('stops the order flagged step_failed, visible everywhere an operator looks; a cancel answers at once', async () => {
    const product = await productWithStock(stack, 'FROZEN-HOLD', { onHand: 5 });
    await refuse('refuse_holds', 'INSERT', product.id);
    const { orderId } = await placeOrder(stack, {
      paymentMethod: 'pm_card_visa',
      lines: [{ productId: product.id, quantity: 1 }],
    });

    const stopped = await waitForOrder(stack, orderId, (o) => o.flags.includes('step_failed'));
    // The hold is part of placement, one transaction: the step is the placement, the reason the hold's.
    expect(stopped.stuck).toMatchObject({
      step: 'Placing the order',
      flag: 'step_failed',
      code: 'data_rejected',
      message: expect.stringContaining('reservations of'),
      waitingFor: 'operator',
    });
    expect(stopped.timeline.map((t: any) => t.type)).toContain('step_failed');
    const listed = await stack.http('/api/admin/orders?flag=step_failed', { admin: true });
    expect(listed.body.items.map((o: any) => o.id)).toContain(orderId);
    const description = await stack.client.workflow.getHandle(workflowId.order(orderId)).describe();
    expect(description.typedSearchAttributes.get(OrderFlags)).toEqual(['step_failed']);
    const alerts = () =>
      stack.db.prisma.notification.findMany({ where: { subjectId: orderId, kind: 'operator_alert' } });
    await expect
      .poll(alerts)
      .toEqual([
        expect.objectContaining({ recipient: null, payload: expect.objectContaining({ code: 'data_rejected' }) }),
      ]);

    const started = Date.now();
    const cancelled = await stack.http(`/api/orders/${orderId}/cancel`, { method: 'POST' });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', cancelReason: 'customer', flags: [], stuck: null });
    await allow('refuse_holds');
    await expectInvariants(stack);
  });
});

describe('a release the database refuses', () => {
  it('keeps the cancel under way: 202 naming what it waits on; an operator retry after the fix finishes it', async () => {
    const product = await productWithStock(stack, 'FROZEN-RELEASE', { onHand: 5 });
    const { orderId } = await placeOrder(stack, {
      paymentMethod: 'pm_card_visa',
      lines: [{ productId: product.id, quantity: 2 }],
    });
    await waitForOrder(stack, orderId, (o) => o.status === 'picking');
    await refuse('refuse_releases', 'UPDATE', product.id);

    const started = Date.now();
    const pending = await stack.http(`/api/orders/${orderId}/cancel`, { method: 'POST' });
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(pending.status, JSON.stringify(pending.body)).toBe(202);
    expect(pending.body).toMatchObject({ status: 'picking', cancelRequested: 'customer' });
    const waiting = await waitForOrder(stack, orderId, (o) => o.flags.includes('compensation_stuck'));
    expect(waiting.stuck).toMatchObject({
      step: 'Releasing 2 × FROZEN-RELEASE',
      code: 'data_rejected',
      waitingFor: 'operator',
    });
    // Nothing lost meanwhile: the units are still held, not half given back.
    expect((await stack.db.prisma.inventory.findUniqueOrThrow({ where: { productId: product.id } })).reserved).toBe(2);

    await allow('refuse_releases');
    const retried = await stack.http(`/api/admin/orders/${orderId}/retry`, { method: 'POST', admin: true });
    expect(retried.status, JSON.stringify(retried.body)).toBe(200);
    const cancelled = await waitForOrder(stack, orderId, (o) => o.status === 'cancelled');
    expect(cancelled).toMatchObject({ cancelReason: 'customer', flags: [], stuck: null, cancelRequested: null });
    expect((await stack.db.prisma.inventory.findUniqueOrThrow({ where: { productId: product.id } })).reserved).toBe(0);
    const again = await stack.http(`/api/admin/orders/${orderId}/retry`, { method: 'POST', admin: true });
    expect(again.status).toBe(409);
    await expectInvariants(stack);
  });
});
