/** Carts for the cart measures: products with plenty of stock, carts with lines, requests on them. */
import type { HttpRequestSpec } from './load-plan.js';
import type { Context } from './measure.js';
import { inParallel, shopper } from './shopper.js';

/** `count` product ids with stock on hand and nothing held. */
export async function inStockProducts(ctx: Context, count: number): Promise<string[]> {
  const rows = await ctx.stack.prisma.product.findMany({
    where: { inventory: { onHand: { gte: 50 } } },
    orderBy: { sku: 'asc' },
    take: count,
    select: { id: true },
  });
  if (rows.length < count) throw new Error(`only ${rows.length} products in stock, ${count} wanted`);
  return rows.map((r) => r.id);
}

/** A cart and the session that owns it (a session owns at most 20 carts, as a shopper's would). */
export interface Cart {
  id: string;
  headers: Record<string, string>;
}

/** `count` new carts, each of its own shopper, each with `lines` lines already (so it is warm). */
export async function prepareCarts(ctx: Context, count: number, products: string[], lines = 1): Promise<Cart[]> {
  const carts: Cart[] = [];
  await inParallel(count, 8, async (i) => {
    const owner = shopper(ctx.stack.url);
    const id = await owner.newCart();
    for (let l = 0; l < lines; l++)
      await owner.json('POST', `/api/carts/${id}/items`, {
        productId: products[(i + l * 7) % products.length],
        quantity: 1,
      });
    carts.push({ id, headers: owner.cookie() });
  });
  return carts;
}

/** Add-to-cart requests that take turns over the carts (so no one cart's updates queue up). */
export function addToCartRequests(carts: Cart[], products: string[], count = 2_000): HttpRequestSpec[] {
  return Array.from({ length: count }, (_, i) => {
    const cart = carts[i % carts.length]!;
    return {
      method: 'POST',
      path: `/api/carts/${cart.id}/items`,
      body: { productId: products[Math.floor(i / carts.length) % products.length], quantity: 1 },
      headers: cart.headers,
      idempotencyKey: true,
    };
  });
}
