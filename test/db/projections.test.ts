/**
 * A read model built from the journal counts every event exactly once (src/db/projections.ts), on
 * a real PostgreSQL: applied again, raced by other projectors, or cut off mid-batch.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { appendJournal, type JournalInput } from '../../src/db/journal.store.js';
import { popularItems, projectBatch, type Projection } from '../../src/db/projections.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});
beforeEach(async () => {
  await db.prisma.$executeRawUnsafe('TRUNCATE journal_events, projection_positions, popular_items');
});

const purchase = (productId: string, quantity: number, day = '2026-11-30'): JournalInput => {
  const orderId = randomUUID();
  return {
    eventId: `ItemPurchased:${orderId}:${productId}`,
    type: 'ItemPurchased',
    aggregateId: orderId,
    payload: { orderId, productId, vendorId: 'v1', name: `Product ${productId}`, quantity, day },
    occurredAt: `${day}T12:00:00Z`,
  };
};

const counts = async () =>
  Object.fromEntries(
    (await db.prisma.popularItem.findMany({ orderBy: { productId: 'asc' } })).map((r) => [r.productId, r.quantity]),
  );

async function catchUp(projection: Projection, limit: number): Promise<number> {
  let total = 0;
  for (;;) {
    const { applied } = await projectBatch(db.prisma, projection, limit);
    if (applied === 0) return total;
    total += applied;
  }
}

describe('projections', () => {
  it('count each event once, however often they run', async () => {
    await appendJournal(db.prisma, [purchase('a', 2), purchase('a', 3), purchase('b', 1)]);
    expect(await catchUp(popularItems, 2)).toBe(3);
    expect(await counts()).toEqual({ a: 5, b: 1 });
    expect(await catchUp(popularItems, 2)).toBe(0);
    await appendJournal(db.prisma, [purchase('b', 4)]);
    expect(await catchUp(popularItems, 2)).toBe(1);
    expect(await counts()).toEqual({ a: 5, b: 5 });
    const position = await db.prisma.projectionPosition.findUniqueOrThrow({ where: { name: 'popular-items' } });
    expect(position.events).toBe(4n);
  });

  it('count each event once when several projectors race over the same journal', async () => {
    const events = Array.from({ length: 40 }, (_, i) => purchase(`p${i % 4}`, 1 + (i % 3)));
    await appendJournal(db.prisma, events);
    const applied = await Promise.all(Array.from({ length: 4 }, () => catchUp(popularItems, 3)));
    expect(applied.reduce((a, b) => a + b, 0)).toBe(40);
    const expected: Record<string, number> = {};
    for (const e of events) {
      const p = e.payload as { productId: string; quantity: number };
      expected[p.productId] = (expected[p.productId] ?? 0) + p.quantity;
    }
    expect(await counts()).toEqual(expected);
  });

  it('leave nothing of a batch cut off midway, and apply it whole on the next run', async () => {
    await appendJournal(db.prisma, [purchase('a', 2), purchase('b', 3)]);
    const dying: Projection = {
      name: popularItems.name,
      tables: popularItems.tables,
      async apply(tx, batch) {
        await popularItems.apply(tx, batch);
        throw new Error('the worker died here');
      },
    };
    await expect(projectBatch(db.prisma, dying, 10)).rejects.toThrow('the worker died here');
    expect(await counts()).toEqual({});
    expect(await catchUp(popularItems, 10)).toBe(2);
    expect(await counts()).toEqual({ a: 2, b: 3 });
  });
});
