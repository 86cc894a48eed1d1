import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const run = () =>
  spawnSync('npm', ['run', '--silent', 'check:invariants'], {
    env: { ...process.env, DATABASE_URL: db.url, ADMIN_TOKEN: 'test-admin-token-0123456789' },
    encoding: 'utf8',
    timeout: 60_000,
  });

describe('npm run check:invariants', () => {
  it('passes on a consistent database, naming every check', () => {
    const result = run();
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout.match(/^✔ /gm)).toHaveLength(7);
  });

  it('fails, naming the product and the numbers, when stock and its ledger disagree or a hold is lost', async () => {
    const [a, b] = await db.prisma.inventory.findMany({
      where: { onHand: { gte: 10 } },
      take: 2,
      include: { product: true },
    });
    // Stock that appears from nowhere, and a reservation count no order accounts for.
    await db.prisma.inventory.update({ where: { productId: a!.productId }, data: { onHand: a!.onHand + 3 } });
    await db.prisma.inventory.update({ where: { productId: b!.productId }, data: { reserved: 2 } });
    const result = run();
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('✘ stock on hand + shipped = initial + restocked + adjustments');
    expect(result.stdout).toContain(`${a!.product.sku}: on hand ${a!.onHand + 3}, ledger says ${a!.onHand}`);
    expect(result.stdout).toContain('✘ reserved = the sum of active holds');
    expect(result.stdout).toContain(`${b!.product.sku}: reserved 2, held by orders 0`);
  });

  it('fails when an order was charged for more than it shipped', async () => {
    await db.prisma.order.create({
      data: {
        id: 'order-overcharged',
        status: 'delivered',
        email: 'x@example.com',
        currency: 'USD',
        totalCents: 1000,
        authorizedCents: 1000,
        capturedCents: 1000,
        shippingAddress: {},
        version: 1,
        createdAt: new Date(),
        updatedAt: new Date(),
      },
    });
    const result = run();
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('order-overcharged: captured 1000, refunded 0, shipped lines worth 0');
  });
});
