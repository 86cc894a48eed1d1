/** Load windows on the generator: latency at a fixed offered rate, and the highest sustainable rate. */
import type { LoadResult, LoadTarget } from './load-plan.js';
import type { Context } from './measure.js';
import { percentile } from './stats.js';

export interface Window {
  rate: number;
  p50: number;
  p99: number;
  /** Answered per second over the window. */
  throughput: number;
  result: LoadResult;
}

/**
 * `seconds` of requests at `rate` per second, open loop; longer at low rates so a p99 rests on at
 * least `minSamples` requests (up to `maxSeconds`).
 */
export async function latencyWindow(
  ctx: Context,
  target: LoadTarget,
  rate: number,
  seconds: number,
  { minSamples = 1, maxSeconds = seconds }: { minSamples?: number; maxSeconds?: number } = {},
): Promise<Window> {
  const count = Math.max(1, Math.round(rate * seconds), Math.min(minSamples, Math.round(rate * maxSeconds)));
  const result = await ctx.stack.load({ target, rate, count });
  if (result.failed > 0) ctx.log(`  ${result.failed}/${result.sent} failed at ${rate}/s: ${result.errors[0]}`);
  return {
    rate,
    p50: percentile(result.latencies, 50),
    p99: percentile(result.latencies, 99),
    throughput: result.ok / (result.elapsedMs / 1000),
    result,
  };
}

/** Sustained: every request answered, and p99 within the bound. */
export const sustained = (w: Window, p99Bound: number) =>
  w.result.failed === 0 && w.result.ok === w.result.sent && w.p99 <= p99Bound;

/** Waits until a trickle of requests (2/s) answers within the bound again: the backlog is gone. */
async function settle(ctx: Context, target: LoadTarget, p99Bound: number): Promise<void> {
  for (let attempt = 0; attempt < 10; attempt++) {
    await new Promise((r) => setTimeout(r, ctx.smoke ? 200 : 3_000));
    const probe = await latencyWindow(ctx, target, 2, ctx.smoke ? 0.5 : 3);
    if (sustained(probe, p99Bound)) return;
  }
  ctx.log(`  ${target.kind}: still slow after 10 probes; going on`);
}

/**
 * The highest offered rate that stays sustained: up by ×1.5 from `start` until a window fails, then
 * one step halfway back. `windowSeconds` each; at most `maxSteps` windows.
 */
export async function maxSustainableRate(
  ctx: Context,
  target: LoadTarget,
  opts: {
    start: number;
    windowSeconds: number;
    p99Bound: number;
    maxSteps: number;
    cap?: number;
    minSamples?: number;
    maxSeconds?: number;
  },
): Promise<{ rate: number; windows: Window[] }> {
  const windows: Window[] = [];
  let good = 0;
  let bad = Infinity;
  let rate = opts.start;
  for (let step = 0; step < opts.maxSteps; step++) {
    let w = await latencyWindow(ctx, target, rate, opts.windowSeconds, opts);
    windows.push(w);
    ctx.log(`  ${target.kind} ${rate.toFixed(1)}/s: p50 ${w.p50.toFixed(1)} ms, p99 ${w.p99.toFixed(1)} ms`);
    if (!sustained(w, opts.p99Bound) && rate > good) {
      // One slow moment (a checkpoint, a GC, another process) should not decide it: a second try.
      await settle(ctx, target, opts.p99Bound);
      w = await latencyWindow(ctx, target, rate, opts.windowSeconds, opts);
      windows.push(w);
      ctx.log(`  ${target.kind} ${rate.toFixed(1)}/s again: p50 ${w.p50.toFixed(1)} ms, p99 ${w.p99.toFixed(1)} ms`);
    }
    if (sustained(w, opts.p99Bound)) good = Math.max(good, rate);
    else bad = Math.min(bad, rate);
    if (bad === Infinity) rate = Math.min(rate * 1.5, opts.cap ?? Infinity);
    else if (bad / Math.max(good, 1e-9) > 1.2) rate = good > 0 ? (good + bad) / 2 : bad / 2;
    else break;
    // An overloaded window leaves a backlog (workflow tasks, activities) that would fail the next one.
    if (!sustained(w, opts.p99Bound)) await settle(ctx, target, opts.p99Bound);
  }
  return { rate: good, windows };
}
