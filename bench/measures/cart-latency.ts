/**
 * 1. Warm add-to-cart over HTTP (API → cart workflow update → catalog activity → Postgres), p50 and
 * p99, at a low rate and at half the highest sustainable rate (measure 2's, or searched here when
 * run alone), next to bare Temporal updates offered at the same rate. Windows alternate, carts then
 * bare, so machine noise hits both alike.
 */
import { figures, type Measure } from '../lib/measure.js';
import { latencyWindow, maxSustainableRate } from '../lib/windows.js';
import { cartTargets } from './cart-throughput.js';

const LOW_RATE = 5;

export const cartLatency: Measure = {
  name: 'cart-latency',
  number: 1,
  title: 'Warm add-to-cart latency',
  question:
    'How long does a warm add-to-cart take over HTTP, at low load and at half the highest sustainable rate, against a bare Temporal update offered at the same rate?',
  async run(ctx) {
    const { carts, bare } = await cartTargets(ctx);
    const seconds = ctx.smoke ? 1 : 12;
    let max = (ctx.shared.get('cart-max-rates') as { carts: number } | undefined)?.carts;
    if (max === undefined) {
      ctx.log(' searching the highest sustainable rate (measure 2 did not run first)');
      const found = await maxSustainableRate(ctx, carts, {
        start: ctx.smoke ? 5 : 10,
        windowSeconds: ctx.smoke ? 1 : 6,
        p99Bound: 100,
        maxSteps: ctx.smoke ? 2 : 8,
      });
      max = found.rate;
    }
    const half = Math.max(1, max / 2);
    const f = figures({
      lowCartP50: [`add to cart at ${LOW_RATE}/s, p50`, 'ms'],
      lowCartP99: [`add to cart at ${LOW_RATE}/s, p99`, 'ms'],
      lowBareP50: [`bare update at ${LOW_RATE}/s, p50`, 'ms'],
      lowBareP99: [`bare update at ${LOW_RATE}/s, p99`, 'ms'],
      lowRatioP50: [`**p50 ÷ bare, at ${LOW_RATE}/s**`, '×'],
      lowRatioP99: [`**p99 ÷ bare, at ${LOW_RATE}/s**`, '×'],
      halfCartP50: [`add to cart at ${half.toFixed(1)}/s (half the highest), p50`, 'ms'],
      halfCartP99: [`add to cart at ${half.toFixed(1)}/s, p99`, 'ms'],
      halfBareP50: [`bare update at ${half.toFixed(1)}/s, p50`, 'ms'],
      halfBareP99: [`bare update at ${half.toFixed(1)}/s, p99`, 'ms'],
      halfRatioP50: ['**p50 ÷ bare, at half the highest rate**', '×'],
      halfRatioP99: ['**p99 ÷ bare, at half the highest rate**', '×'],
    });
    for (let run = 0; run < ctx.runs; run++) {
      ctx.log(` run ${run + 1}/${ctx.runs}`);
      for (const [prefix, rate] of [
        ['low', LOW_RATE],
        ['half', half],
      ] as const) {
        const long = { minSamples: ctx.smoke ? 1 : 60, maxSeconds: ctx.smoke ? 1 : 30 };
        const c = await latencyWindow(ctx, carts, rate, seconds, long);
        const b = await latencyWindow(ctx, bare, rate, seconds, long);
        f.add(`${prefix}CartP50`, c.p50);
        f.add(`${prefix}CartP99`, c.p99);
        f.add(`${prefix}BareP50`, b.p50);
        f.add(`${prefix}BareP99`, b.p99);
        f.add(`${prefix}RatioP50`, c.p50 / b.p50);
        f.add(`${prefix}RatioP99`, c.p99 / b.p99);
        ctx.log(
          `  ${rate.toFixed(1)}/s: cart p50 ${c.p50.toFixed(1)} p99 ${c.p99.toFixed(1)}, bare p50 ${b.p50.toFixed(1)} p99 ${b.p99.toFixed(1)}`,
        );
      }
    }
    return {
      figures: f.all,
      targets: [
        { figure: 'lowRatioP50', op: '<=', bound: 1.3, label: `p50 ≤ 1.3× bare, at ${LOW_RATE}/s` },
        { figure: 'lowRatioP99', op: '<=', bound: 2, label: `p99 ≤ 2× bare, at ${LOW_RATE}/s` },
        { figure: 'halfRatioP50', op: '<=', bound: 1.3, label: 'p50 ≤ 1.3× bare, at half the highest rate' },
        { figure: 'halfRatioP99', op: '<=', bound: 2, label: 'p99 ≤ 2× bare, at half the highest rate' },
      ],
      setup: `Open loop, ${seconds} s windows (at least 60 requests, up to 30 s) alternating add-to-cart and bare update at the same offered rate: ${LOW_RATE}/s, then ${half.toFixed(1)}/s (half of ${max.toFixed(1)}/s, the highest sustainable rate found by measure 2 in this suite run). Latency runs from each request's due time.`,
    };
  },
};
