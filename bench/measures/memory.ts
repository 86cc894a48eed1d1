/**
 * 5. Worker resident memory per idle cached cart: a fresh worker process with maxCachedWorkflows set
 * explicitly (above the carts made), then batches of new carts with one line each; after each batch
 * settles, the growth of the worker's resident set (VmRSS) divided by the carts in the batch. The
 * SDK's own cache gauge confirms the carts stayed cached.
 */
import { inStockProducts, prepareCarts } from '../lib/carts.js';
import { figures, type Context, type Measure } from '../lib/measure.js';
import { residentBytes } from '../lib/processes.js';
import { sleep } from '../lib/stats.js';
import { scrapeCounter } from './cart-throughput.js';

/** The worker process's own `process.memoryUsage()`, asked over its IPC channel (src/worker.ts). */
function workerMemory(ctx: Context): Promise<NodeJS.MemoryUsage> {
  const { child } = ctx.stack.worker;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the worker did not say its memory within 10 s')), 10_000);
    const onMessage = (m: { type?: string; usage?: NodeJS.MemoryUsage }) => {
      if (m?.type !== 'memory' || !m.usage) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(m.usage);
    };
    child.on('message', onMessage);
    child.send({ type: 'memory' });
  });
}

export const memory: Measure = {
  name: 'memory',
  number: 5,
  title: 'Worker memory per idle cached cart',
  question: 'How much resident memory does the worker hold per idle cart in its workflow cache?',
  async run(ctx) {
    const batch = ctx.smoke ? 40 : 2_000;
    const cacheSize = batch * ctx.runs + 1_000;
    const settleMs = ctx.smoke ? 1_000 : 5_000;
    await ctx.stack.restartWorker({ WORKER_MAX_CACHED_WORKFLOWS: String(cacheSize) });
    const products = await inStockProducts(ctx, 20);
    const f = figures({
      perCart: ['**resident memory per idle cached cart**', 'KB'],
      mainHeap: ["of which the main thread's V8 heap (used)", 'KB'],
      outside: ["outside the main thread's heap (the workflow thread's isolate, Core's native cache)", 'KB'],
      per10k: ['growth per 10,000 carts', 'MB'],
      cached: ['workflows in the worker cache after the batch', ''],
      rss: ['worker resident set after the batch', 'MB'],
    });
    // The drains and a few carts first, so the baseline is a running worker, not an empty one.
    await prepareCarts(ctx, ctx.smoke ? 5 : 50, products);
    await sleep(settleMs);
    let before = await residentBytes(ctx.stack.worker.pid);
    let heapBefore = await workerMemory(ctx);
    ctx.log(` worker ${(before / 2 ** 20).toFixed(0)} MB before`);
    for (let run = 0; run < ctx.runs; run++) {
      await prepareCarts(ctx, batch, products);
      await sleep(settleMs);
      const after = await residentBytes(ctx.stack.worker.pid);
      const heapAfter = await workerMemory(ctx);
      const perCart = (after - before) / batch;
      f.add('perCart', perCart / 1024);
      f.add('mainHeap', (heapAfter.heapUsed - heapBefore.heapUsed) / batch / 1024);
      f.add('outside', (after - before - (heapAfter.heapTotal - heapBefore.heapTotal)) / batch / 1024);
      heapBefore = heapAfter;
      f.add('per10k', (perCart * 10_000) / 2 ** 20);
      f.add('rss', after / 2 ** 20);
      const cached = await scrapeCounter(ctx.stack.workerMetricsUrl, 'temporal_sticky_cache_size').catch(
        () => undefined,
      );
      if (cached !== undefined) f.add('cached', cached);
      ctx.log(
        ` batch ${run + 1}/${ctx.runs}: +${((after - before) / 2 ** 20).toFixed(1)} MB for ${batch} carts, ${cached ?? '?'} cached`,
      );
      before = after;
    }
    // The next measures get a worker with the default cache again.
    await ctx.stack.restartWorker();
    return {
      figures: f.all,
      targets: [{ figure: 'perCart', op: '<=', bound: 250, label: '≤ 250 KB per cart' }],
      setup: `A fresh worker process with maxCachedWorkflows = ${cacheSize}; ${ctx.runs} batches of ${batch} new carts (one line each, made over HTTP, 8 at a time), ${settleMs / 1000} s to settle after each; each run is one batch's growth of VmRSS divided by its carts. No forced GC: this is what the process holds.`,
    };
  },
};
