/**
 * 2. Sustained cart changes per second: the highest offered rate of add-to-cart requests (open
 * loop, spread over many carts) whose p99 stays within 100 ms, next to the same search for bare
 * Temporal updates spread over as many counter workflows. Also Temporal's state transitions per
 * second at the carts' highest rate, from the dev server's own metrics.
 */
import { addToCartRequests, inStockProducts, prepareCarts } from '../lib/carts.js';
import type { LoadTarget } from '../lib/load-plan.js';
import { figures, type Context, type Measure } from '../lib/measure.js';
import { latencyWindow, maxSustainableRate } from '../lib/windows.js';

const P99_BOUND_MS = 100;

/** The carts and counters measures 1 and 2 share: made once per suite run. */
export async function cartTargets(ctx: Context): Promise<{ carts: LoadTarget; bare: LoadTarget }> {
  const cached = ctx.shared.get('cart-targets') as { carts: LoadTarget; bare: LoadTarget } | undefined;
  if (cached) return cached;
  const count = ctx.smoke ? 4 : 40;
  const products = await inStockProducts(ctx, 20);
  const carts = await prepareCarts(ctx, count, products);
  const targets = {
    carts: { kind: 'http', baseUrl: ctx.stack.url, requests: addToCartRequests(carts, products) },
    bare: {
      kind: 'update',
      address: ctx.stack.temporalAddress,
      workflowIds: await ctx.stack.counters(count),
      update: 'bump',
    },
  } satisfies Record<string, LoadTarget>;
  // Warm both paths (connections, caches, the JIT) before anything is counted.
  await latencyWindow(ctx, targets.carts, 10, ctx.smoke ? 0.5 : 3);
  await latencyWindow(ctx, targets.bare, 10, ctx.smoke ? 0.5 : 3);
  ctx.shared.set('cart-targets', targets);
  return targets;
}

/** Sum of a counter or gauge over its label sets (those containing `labels`, if given), from a Prometheus endpoint. */
export async function scrapeCounter(url: string, name: string, labels = ''): Promise<number | undefined> {
  const text = await (await fetch(url)).text();
  let total: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (!(rest.startsWith('{') || rest.startsWith(' ')) || !rest.includes(labels)) continue;
    total = (total ?? 0) + Number(line.split(' ').at(-1));
  }
  return total;
}

export const cartThroughput: Measure = {
  name: 'cart-throughput',
  number: 2,
  title: 'Sustained cart changes per second',
  question: `How many add-to-cart requests per second does the stack sustain with p99 within ${P99_BOUND_MS} ms, against bare Temporal updates per second on the same server?`,
  async run(ctx) {
    const { carts, bare } = await cartTargets(ctx);
    const f = figures({
      carts: ['add to cart over HTTP, highest sustained rate', '/s'],
      bare: ['bare Temporal update, highest sustained rate', '/s'],
      ratio: ['**cart changes ÷ bare updates**', '×'],
      transitions: ['Temporal state transitions per second, carts at their highest rate', '/s'],
      transitionsPerChange: ['state transitions per cart change', ''],
    });
    const opts = {
      windowSeconds: ctx.smoke ? 1 : 8,
      minSamples: ctx.smoke ? 1 : 60,
      maxSeconds: ctx.smoke ? 1 : 16,
      p99Bound: P99_BOUND_MS,
      maxSteps: ctx.smoke ? 2 : 7,
    };
    const found: { carts: number; bare: number }[] = [];
    for (let run = 0; run < ctx.runs; run++) {
      ctx.log(` run ${run + 1}/${ctx.runs}`);
      const c = await maxSustainableRate(ctx, carts, { ...opts, start: ctx.smoke ? 5 : 10 });
      const b = await maxSustainableRate(ctx, bare, { ...opts, start: ctx.smoke ? 5 : 20 });
      f.add('carts', c.rate);
      f.add('bare', b.rate);
      f.add('ratio', c.rate / b.rate);
      found.push({ carts: c.rate, bare: b.rate });
      // State transitions at the carts' highest rate (the dev server counts them per shard).
      if (c.rate > 0) {
        // One sample of this histogram per mutable-state update, i.e. per state transition.
        const transitions = () =>
          scrapeCounter(ctx.stack.temporalMetricsUrl, 'state_transition_count_count', 'namespace="default"');
        const before = await transitions();
        const w = await latencyWindow(ctx, carts, c.rate, opts.windowSeconds, opts);
        const after = await transitions();
        if (before !== undefined && after !== undefined) {
          f.add('transitions', (after - before) / (w.result.elapsedMs / 1000));
          f.add('transitionsPerChange', (after - before) / w.result.ok);
        }
      }
    }
    const sorted = [...found].sort((a, b) => a.carts - b.carts);
    ctx.shared.set('cart-max-rates', sorted[Math.floor(sorted.length / 2)]);
    return {
      figures: f.all,
      targets: [
        { figure: 'ratio', op: '>=', bound: 0.7, label: 'cart changes per second ≥ 0.7× bare updates per second' },
      ],
      setup: `Open loop, windows of ${opts.windowSeconds} s (longer at low rates, for at least ${opts.minSamples} requests, up to ${opts.maxSeconds} s) from ${ctx.smoke ? 5 : 10}/s (carts) and ${ctx.smoke ? 5 : 20}/s (bare) up by ×1.5 until p99 > ${P99_BOUND_MS} ms or a request fails (twice in a row at that rate; after a failed window the search waits until a trickle of 2/s answers within the bound again, so a backlog does not fail the next one), then halfway back between the last good and first bad rate while they differ by more than 20%. Add-to-cart requests take turns over ${ctx.smoke ? 4 : 40} warm carts; bare updates over as many counter workflows.`,
    };
  },
};
