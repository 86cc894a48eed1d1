/**
 * Holds on a real PostgreSQL, numbered per line: a hold given back because the order went unpaid is
 * taken again as hold 2; a retried or late attempt of either hold changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdStock, releaseStock } from '../../src/db/inventory.store.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

async function product(onHand: number) {
  const p = await db.prisma.product.findFirstOrThrow({ where: { inventory: { reserved: 0 } }, skip: 3 });
  await db.prisma.inventory.update({ where: { productId: p.id }, data: { onHand } });
  return p.id;
}
const reserved = async (productId: string) =>
  (await db.prisma.inventory.findUniqueOrThrow({ where: { productId } })).reserved;

describe('numbered holds', () => {
  it('hold 2 after a lapse takes the stock again; late attempts of hold 1 or 2 take nothing more', async () => {
    const productId = await product(10);
    const line = { orderId: 'o-lapse', productId, quantity: 3 };
    expect((await holdStock(db.prisma, line)).held).toBe(true);
    expect(await releaseStock(db.prisma, line)).toEqual({ released: 3 });
    // A late attempt of the first hold: that hold was given back, and stays given back.
    expect((await holdStock(db.prisma, line)).held).toBe(false);
    expect(await reserved(productId)).toBe(0);

    expect((await holdStock(db.prisma, { ...line, holdNo: 2 })).held).toBe(true);
    expect((await holdStock(db.prisma, { ...line, holdNo: 2 })).held).toBe(true); // retried
    expect((await holdStock(db.prisma, line)).held).toBe(true); // hold 1, very late: answered by hold 2
    expect(await reserved(productId)).toBe(3);
  });

  it('hold 2 with too little stock leaves the line free to try again, and holds once stock is there', async () => {
    const productId = await product(2);
    const line = { orderId: 'o-short', productId, quantity: 2 };
    expect((await holdStock(db.prisma, line)).held).toBe(true);
    await releaseStock(db.prisma, line);
    const other = await holdStock(db.prisma, { orderId: 'o-other', productId, quantity: 1 });
    expect(other.held).toBe(true);
    expect(await holdStock(db.prisma, { ...line, holdNo: 2 })).toMatchObject({ held: false, available: 1 });
    await releaseStock(db.prisma, { orderId: 'o-other', productId });
    expect((await holdStock(db.prisma, { ...line, holdNo: 2 })).held).toBe(true);
    expect(await reserved(productId)).toBe(2);
  });

  it('two attempts of hold 2 at once take the stock once', async () => {
    const productId = await product(10);
    const line = { orderId: 'o-race', productId, quantity: 4 };
    await holdStock(db.prisma, line);
    await releaseStock(db.prisma, line);
    const results = await Promise.all([1, 2, 3].map(() => holdStock(db.prisma, { ...line, holdNo: 2 })));
    expect(results.map((r) => r.held)).toEqual([true, true, true]);
    expect(await reserved(productId)).toBe(4);
  });
});
