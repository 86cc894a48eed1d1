/**
 * The read side end to end: orders placed, delivered, refunded and cancelled through the API on a
 * real Temporal server move the analytics numbers, which the `projector-<name>` workflows build
 * from the journal (nudged as events land); `GET /api/analytics/status` shows them caught up.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readModelDrains } from '../../src/drains/read-model-drains.js';
import { startTestStack, type TestStack } from '../helpers/app.js';
import { fastOrders, placeOrder, productsInStock, waitForOrder } from '../helpers/orders.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack(fastOrders, { drains: (db) => readModelDrains(db.prisma) });
});
afterAll(async () => {
  await stack?.close();
});

const nameOf = async (id: string) => (await stack.db.prisma.product.findUniqueOrThrow({ where: { id } })).name;
const today = () => new Date().toISOString().slice(0, 10);
const analytics = (path: string) => stack.http(`/api/analytics/${path}`, { admin: true });

/** Polls an analytics route until `done` holds for its body. */
async function eventually(path: string, done: (body: any) => boolean, timeoutMs = 20_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  let last: any;
  while (Date.now() < deadline) {
    const res = await analytics(path);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    last = res.body;
    if (done(last)) return last;
    await sleep(100);
  }
  throw new Error(`${path} never got there; last: ${JSON.stringify(last)}`);
}

describe('analytics', () => {
  it('follow orders as they are placed, delivered, refunded and cancelled', async () => {
    const [a, b] = await productsInStock(stack, 2);
    const delivered = await placeOrder(stack, {
      paymentMethod: 'pm_card_visa',
      lines: [
        { productId: a!.id, quantity: 3 },
        { productId: b!.id, quantity: 1 },
      ],
    });
    const cancelled = await placeOrder(stack, { lines: [{ productId: a!.id, quantity: 1 }] });
    expect(
      (await stack.http(`/api/admin/orders/${cancelled.orderId}/cancel`, { method: 'POST', admin: true })).status,
    ).toBe(200);
    await waitForOrder(stack, delivered.orderId, (o) => o.status === 'delivered');
    await waitForOrder(stack, cancelled.orderId, (o) => o.status === 'cancelled');

    const popular = await eventually(`popular-items?date=${today()}`, (body) => body.items.length >= 2);
    expect(popular.items).toEqual(
      [
        { vendorId: a!.vendorId, productId: a!.id, name: await nameOf(a!.id), quantity: 3 },
        { vendorId: b!.vendorId, productId: b!.id, name: await nameOf(b!.id), quantity: 1 },
      ].sort((x, y) => y.quantity - x.quantity),
    );

    const funnel = await eventually(`funnel?from=${today()}`, (body) => body.days.at(-1).delivered === 1);
    expect(funnel.days.at(-1)).toMatchObject({
      day: today(),
      placed: 2,
      paid: 1,
      shipped: 1,
      delivered: 1,
      cancelled: 1,
      cancelledByReason: { operator: 1 },
    });

    const now = new Date();
    const period = `year=${now.getUTCFullYear()}&month=${now.getUTCMonth() + 1}`;
    const owedA = 3 * a!.priceCents;
    await eventually(`vendor-billing?vendorId=${a!.vendorId}&${period}`, (body) =>
      body.items.some((i: any) => i.capturedCents >= owedA),
    );
    // A refund of the whole order: each vendor gives back all it was paid for it.
    const total = owedA + b!.priceCents;
    const refund = await stack.http(`/api/admin/orders/${delivered.orderId}/refund`, {
      method: 'POST',
      admin: true,
      json: { amountCents: total, reason: 'returned' },
    });
    expect(refund.status, JSON.stringify(refund.body)).toBe(200);
    const billing = await eventually(
      `vendor-billing?${period}`,
      (body) => body.items.reduce((n: number, i: any) => n + i.refundedCents, 0) === total,
    );
    for (const vendor of [a!.vendorId, b!.vendorId]) {
      const row = billing.items.find((i: any) => i.vendorId === vendor);
      expect(row).toMatchObject({ netCents: 0, month: `${now.toISOString().slice(0, 7)}` });
    }

    const status = await eventually('status', (body) => body.drains.every((d: any) => d.lagEvents === 0));
    expect(status.drains.map((d: any) => d.name)).toEqual(['order-funnel', 'popular-items', 'vendor-billing']);
    for (const d of status.drains) expect(d).toMatchObject({ eventsApplied: status.journal.events, lagSeconds: 0 });
  });

  it('are for operators only, and refuse ranges they cannot answer with a 4xx', async () => {
    expect((await stack.http('/api/analytics/status')).status).toBe(401);
    expect(
      (await stack.http('/api/analytics/funnel?from=2026-01-01', { headers: { authorization: 'Bearer nope' } })).status,
    ).toBe(403);
    const backwards = await analytics('funnel?from=2026-12-01&to=2026-11-01');
    expect([backwards.status, backwards.body.error.code]).toEqual([422, 'invalid_date_range']);
    const tooLong = await analytics('funnel?from=2024-01-01&to=2026-01-01');
    expect([tooLong.status, tooLong.body.error.code]).toEqual([422, 'invalid_date_range']);
    for (const bad of [
      'popular-items?date=0000-01-01',
      'popular-items?date=2026-02-30',
      'vendor-billing?month=13',
      'funnel',
    ])
      expect((await analytics(bad)).status, bad).toBe(400);
  });

  it('keep a projector going across continue-as-new', async () => {
    const id = stack.drainWorkflowId('popular-items');
    const handle = stack.client.workflow.getHandle(id);
    const first = (await handle.describe()).runId;
    // Nudges wake it; after its rounds (20 in tests) it continues as new and carries on.
    const deadline = Date.now() + 30_000;
    while ((await handle.describe()).runId === first && Date.now() < deadline) {
      await handle.signal('nudge');
      await sleep(30);
    }
    expect((await stack.client.workflow.getHandle(id).describe()).runId).not.toBe(first);
    expect((await handle.describe()).status.name).toBe('RUNNING');
  });
});
