/**
 * 7. One hot product. (a) The hold itself: many concurrent holdStock calls (src/db/inventory.store.ts)
 * on one product's stock row, from a pool as wide as the worker's; then more holds than stock is
 * left, which must all be refused. (b) Whole orders, all for that one product, to `reserved`, next
 * to the same number of orders spread over many products, interleaved run by run. Then nothing may
 * be oversold: reserved ≤ on hand for every row, and the stock invariants hold.
 */
import { randomUUID } from 'node:crypto';
import { checkInvariants } from '../../src/db/invariants.js';
import { holdStock } from '../../src/db/inventory.store.js';
import { figures, type Measure } from '../lib/measure.js';
import { placeUntilReserved, stockUp, type Lines } from '../lib/orders.js';
import { inParallel } from '../lib/shopper.js';

const CONCURRENCY = 20;

export const hotProduct: Measure = {
  name: 'hot-product',
  number: 7,
  title: 'One hot product',
  question:
    "How fast can one product's stock row take holds, and how do orders all for one product compare with the same orders spread over many? Is anything oversold?",
  async run(ctx) {
    const holds = ctx.smoke ? 60 : 2_000;
    const orders = ctx.smoke ? 8 : 100;
    const rate = ctx.smoke ? 20 : 40;
    // Products nothing holds yet (from the far end of the catalog): one per run for (a), the rest for (b).
    const untouched = await ctx.stack.prisma.product.findMany({
      where: { inventory: { reserved: 0 } },
      orderBy: { sku: 'desc' },
      take: ctx.runs + 41,
      select: { id: true },
    });
    const rows = untouched.slice(0, ctx.runs).map((p) => p.id);
    const [hot, ...others] = untouched.slice(ctx.runs).map((p) => p.id);
    const f = figures({
      holdsPerSecond: [`**(a) holds per second on one stock row**, ${CONCURRENCY} at once`, '/s'],
      refused: ['(a) holds past the stock, refused (all must be)', '%'],
      hotOrders: ['(b) orders all for the hot product → reserved', '/s'],
      spreadOrders: ['(b) the same orders spread over many products → reserved', '/s'],
      ratio: ['**(b) hot ÷ spread**', '×'],
      oversold: ['**units oversold** (reserved beyond on hand, every product)', ''],
      invariantsBroken: ['stock invariants broken', ''],
    });
    for (let run = 0; run < ctx.runs; run++) {
      // (a) exactly `holds` units on hand: the first `holds` holds take them, the next half must fail.
      const row = rows[run]!;
      await stockUp(ctx, [row], holds);
      const tag = randomUUID();
      const started = performance.now();
      let held = 0;
      await inParallel(holds, CONCURRENCY, async (i) => {
        if ((await holdStock(ctx.stack.prisma, { orderId: `bench-${tag}-${i}`, productId: row, quantity: 1 })).held)
          held++;
      });
      const seconds = (performance.now() - started) / 1000;
      let extraHeld = 0;
      await inParallel(holds / 2, CONCURRENCY, async (i) => {
        if ((await holdStock(ctx.stack.prisma, { orderId: `bench-${tag}-x${i}`, productId: row, quantity: 1 })).held)
          extraHeld++;
      });
      f.add('holdsPerSecond', holds / seconds);
      f.add('refused', (100 * (holds / 2 - extraHeld)) / (holds / 2));
      if (held !== holds) ctx.log(`  only ${held} of ${holds} holds with stock for all of them`);

      // (b) one line of one unit each: all the hot product, or each its own product.
      await stockUp(ctx, [hot!, ...others]);
      const hotOrders: Lines[] = Array.from({ length: orders }, () => [{ productId: hot!, quantity: 1 }]);
      const spread: Lines[] = Array.from({ length: orders }, (_, i) => [
        { productId: others[i % others.length]!, quantity: 1 },
      ]);
      const h = await placeUntilReserved(ctx, hotOrders, rate);
      const s = await placeUntilReserved(ctx, spread, rate);
      f.add('hotOrders', h.perSecond);
      f.add('spreadOrders', s.perSecond);
      f.add('ratio', h.perSecond / s.perSecond);
      const [sum] = await ctx.stack.prisma.$queryRaw<{ oversold: number }[]>`
        SELECT COALESCE(SUM(GREATEST(reserved - on_hand, 0)), 0)::int AS oversold FROM inventory`;
      const oversold = sum!.oversold;
      f.add('oversold', oversold);
      f.add('invariantsBroken', (await checkInvariants(ctx.stack.prisma)).filter((r) => !r.ok).length);
      ctx.log(
        ` run ${run + 1}/${ctx.runs}: ${(holds / seconds).toFixed(0)} holds/s; orders hot ${h.perSecond.toFixed(1)}/s, spread ${s.perSecond.toFixed(1)}/s; ${oversold} oversold`,
      );
    }
    return {
      figures: f.all,
      targets: [
        { figure: 'holdsPerSecond', op: '>=', bound: 200, label: '(a) ≥ 200 holds/s' },
        { figure: 'ratio', op: '>=', bound: 0.9, label: '(b) ≥ 0.9× the spread orders' },
        { figure: 'oversold', op: '<=', bound: 0, label: '0 oversold' },
        { figure: 'invariantsBroken', op: '<=', bound: 0, label: 'stock invariants hold' },
      ],
      setup: `(a) holdStock called directly from the suite's process through a Prisma pool of 20 (the worker's own is 10), ${CONCURRENCY} at once: ${holds} holds of one unit on a row with exactly ${holds} on hand (timed), then ${holds / 2} more that must be refused. (b) Per run ${orders} orders of one unit, offered open loop at ${rate}/s, timed until all are \`reserved\`: first all for the hot product, then each for another product.`,
    };
  },
};
