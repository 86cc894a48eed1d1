/**
 * Read models built from the journal, exactly once: a batch of events is read after the model's
 * stored position (src/db/journal-reader.ts, which never skips one), applied, and the position moved,
 * all in one transaction that first locks the model's position row. Two projectors racing take
 * turns (the second reads after the position the first committed); one killed mid-batch leaves
 * nothing behind (its transaction rolls back whole); a batch applied again is not read again.
 */
import { positionAfter, readJournal, type JournalPosition, type JournalRecord } from './journal-reader.js';
import type { Prisma, PrismaClient } from './prisma.js';

export interface Projection {
  name: string;
  /** Applies events, in journal order, to the read model, within the batch's transaction. */
  apply(tx: Prisma.TransactionClient, events: JournalRecord[]): Promise<void>;
}

export interface BatchOutcome {
  applied: number;
  position: JournalPosition;
}

/** Reads, applies and records one batch of at most `limit` events; `applied: 0` when caught up. */
export async function projectBatch(prisma: PrismaClient, projection: Projection, limit: number): Promise<BatchOutcome> {
  return prisma.$transaction(async (tx) => {
    await tx.$executeRaw`INSERT INTO projection_positions (name) VALUES (${projection.name}) ON CONFLICT DO NOTHING`;
    const [row] = await tx.$queryRaw<{ tx_id: string; seq: string }[]>`
      SELECT tx_id::text AS tx_id, seq::text AS seq FROM projection_positions
      WHERE name = ${projection.name} FOR UPDATE`;
    const position = { txId: row!.tx_id, seq: row!.seq };
    const events = await readJournal(tx, position, limit);
    if (events.length === 0) return { applied: 0, position };
    await projection.apply(tx, events);
    const next = positionAfter(position, events);
    await tx.$executeRaw`
      UPDATE projection_positions
      SET tx_id = ${next.txId}::xid8, seq = ${next.seq}::bigint, events = events + ${events.length}, updated_at = now()
      WHERE name = ${projection.name}`;
    return { applied: events.length, position: next };
  });
}

/** Units shipped per vendor, product and day, from ItemPurchased (one per shipped line). */
export const popularItems: Projection = {
  name: 'popular-items',
  async apply(tx, events) {
    const totals = new Map<
      string,
      { vendorId: string; productId: string; day: string; name: string; quantity: number }
    >();
    for (const e of events) {
      if (e.type !== 'ItemPurchased') continue;
      const p = e.payload as { vendorId: string; productId: string; day: string; name: string; quantity: number };
      const key = `${p.vendorId}|${p.productId}|${p.day}`;
      const sum = totals.get(key);
      if (sum) {
        sum.quantity += p.quantity;
        sum.name = p.name;
      } else
        totals.set(key, {
          vendorId: p.vendorId,
          productId: p.productId,
          day: p.day,
          name: p.name,
          quantity: p.quantity,
        });
    }
    for (const t of totals.values())
      await tx.$executeRaw`
        INSERT INTO popular_items (vendor_id, product_id, day, name, quantity)
        VALUES (${t.vendorId}, ${t.productId}, ${t.day}::date, ${t.name}, ${t.quantity})
        ON CONFLICT (vendor_id, product_id, day)
        DO UPDATE SET quantity = popular_items.quantity + EXCLUDED.quantity, name = EXCLUDED.name`;
  },
};
