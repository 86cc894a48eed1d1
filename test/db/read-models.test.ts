/**
 * The analytics read models on a real PostgreSQL: vendor billing (captured − refunded per vendor
 * and month, refunds split by src/domain/vendor-billing.ts), the order funnel, the milestones an
 * order summary journals, and rebuilding a model from the whole journal while orders keep coming.
 * The property test runs random interleavings of many orders' events, written by concurrent
 * transactions and projected in random batch sizes, against numbers computed from the journal.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { appendJournal, type JournalInput } from '../../src/db/journal.store.js';
import { saveOrderSummary } from '../../src/db/orders.store.js';
import { projectBatch, rebuildProjection, type Projection } from '../../src/db/projections.js';
import { orderFunnel, popularItems, READ_MODELS, vendorBilling } from '../../src/db/read-models/index.js';
import { createOrder, orderView, transition } from '../../src/domain/order.js';
import { allocateRefund, billingMonth } from '../../src/domain/vendor-billing.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});
const reset = () =>
  db.prisma.$executeRawUnsafe(
    'TRUNCATE journal_events, projection_positions, popular_items, vendor_billing, billing_order_vendors, order_funnel',
  );
beforeEach(reset);

const shipped = (
  orderId: string,
  vendorId: string,
  productId: string,
  amountCents: number,
  at: string,
): JournalInput => ({
  eventId: `ItemPurchased:${orderId}:${productId}`,
  type: 'ItemPurchased',
  aggregateId: orderId,
  payload: {
    orderId,
    productId,
    vendorId,
    name: productId,
    quantity: 1,
    amountCents,
    currency: 'USD',
    day: at.slice(0, 10),
  },
  occurredAt: at,
});
const refund = (orderId: string, refundId: string, amountCents: number, at: string): JournalInput => ({
  eventId: `Refunded:${orderId}:${refundId}`,
  type: 'Refunded',
  aggregateId: orderId,
  payload: { orderId, refundId, amountCents, currency: 'USD', reason: 'customer' },
  occurredAt: at,
});
const milestone = (type: JournalInput['type'], orderId: string, at: string, reason?: string): JournalInput => ({
  eventId: `${type}:${orderId}`,
  type,
  aggregateId: orderId,
  payload: { orderId, ...(reason ? { reason } : {}) },
  occurredAt: at,
});

async function catchUp(projection: Projection, limit = 50): Promise<void> {
  while ((await projectBatch(db.prisma, projection, limit)).applied > 0);
}

const billing = async () =>
  (await db.prisma.vendorBilling.findMany({ orderBy: [{ vendorId: 'asc' }, { month: 'asc' }] })).map((r) => ({
    vendorId: r.vendorId,
    month: r.month.toISOString().slice(0, 10),
    captured: Number(r.capturedCents),
    refunded: Number(r.refundedCents),
  }));

describe('vendor billing', () => {
  it('bills captures in the month they shipped and refunds, split pro rata, in the month refunded', async () => {
    await appendJournal(db.prisma, [
      shipped('o1', 'acme', 'p1', 3000, '2026-11-20T10:00:00Z'),
      shipped('o1', 'bolt', 'p2', 1000, '2026-11-20T10:00:00Z'),
      refund('o1', 'r1', 2000, '2026-12-02T10:00:00Z'),
    ]);
    await catchUp(vendorBilling);
    expect(await billing()).toEqual([
      { vendorId: 'acme', month: '2026-11-01', captured: 3000, refunded: 0 },
      { vendorId: 'acme', month: '2026-12-01', captured: 0, refunded: 1500 },
      { vendorId: 'bolt', month: '2026-11-01', captured: 1000, refunded: 0 },
      { vendorId: 'bolt', month: '2026-12-01', captured: 0, refunded: 500 },
    ]);
    // The rest refunded: each vendor of the order ends at zero, whatever the rounding on the way.
    await appendJournal(db.prisma, [
      refund('o1', 'r2', 1999, '2026-12-03T10:00:00Z'),
      refund('o1', 'r3', 1, '2026-12-04T10:00:00Z'),
    ]);
    await catchUp(vendorBilling);
    const perVendor = await db.prisma.billingOrderVendor.findMany({ where: { orderId: 'o1' } });
    for (const v of perVendor) expect(v.refundedCents).toBe(v.capturedCents);
  });
});

describe('the order funnel', () => {
  it('counts orders per day and stage, cancellations per reason', async () => {
    await appendJournal(db.prisma, [
      milestone('OrderPlaced', 'a', '2026-11-29T23:59:00Z'),
      milestone('OrderPlaced', 'b', '2026-11-30T01:00:00Z'),
      milestone('OrderPlaced', 'c', '2026-11-30T02:00:00Z'),
      milestone('OrderPaid', 'a', '2026-11-30T00:01:00Z'),
      milestone('OrderShipped', 'a', '2026-11-30T05:00:00Z'),
      milestone('OrderCancelled', 'b', '2026-11-30T06:00:00Z', 'payment_timeout'),
      milestone('OrderCancelled', 'c', '2026-11-30T07:00:00Z', 'customer'),
      milestone('OrderDelivered', 'a', '2026-12-01T05:00:00Z'),
    ]);
    await catchUp(orderFunnel, 3);
    const rows = await db.prisma.orderFunnel.findMany({
      orderBy: [{ day: 'asc' }, { stage: 'asc' }, { reason: 'asc' }],
    });
    expect(rows.map((r) => [r.day.toISOString().slice(0, 10), r.stage, r.reason, r.orders])).toEqual([
      ['2026-11-29', 'placed', '', 1],
      ['2026-11-30', 'cancelled', 'customer', 1],
      ['2026-11-30', 'cancelled', 'payment_timeout', 1],
      ['2026-11-30', 'paid', '', 1],
      ['2026-11-30', 'placed', '', 2],
      ['2026-11-30', 'shipped', '', 1],
      ['2026-12-01', 'delivered', '', 1],
    ]);
  });
});

describe('milestones journaled with the order summary', () => {
  it('records each milestone once, however often and in whatever order summaries are written', async () => {
    const placed = createOrder({
      id: randomUUID(),
      currency: 'USD',
      email: 'x@example.com',
      shippingAddress: { name: 'X', line1: '1 St', city: 'C', postalCode: '1', country: 'US' },
      lines: [
        { productId: randomUUID(), sku: 'S', name: 'N', vendorId: randomUUID(), quantity: 1, unitPriceCents: 100 },
      ],
      payBy: '2026-12-01T00:00:00Z',
      attemptsAllowed: 3,
      now: '2026-11-30T10:00:00.000Z',
    });
    const paid = transition(
      transition(placed, 'awaiting_payment', '2026-11-30T10:00:01.000Z', ''),
      'authorized',
      '2026-11-30T10:00:02.000Z',
      '',
    );
    await saveOrderSummary(db.prisma, orderView(paid));
    await saveOrderSummary(db.prisma, orderView(placed)); // a late retry of an older summary
    await saveOrderSummary(db.prisma, orderView(paid));
    const events = await db.prisma.journalEvent.findMany({ orderBy: { seq: 'asc' } });
    expect(events.map((e) => [e.type, e.occurredAt.toISOString()])).toEqual([
      ['OrderPlaced', '2026-11-30T10:00:00.000Z'],
      ['OrderPaid', '2026-11-30T10:00:02.000Z'],
    ]);
  });
});

// ---- Random interleavings: many orders, concurrent writers, projectors and a rebuild ----

interface Story {
  orderId: string;
  events: JournalInput[];
}

/** One order's life as journal events: placed, paid, its lines shipped, then some refunds. */
const storyArb = fc
  .record({
    lines: fc.array(
      fc.record({ vendor: fc.constantFrom('v1', 'v2', 'v3', 'v4'), cents: fc.integer({ min: 1, max: 50_000 }) }),
      {
        minLength: 1,
        maxLength: 4,
      },
    ),
    refunds: fc.array(fc.integer({ min: 1, max: 100 }), { maxLength: 3 }),
    month: fc.integer({ min: 9, max: 11 }),
    day: fc.integer({ min: 1, max: 28 }),
  })
  .map(({ lines, refunds, month, day }): Story => {
    const orderId = randomUUID();
    const at = (plusDays: number) => new Date(Date.UTC(2026, month - 1, day + plusDays, 12)).toISOString();
    const events: JournalInput[] = [milestone('OrderPlaced', orderId, at(0)), milestone('OrderPaid', orderId, at(0))];
    lines.forEach((l, i) => events.push(shipped(orderId, l.vendor, `p${i}`, l.cents, at(1))));
    let left = lines.reduce((n, l) => n + l.cents, 0);
    refunds.forEach((percent, i) => {
      const cents = Math.min(left, Math.ceil((left * percent) / 100));
      if (cents === 0) return;
      left -= cents;
      events.push(refund(orderId, `r${i}`, cents, at(20 + i)));
    });
    return { orderId, events };
  });

/** Billing as it must be: captures per vendor and month, refunds split in journal order. */
function expectedBilling(journal: { type: string; payload: any; occurredAt: Date }[]) {
  const rows = new Map<string, { vendorId: string; month: string; captured: number; refunded: number }>();
  const row = (vendorId: string, month: string) => {
    const key = `${vendorId}|${month}`;
    if (!rows.has(key)) rows.set(key, { vendorId, month, captured: 0, refunded: 0 });
    return rows.get(key)!;
  };
  const left = new Map<string, Map<string, number>>();
  for (const e of journal) {
    const month = billingMonth(e.occurredAt);
    if (e.type === 'ItemPurchased') {
      row(e.payload.vendorId, month).captured += e.payload.amountCents;
      const order = left.get(e.payload.orderId) ?? new Map<string, number>();
      order.set(e.payload.vendorId, (order.get(e.payload.vendorId) ?? 0) + e.payload.amountCents);
      left.set(e.payload.orderId, order);
    } else if (e.type === 'Refunded') {
      const order = left.get(e.payload.orderId) ?? new Map<string, number>();
      for (const [vendor, cents] of allocateRefund(order, e.payload.amountCents)) {
        if (cents === 0) continue;
        row(vendor, month).refunded += cents;
        order.set(vendor, (order.get(vendor) ?? 0) - cents);
      }
    }
  }
  return [...rows.values()].sort((a, b) => (a.vendorId + a.month < b.vendorId + b.month ? -1 : 1));
}

const journalInOrder = () =>
  db.prisma.$queryRaw<{ type: string; payload: any; occurred_at: Date }[]>`
    SELECT type, payload, occurred_at FROM journal_events ORDER BY tx_id, seq`.then((rows) =>
    rows.map((r) => ({ type: r.type, payload: r.payload, occurredAt: r.occurred_at })),
  );

/** Writes the stories' events, several orders at once, each order's events in its own order. */
async function writeConcurrently(stories: Story[], writers: number, chunk: number) {
  const queue = [...stories];
  await Promise.all(
    Array.from({ length: writers }, async () => {
      for (let story = queue.shift(); story; story = queue.shift())
        for (let i = 0; i < story.events.length; i += chunk)
          await db.prisma.$transaction(async (tx) => {
            await appendJournal(tx, story.events.slice(i, i + chunk));
            // Hold the transaction open a moment, so later seqs commit first now and then.
            if (Math.random() < 0.3) await tx.$executeRaw`SELECT pg_sleep(0.003)`;
          });
    }),
  );
}

const snapshot = async () => ({
  billing: await billing(),
  popular: await db.prisma.popularItem.findMany({
    orderBy: [{ vendorId: 'asc' }, { productId: 'asc' }, { day: 'asc' }],
  }),
  funnel: await db.prisma.orderFunnel.findMany({ orderBy: [{ day: 'asc' }, { stage: 'asc' }, { reason: 'asc' }] }),
});

describe('read models over random interleavings', () => {
  it('bill per vendor and month exactly captured − refunded, projected while orders are written (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(storyArb, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 7 }),
        async (stories, writers, chunk, batch) => {
          await reset();
          let writing = true;
          const projecting = (async () => {
            while (writing) {
              await projectBatch(db.prisma, vendorBilling, batch);
              await new Promise((r) => setTimeout(r, 1));
            }
          })();
          await writeConcurrently(stories, writers, chunk);
          writing = false;
          await projecting;
          await catchUp(vendorBilling, batch);
          const journal = await journalInOrder();
          expect(journal.length).toBe(stories.reduce((n, s) => n + s.events.length, 0));
          const got = await billing();
          expect(got).toEqual(expectedBilling(journal));
          // Whatever the split: per month, what all vendors are owed is what was captured minus refunded.
          const months = new Map<string, number>();
          for (const e of journal) {
            const sign = e.type === 'ItemPurchased' ? 1 : e.type === 'Refunded' ? -1 : 0;
            const m = billingMonth(e.occurredAt);
            months.set(m, (months.get(m) ?? 0) + sign * (e.payload.amountCents ?? 0));
          }
          for (const [m, net] of months)
            expect(got.filter((r) => r.month === m).reduce((n, r) => n + r.captured - r.refunded, 0)).toBe(net);
        },
      ),
      { numRuns: 15 },
    );
  });

  it('rebuilt from the whole journal while orders keep coming, equal what was built incrementally', async () => {
    const stories = fc.sample(storyArb, 40);
    const models = [...READ_MODELS.values()];
    let writing = true;
    const projecting = (async () => {
      while (writing) for (const m of models) await projectBatch(db.prisma, m, 5);
    })();
    const written = writeConcurrently(stories, 3, 2);
    await new Promise((r) => setTimeout(r, 50));
    // Rebuild each model mid-stream: the projector waits for it, then carries on.
    for (const m of models) await rebuildProjection(db.prisma, m, { batch: 7 });
    await written;
    writing = false;
    await projecting;
    for (const m of models) await catchUp(m);
    const incremental = await snapshot();
    expect(incremental.billing).toEqual(expectedBilling(await journalInOrder()));
    expect(incremental.popular.reduce((n, r) => n + r.quantity, 0)).toBe(
      stories.reduce((n, s) => n + s.events.filter((e) => e.type === 'ItemPurchased').length, 0),
    );
    // And rebuilt once more, quietly, from scratch: the same numbers, to the cent and the unit.
    for (const m of models) await rebuildProjection(db.prisma, m);
    expect(await snapshot()).toEqual(incremental);
    const positions = await db.prisma.projectionPosition.findMany();
    for (const p of positions) expect(p.events).toBe(BigInt((await journalInOrder()).length));
  });

  it('popular items count units per vendor, product and day', async () => {
    await appendJournal(db.prisma, [
      shipped('o1', 'v1', 'p1', 100, '2026-11-30T10:00:00Z'),
      shipped('o2', 'v1', 'p1', 100, '2026-11-30T11:00:00Z'),
    ]);
    await catchUp(popularItems);
    expect((await db.prisma.popularItem.findMany()).map((r) => r.quantity)).toEqual([2]);
  });
});

describe('npm run projections:rebuild', () => {
  const cli = async (...args: string[]) => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'rebuild-cli-'));
    try {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', 'src/cli/rebuild-projection.ts', ...args],
        { env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: db.url, DATA_DIR: dataDir, LOG_LEVEL: 'silent' } },
      );
      return { code: 0, stdout };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout + e.stderr };
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  };

  it('rebuilds the model named from the whole journal, and names the models when asked for another', async () => {
    await appendJournal(db.prisma, [shipped('o1', 'v1', 'p1', 100, '2026-11-30T10:00:00Z')]);
    await catchUp(popularItems);
    // A read model gone wrong (a bug since fixed, a hand edit): the rebuild makes it right again.
    await db.prisma.$executeRawUnsafe('UPDATE popular_items SET quantity = 99');
    const run = await cli('popular-items');
    expect(run.stdout).toMatch(/popular-items: rebuilt from 1 journal events/);
    expect((await db.prisma.popularItem.findMany()).map((r) => r.quantity)).toEqual([1]);
    const wrong = await cli('no-such-model');
    expect(wrong.code).toBe(2);
    expect(wrong.stdout).toContain('popular-items|vendor-billing|order-funnel|all');
  });
});
