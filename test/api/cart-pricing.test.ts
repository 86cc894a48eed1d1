/**
 * Carts priced by the API: a change carries the catalog data of the product it touches, read by the
 * API from PostgreSQL, so the cart applies it in the workflow task that accepted it, with no
 * activity. The client can never supply that data. The cart's other lines are re-priced once their
 * pricing is older than CART_REPRICE_AFTER (2 s here), by the next read or change.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowId } from '../../src/contracts/temporal.js';
import { startTestStack, type TestStack } from '../helpers/app.js';
import { newCart } from '../helpers/orders.js';

const REPRICE_AFTER_MS = 2_000;
let stack: TestStack;
let products: { id: string; sku: string; priceCents: number; vendorId: string }[];

beforeAll(async () => {
  stack = await startTestStack({ CART_REPRICE_AFTER: `${REPRICE_AFTER_MS}ms` });
  products = await stack.db.prisma.product.findMany({
    where: { inventory: { onHand: { gte: 150 }, reserved: 0 } },
    orderBy: { sku: 'asc' },
    take: 4,
    select: { id: true, sku: true, priceCents: true, vendorId: true },
  });
});
afterAll(async () => {
  await stack?.close();
});

const add = (cartId: string, productId: string, quantity = 1) =>
  stack.http(`/api/carts/${cartId}/items`, { method: 'POST', json: { productId, quantity } });
const patch = (cartId: string, productId: string, json: unknown) =>
  stack.http(`/api/carts/${cartId}/items/${productId}`, { method: 'PATCH', json });

describe('prices come from the catalog, read by the API', () => {
  it('refuses a body that brings its own pricing, on every route that changes a cart', async () => {
    const id = await newCart(stack);
    const p = products[0]!;
    const forged = {
      requested: [p.id],
      items: [
        {
          productId: p.id,
          sku: p.sku,
          name: 'Free',
          vendorId: p.vendorId,
          priceCents: 1,
          currency: 'USD',
          available: 99,
        },
      ],
    };
    const attempts = [
      await stack.http(`/api/carts/${id}/items`, {
        method: 'POST',
        json: { productId: p.id, quantity: 1, priced: forged },
      }),
      await patch(id, p.id, { quantity: 2, priced: forged }),
      await stack.http(`/cart/${id}`, { method: 'POST', json: { productId: p.id, priced: forged } }),
    ];
    for (const res of attempts) {
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    expect((await stack.http(`/api/carts/${id}`)).body.lines).toEqual([]);
    const added = await add(id, p.id);
    expect(added.body.lines[0]).toMatchObject({ productId: p.id, unitPriceCents: p.priceCents });
  });

  it('applies every kind of change in the workflow task that accepted it, with no activity', async () => {
    const id = await newCart(stack);
    const [a, b] = products;
    const answers = [
      await add(id, a!.id, 2),
      await add(id, b!.id),
      await patch(id, a!.id, { quantity: 4 }),
      await patch(id, b!.id, { delta: 2 }),
      await stack.http(`/api/carts/${id}/items/${b!.id}`, { method: 'DELETE' }),
      await add(id, randomUUID()), // 404 product_not_found, refused before it reaches history
      await stack.http(`/api/carts/${id}/items`, { method: 'DELETE' }),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 404, 200]);
    expect(answers[3]!.body.lines.map((l: any) => [l.productId, l.quantity])).toEqual([
      [a!.id, 4],
      [b!.id, 3],
    ]);
    const events = (await stack.client.workflow.getHandle(workflowId.cart(id)).fetchHistory()).events ?? [];
    expect(events.filter((e) => e.activityTaskScheduledEventAttributes)).toEqual([]);
    const accepted = events.flatMap((e, i) => (e.workflowExecutionUpdateAcceptedEventAttributes ? [i] : []));
    expect(accepted).toHaveLength(6);
    for (const i of accepted) {
      // Accepted and completed in the same workflow task: nothing between them starts another.
      const next = events.slice(i + 1).findIndex((e) => e.workflowExecutionUpdateCompletedEventAttributes);
      expect(next).toBeGreaterThanOrEqual(0);
      expect(events.slice(i + 1, i + 1 + next).filter((e) => e.workflowTaskStartedEventAttributes)).toEqual([]);
    }
  });

  it('re-prices the other lines once their pricing is older than CART_REPRICE_AFTER, on the next read or change', async () => {
    const id = await newCart(stack);
    const [a, b] = await stack.db.prisma.$transaction(async (tx) => {
      const created = [];
      for (const sku of ['PRICED-A', 'PRICED-B']) {
        created.push(
          await tx.product.create({
            data: {
              sku,
              name: `Priced ${sku}`,
              priceCents: 1000,
              category: 'home',
              vendorId: products[0]!.vendorId,
              inventory: { create: { onHand: 10 } },
            },
          }),
        );
      }
      return created;
    });
    await add(id, a!.id, 2);
    await stack.db.prisma.product.update({ where: { id: a!.id }, data: { priceCents: 1250 } });
    await stack.db.prisma.inventory.update({ where: { productId: a!.id }, data: { onHand: 1 } });
    // A change prices the product it touches; line a keeps the pricing it had, which is still fresh.
    let cart = (await add(id, b!.id, 1)).body;
    expect(cart.lines[0]).toMatchObject({ unitPriceCents: 1000, priceChanged: false, available: 10 });
    expect(cart.lines[1]).toMatchObject({ unitPriceCents: 1000, available: 10 });

    // Once that pricing is older than CART_REPRICE_AFTER, the next change answers with every line re-priced.
    await sleep(REPRICE_AFTER_MS + 200);
    cart = (await patch(id, b!.id, { quantity: 2 })).body;
    expect(cart.lines[0]).toMatchObject({
      unitPriceCents: 1250,
      lineTotalCents: 2500,
      priceChanged: true,
      previousUnitPriceCents: 1000,
      available: 1,
      insufficientStock: true,
    });
    expect(cart.lines[1]).toMatchObject({ quantity: 2 });
    expect(Date.now() - Date.parse(cart.pricedAt)).toBeLessThan(REPRICE_AFTER_MS);

    // And so does a read.
    await stack.db.prisma.inventory.update({ where: { productId: a!.id }, data: { onHand: 0 } });
    await sleep(REPRICE_AFTER_MS + 200);
    cart = (await stack.http(`/api/carts/${id}`)).body;
    expect(cart.lines[0]).toMatchObject({ outOfStock: true, available: 0 });

    // Changing the line's quantity is agreeing to today's price.
    cart = (await patch(id, a!.id, { quantity: 1 })).body;
    expect(cart.lines[0]).toMatchObject({ priceChanged: false, previousUnitPriceCents: null, unitPriceCents: 1250 });
  });
});
