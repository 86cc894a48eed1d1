/**
 * 4. Orders placed → `reserved` per second (two lines each, many in flight), next to workflows of
 * three no-op activities run to completion on the baseline worker, interleaved run by run. Also what
 * one order takes to get there, read from its history.
 */
import { inStockProducts } from '../lib/carts.js';
import { figures, type Measure } from '../lib/measure.js';
import { chainsPerSecond, placeUntilReserved, stepsToReserved, stockUp, type Lines } from '../lib/orders.js';

const BASELINE_STEPS = 3;

export const orders: Measure = {
  name: 'orders',
  number: 4,
  title: 'Orders placed → reserved per second',
  question: `How many orders per second reach \`reserved\` (stock held, payment authorized) with many in flight, against workflows of ${BASELINE_STEPS} no-op activities run to completion?`,
  async run(ctx) {
    const count = ctx.smoke ? 8 : 150;
    const rate = ctx.smoke ? 20 : 40;
    const products = await inStockProducts(ctx, 40);
    await stockUp(ctx, products);
    const lines = (i: number): Lines => [
      { productId: products[i % products.length]!, quantity: 1 },
      { productId: products[(i + 7) % products.length]!, quantity: 2 },
    ];
    const f = figures({
      orders: ['**orders placed → reserved** (2 lines each)', '/s'],
      chains: [`workflows of ${BASELINE_STEPS} no-op activities, to completion`, '/s'],
      ratio: ['**orders ÷ bare workflows**', '×'],
      inFlight: ['orders in flight at most', ''],
      activities: ['activities an order runs to reach reserved', ''],
      workflowTasks: ['workflow tasks an order takes to reach reserved', ''],
    });
    // A small warm-up of both, not counted.
    await placeUntilReserved(
      ctx,
      Array.from({ length: ctx.smoke ? 2 : 10 }, (_, i) => lines(i)),
      rate,
    );
    await chainsPerSecond(ctx, ctx.smoke ? 2 : 10, BASELINE_STEPS, rate);
    for (let run = 0; run < ctx.runs; run++) {
      const o = await placeUntilReserved(
        ctx,
        Array.from({ length: count }, (_, i) => lines(i)),
        rate,
      );
      const chains = await chainsPerSecond(ctx, count, BASELINE_STEPS, rate);
      ctx.log(` run ${run + 1}/${ctx.runs}: orders ${o.perSecond.toFixed(1)}/s, chains ${chains.toFixed(1)}/s`);
      f.add('orders', o.perSecond);
      f.add('chains', chains);
      f.add('ratio', o.perSecond / chains);
      f.add('inFlight', o.maxInFlight);
      const steps = await stepsToReserved(ctx, o.orderIds[0]!);
      f.add('activities', steps.activities);
      f.add('workflowTasks', steps.workflowTasks);
    }
    return {
      figures: f.all,
      targets: [
        { figure: 'ratio', op: '>=', bound: 0.8, label: `≥ 0.8× bare workflows of ${BASELINE_STEPS} no-op activities` },
      ],
      setup: `Per run, ${count} orders offered open loop at ${rate}/s (POST /api/orders; simulated payments), timed from the first placement until the last reaches \`reserved\` in PostgreSQL; then ${count} baseline workflows offered the same way, timed to the last completion.`,
    };
  },
};
