/**
 * Placement in one transaction on a real PostgreSQL (src/db/placement.store.ts): priced, confirmed,
 * every line held or backordered, the summary and its milestone written, or nothing at all; a retry
 * takes nothing twice; placements sharing products in opposite orders neither deadlock nor oversell.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { placeOrder } from '../../src/db/placement.store.js';
import { saveOrderSummary } from '../../src/db/orders.store.js';
import { createOrder, orderView, type OrderState } from '../../src/domain/order.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

let taken = 0;
/** Products of the seed nobody else in this file uses, each with `onHand` units and nothing reserved. */
async function products(...onHand: number[]) {
  const rows = await db.prisma.product.findMany({
    where: { inventory: { reserved: 0 } },
    orderBy: { id: 'asc' },
    skip: 10 + taken,
    take: onHand.length,
  });
  taken += onHand.length;
  for (const [i, p] of rows.entries())
    await db.prisma.inventory.update({ where: { productId: p.id }, data: { onHand: onHand[i]! } });
  return rows;
}

function order(lines: { productId: string; quantity: number }[]): OrderState {
  return createOrder({
    id: randomUUID(),
    currency: 'USD',
    email: 'ada@example.com',
    shippingAddress: { name: 'Ada', line1: '1 Main St', city: 'London', postalCode: 'N1', country: 'GB' },
    lines: lines.map((l) => ({ ...l, sku: '', name: '', vendorId: '', unitPriceCents: 0 })),
    payBy: '2026-12-01T00:00:00.000Z',
    attemptsAllowed: 3,
    now: '2026-11-30T12:00:00.000Z',
  });
}
const at = '2026-11-30T12:00:01.000Z';
const reserved = async (productId: string) =>
  (await db.prisma.inventory.findUniqueOrThrow({ where: { productId } })).reserved;
const messages = (orderId: string) => db.prisma.notification.findMany({ where: { subjectId: orderId } });
const summary = (orderId: string) => db.prisma.order.findUnique({ where: { id: orderId } });

describe('placing an order in one transaction', () => {
  it('prices from the catalog, holds what is there, backorders what is not, confirms and records', async () => {
    const [a, b] = await products(5, 1);
    const state = order([
      { productId: a!.id, quantity: 2 },
      { productId: b!.id, quantity: 3 },
    ]);
    const placed = await placeOrder(db.prisma, { state, at, cancelRequested: null });

    expect(placed.holds.map((h) => [h.productId, h.held])).toEqual(
      expect.arrayContaining([
        [a!.id, true],
        [b!.id, false],
      ]),
    );
    expect(placed.wrote).toEqual({ summary: true, confirmation: true });
    expect(await reserved(a!.id)).toBe(2);
    expect(await reserved(b!.id)).toBe(0);
    expect(await db.prisma.backorderWait.findMany({ where: { orderId: state.id } })).toEqual([
      expect.objectContaining({ productId: b!.id, quantity: 3 }),
    ]);
    const saved = await summary(state.id);
    expect(saved).toMatchObject({ status: 'placed', totalCents: 2 * a!.priceCents + 3 * b!.priceCents });
    const view = saved!.view as { lines: { productId: string; status: string; unitPriceCents: number }[] };
    expect(view.lines.map((l) => [l.productId, l.status, l.unitPriceCents])).toEqual([
      [a!.id, 'held', a!.priceCents],
      [b!.id, 'backordered', b!.priceCents],
    ]);
    expect((await messages(state.id)).map((m) => m.kind)).toEqual(['order_confirmed']);
    const journaled = await db.prisma.journalEvent.findMany({ where: { aggregateId: state.id } });
    expect(journaled.map((e) => e.type)).toEqual(['OrderPlaced']);
  });

  it('a retry after a commit whose answer was lost takes nothing twice and answers the same', async () => {
    const [a] = await products(4);
    const state = order([{ productId: a!.id, quantity: 3 }]);
    const first = await placeOrder(db.prisma, { state, at, cancelRequested: null });
    const again = await placeOrder(db.prisma, { state, at, cancelRequested: null });
    expect(again.holds).toEqual(first.holds);
    expect(again.wrote).toEqual({ summary: false, confirmation: false });
    expect(await reserved(a!.id)).toBe(3);
    expect(await messages(state.id)).toHaveLength(1);
  });

  it('attempts of the same placement racing each other hold the stock once and answer alike', async () => {
    const [a, b] = await products(6, 6);
    const state = order([
      { productId: a!.id, quantity: 2 },
      { productId: b!.id, quantity: 1 },
    ]);
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => placeOrder(db.prisma, { state, at, cancelRequested: null })),
    );
    for (const answer of answers) expect(answer.holds.every((h) => h.held)).toBe(true);
    expect(await reserved(a!.id)).toBe(2);
    expect(await reserved(b!.id)).toBe(1);
    expect(await messages(state.id)).toHaveLength(1);
    expect(answers.filter((p) => p.wrote.summary)).toHaveLength(1);
  });

  it('a line the database refuses takes nothing back with it: no hold, no message, no summary', async () => {
    const [a, b] = await products(5, 5);
    // b loses its stock record: its hold fails after a's, inside the same transaction.
    await db.prisma.inventory.delete({ where: { productId: b!.id } });
    const state = order([
      { productId: a!.id, quantity: 1 },
      { productId: b!.id, quantity: 1 },
    ]);
    await expect(placeOrder(db.prisma, { state, at, cancelRequested: null })).rejects.toMatchObject({
      code: 'product_not_found',
    });
    expect(await reserved(a!.id)).toBe(0);
    expect(await db.prisma.reservation.count({ where: { orderId: state.id } })).toBe(0);
    expect(await messages(state.id)).toHaveLength(0);
    expect(await summary(state.id)).toBeNull();
  });

  it('an order none of whose products is sold any more is recorded cancelled, taking and telling nothing', async () => {
    const state = order([{ productId: randomUUID(), quantity: 1 }]);
    const placed = await placeOrder(db.prisma, { state, at, cancelRequested: null });
    expect(placed).toMatchObject({ items: [], holds: [], wrote: { summary: true, confirmation: false } });
    expect(await summary(state.id)).toMatchObject({ status: 'cancelled', cancelReason: 'unavailable' });
    expect(await messages(state.id)).toHaveLength(0);
  });

  it('many placements sharing two products in opposite orders: no deadlock, no unit sold twice', async () => {
    const [x, y] = await products(7, 7);
    const states = Array.from({ length: 16 }, (_, i) =>
      order(
        i % 2 === 0
          ? [
              { productId: x!.id, quantity: 1 },
              { productId: y!.id, quantity: 1 },
            ]
          : [
              { productId: y!.id, quantity: 1 },
              { productId: x!.id, quantity: 1 },
            ],
      ),
    );
    const placed = await Promise.all(
      states.map((state) => placeOrder(db.prisma, { state, at, cancelRequested: null })),
    );
    for (const product of [x!, y!]) {
      const held = placed.flatMap((p) => p.holds).filter((h) => h.productId === product.id && h.held).length;
      expect(held).toBe(7);
      expect(await reserved(product.id)).toBe(7);
    }
  });
});

describe('a summary written before the lines were priced', () => {
  it('is written (status, flags), its lines left as the API recorded them on acceptance', async () => {
    const [a] = await products(3);
    const accepted = order([{ productId: a!.id, quantity: 1 }]);
    const priced = {
      ...accepted,
      lines: accepted.lines.map((l) => ({
        ...l,
        sku: a!.sku,
        name: a!.name,
        vendorId: a!.vendorId,
        unitPriceCents: a!.priceCents,
      })),
    };
    await saveOrderSummary(db.prisma, orderView(priced));
    const stuck = { ...orderView(accepted), version: 2, flags: ['step_failed' as const] };
    expect(await saveOrderSummary(db.prisma, stuck)).toMatchObject({ written: true });
    expect(await summary(accepted.id)).toMatchObject({ flags: ['step_failed'], version: 2 });
    expect(await db.prisma.orderLine.findMany({ where: { orderId: accepted.id } })).toEqual([
      expect.objectContaining({ sku: a!.sku, vendorId: a!.vendorId }),
    ]);
  });
});

describe('a summary written with a message (a step that shows and tells)', () => {
  it('writes both in one statement, the message once however often the step is retried', async () => {
    const [a] = await products(3);
    const o = order([{ productId: a!.id, quantity: 1 }]);
    const view = { ...orderView(o), version: 2 };
    const message = {
      dedupeKey: `order:${o.id}:order_picking`,
      kind: 'order_picking',
      subjectId: o.id,
      recipient: 'ada@example.com',
      payload: { orderId: o.id },
    };
    expect(await saveOrderSummary(db.prisma, view, message)).toEqual({ written: true, told: true });
    // A retry whose first answer was lost: nothing new, neither the summary nor the message.
    expect(await saveOrderSummary(db.prisma, view, message)).toEqual({ written: false, told: false });
    expect(await db.prisma.notification.count({ where: { dedupeKey: message.dedupeKey } })).toBe(1);
    expect(await summary(o.id)).toMatchObject({ version: 2 });
  });
});
