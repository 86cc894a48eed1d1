/** Orders for the order measures: placed over HTTP by the load generator, followed in PostgreSQL. */
import { randomUUID } from 'node:crypto';
import { setStock } from '../../src/db/inventory.store.js';
import type { Context } from './measure.js';
import { shippingAddress } from './shopper.js';
import { sleep } from './stats.js';

export type Lines = { productId: string; quantity: number }[];

const REACHED = ['reserved', 'picking', 'shipped', 'delivered'];

/** Plenty of stock on `productIds`, and no restocks to get in the way. */
export async function stockUp(ctx: Context, productIds: string[], onHand = 1_000_000): Promise<void> {
  for (const id of productIds)
    await setStock(ctx.stack.prisma, id, { onHand, restockThreshold: 0, restockQuantity: 0 });
}

/**
 * Places one order per entry of `orders` (POST /api/orders, open loop at `rate`) and waits until
 * every one of them has reached `reserved` in PostgreSQL. Answers orders per second from the first
 * placement to the last arrival.
 */
export async function placeUntilReserved(
  ctx: Context,
  orders: Lines[],
  rate: number,
): Promise<{ perSecond: number; seconds: number; maxInFlight: number; orderIds: string[] }> {
  const email = `load-${randomUUID()}@example.com`;
  const started = Date.now();
  const placing = ctx.stack.load({
    rate,
    count: orders.length,
    timeoutMs: 60_000,
    target: {
      kind: 'http',
      baseUrl: ctx.stack.url,
      requests: orders.map((lines) => ({
        method: 'POST',
        path: '/api/orders',
        body: { lines, email, shippingAddress, paymentMethod: 'pm_card_visa' },
        idempotencyKey: true,
      })),
    },
  });
  let failedPlacements = 0;
  void placing.then((r) => (failedPlacements = r.failed));
  const deadline = started + (ctx.smoke ? 60_000 : 600_000);
  let maxInFlight = 0;
  for (;;) {
    const [reached, placed] = await Promise.all([
      ctx.stack.prisma.order.count({ where: { email, status: { in: REACHED } } }),
      ctx.stack.prisma.order.count({ where: { email } }),
    ]);
    maxInFlight = Math.max(maxInFlight, placed - reached);
    if (reached >= orders.length - failedPlacements) break;
    if (Date.now() > deadline) throw new Error(`only ${reached} of ${orders.length} orders reached reserved`);
    await sleep(25);
  }
  const seconds = (Date.now() - started) / 1000;
  const placed = await placing;
  if (placed.failed > 0) throw new Error(`${placed.failed} placements failed: ${placed.errors[0]}`);
  const rows = await ctx.stack.prisma.order.findMany({ where: { email }, select: { id: true } });
  return { perSecond: orders.length / seconds, seconds, maxInFlight, orderIds: rows.map((r) => r.id) };
}

/**
 * Workflows of `steps` no-op activities, started open loop at `rate` on the baseline worker and
 * awaited to completion: per second from the first start to the last completion.
 */
export async function chainsPerSecond(ctx: Context, count: number, steps: number, rate: number): Promise<number> {
  const r = await ctx.stack.load({
    rate,
    count,
    timeoutMs: 120_000,
    target: {
      kind: 'start',
      address: ctx.stack.temporalAddress,
      taskQueue: ctx.stack.baselineQueue,
      workflowType: 'chainWorkflow',
      args: [steps],
      waitResult: true,
    },
  });
  if (r.failed > 0) throw new Error(`${r.failed} baseline workflows failed: ${r.errors[0]}`);
  return count / (r.elapsedMs / 1000);
}

/**
 * What an order took to reach `reserved`, from its history: activities scheduled and workflow
 * tasks completed up to the summary that follows the `reserved` search attribute.
 */
export async function stepsToReserved(ctx: Context, orderId: string) {
  const history = await ctx.stack.client.workflow.getHandle(`order-${orderId}`).fetchHistory();
  const events = history.events ?? [];
  let activities = 0;
  let workflowTasks = 0;
  let reservedSeen = false;
  for (const e of events) {
    if (e.activityTaskScheduledEventAttributes) activities++;
    if (e.workflowTaskCompletedEventAttributes) workflowTasks++;
    const status = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.OrderStatus;
    // Reserved, or picking, which follows at once and (since picking-in-one-step) is the summary that shows it.
    if (status?.data && /"(reserved|picking)"/.test(Buffer.from(status.data).toString())) reservedSeen = true;
    if (reservedSeen && e.activityTaskCompletedEventAttributes)
      return { activities, workflowTasks, events: events.indexOf(e) + 1 };
  }
  throw new Error(`order ${orderId} never reached reserved in its history`);
}
