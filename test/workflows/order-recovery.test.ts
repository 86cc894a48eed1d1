/**
 * Fast recovery: a worker killed in the middle of an activity is noticed by its missing heartbeats
 * (HEARTBEAT_TIMEOUT, 10 s) and the activity retried on another worker, instead of after its whole
 * start-to-close timeout (30 s for a database step).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/app.js';
import { fastOrders, placeOrder, productWithStock, waitForOrder } from '../helpers/orders.js';
import { startWorkerProcess } from '../helpers/worker-process.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ ...fastOrders, PICKING_DURATION: '30s' }, { worker: false });
});
afterAll(async () => {
  await stack?.close();
});

it('a worker killed mid-step: the step is retried elsewhere within about 10 s, not 30 s', async () => {
  const product = await productWithStock(stack, 'SLOW-HOLD', { onHand: 5 });
  // Holding this product takes a minute: long enough to kill the worker in the middle of it.
  await stack.db.prisma.$executeRawUnsafe(`
    CREATE FUNCTION slow_hold() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN PERFORM pg_sleep(60); RETURN NEW; END $$`);
  await stack.db.prisma.$executeRawUnsafe(
    `CREATE TRIGGER slow_hold BEFORE INSERT ON reservations FOR EACH ROW
     WHEN (NEW.product_id = '${product.id}') EXECUTE FUNCTION slow_hold()`,
  );
  const first = await startWorkerProcess(stack);
  const { orderId } = await placeOrder(stack, {
    paymentMethod: 'pm_card_visa',
    lines: [{ productId: product.id, quantity: 1 }],
  });
  const holding = () =>
    stack.db.prisma.$queryRawUnsafe<{ pid: number }[]>(
      `SELECT pid FROM pg_stat_activity WHERE state = 'active' AND query ILIKE '%INSERT INTO%reservations%' AND pid <> pg_backend_pid()`,
    );
  await expect.poll(async () => (await holding()).length, { timeout: 20_000 }).toBe(1);

  await first.crash();
  const killedAt = Date.now();
  // The dead worker's query would sleep on, holding its locks: end it as PostgreSQL would once it
  // noticed the client gone, then make holds quick again.
  const ended = await stack.db.prisma.$queryRawUnsafe<{ ended: boolean }[]>(
    `SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity
     WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()`,
  );
  expect(ended.map((r) => r.ended)).toContain(true);
  await stack.db.prisma.$executeRawUnsafe('DROP TRIGGER slow_hold ON reservations');
  const second = await startWorkerProcess(stack);
  try {
    await waitForOrder(stack, orderId, (o) => o.lines[0].status === 'held', 40_000);
    const recoveredMs = Date.now() - killedAt;
    // The heartbeat timeout (10 s) and a retry, with room for a busy machine; 30 s or more before.
    expect(recoveredMs).toBeLessThan(25_000);
  } finally {
    await second.stop();
  }
}, 90_000);
