/**
 * 3. Checkout (cart → order) time to 202: the cart workflow's update that starts the order as a
 * child and answers once it exists, over HTTP, next to a bare Temporal update. Windows alternate at
 * the same low offered rate; each cart is checked out once.
 */
import { inStockProducts, prepareCarts, type Cart } from '../lib/carts.js';
import { figures, type Measure } from '../lib/measure.js';
import { shippingAddress } from '../lib/shopper.js';
import { latencyWindow } from '../lib/windows.js';

export const checkout: Measure = {
  name: 'checkout',
  number: 3,
  title: 'Checkout to 202',
  question: 'How long does a shopper wait for the 202 after checking out a cart, against a bare Temporal update?',
  async run(ctx) {
    const perRun = ctx.smoke ? 3 : 30;
    const rate = 2;
    const products = await inStockProducts(ctx, 20);
    const carts = await prepareCarts(ctx, perRun * (ctx.runs + 1), products, 2);
    const [counter] = await ctx.stack.counters(1);
    const bare = {
      kind: 'update',
      address: ctx.stack.temporalAddress,
      workflowIds: [counter!],
      update: 'bump',
    } as const;
    const checkoutsOf = (batch: Cart[]) =>
      ({
        kind: 'http',
        baseUrl: ctx.stack.url,
        requests: batch.map((cart) => ({
          method: 'POST',
          path: `/api/carts/${cart.id}/checkout`,
          body: { email: 'bench@example.com', shippingAddress, paymentMethod: 'pm_card_visa' },
          headers: cart.headers,
          idempotencyKey: true,
        })),
      }) as const;
    const f = figures({
      checkoutP50: ['checkout → 202, p50', 'ms'],
      checkoutP99: ['checkout → 202, p99', 'ms'],
      bareP50: ['bare update, p50', 'ms'],
      bareP99: ['bare update, p99', 'ms'],
      ratioP50: ['**checkout p50 ÷ bare p50**', '×'],
      ratioP99: ['checkout p99 ÷ bare p99', '×'],
    });
    // The first batch warms up and is not counted.
    for (let run = -1; run < ctx.runs; run++) {
      const batch = carts.slice((run + 1) * perRun, (run + 2) * perRun);
      const c = await latencyWindow(ctx, checkoutsOf(batch), rate, perRun / rate);
      const b = await latencyWindow(ctx, bare, rate, perRun / rate);
      if (run < 0) continue;
      ctx.log(` run ${run + 1}/${ctx.runs}: checkout p50 ${c.p50.toFixed(1)} ms, bare p50 ${b.p50.toFixed(1)} ms`);
      f.add('checkoutP50', c.p50);
      f.add('checkoutP99', c.p99);
      f.add('bareP50', b.p50);
      f.add('bareP99', b.p99);
      f.add('ratioP50', c.p50 / b.p50);
      f.add('ratioP99', c.p99 / b.p99);
    }
    return {
      figures: f.all,
      targets: [{ figure: 'ratioP50', op: '<=', bound: 1.5, label: 'p50 ≤ 1.5× a bare update' }],
      setup: `Open loop at ${rate}/s: ${perRun} checkouts of carts with 2 lines each, then ${perRun} bare updates, per run (one warm-up batch first).`,
    };
  },
};
