/**
 * 6. The first change after a worker restart, for carts whose histories hold about 10, 100 and
 * 1,000 events: the new worker process rebuilds each cart by replaying its history. Next to the
 * change right after it (warm). Replay speed: history events over the extra time the first change took.
 */
import { inStockProducts } from '../lib/carts.js';
import { figures, type Context, type Measure } from '../lib/measure.js';
import { inParallel, shopper } from '../lib/shopper.js';

async function historyLength(ctx: Context, cartId: string) {
  return (await ctx.stack.client.workflow.getHandle(`cart-${cartId}`).fetchHistory()).events?.length ?? 0;
}

/** A cart whose history has at least `events` events (quantity changes back and forth). */
async function cartWithHistory(ctx: Context, productId: string, events: number) {
  const owner = shopper(ctx.stack.url);
  const id = await owner.newCart();
  await owner.json('POST', `/api/carts/${id}/items`, { productId, quantity: 1 });
  let n = await historyLength(ctx, id);
  for (let q = 2; n < events; q = q === 2 ? 1 : 2) {
    await owner.json('PATCH', `/api/carts/${id}/items/${productId}`, { quantity: q });
    if (q === 1) n = await historyLength(ctx, id);
  }
  return { id, headers: owner.cookie(), events: await historyLength(ctx, id) };
}

export const restart: Measure = {
  name: 'restart',
  number: 6,
  title: 'First change after a worker restart',
  question:
    'What does a worker restart cost a cart with a long history (rebuilt by replaying it), against a warm change, and how fast does the worker replay?',
  async run(ctx) {
    const sizes = ctx.smoke ? [10, 40] : [10, 100, 1_000];
    const [productId] = await inStockProducts(ctx, 1);
    const defs: Record<string, [string, string]> = {};
    for (const s of sizes) {
      defs[`events${s}`] = [`cart of ~${s} events: history events`, ''];
      defs[`first${s}`] = [`cart of ~${s} events: first change after restart`, 'ms'];
      defs[`next${s}`] = [`cart of ~${s} events: next change (warm)`, 'ms'];
      defs[`ratio${s}`] = [`**cart of ~${s} events: first ÷ warm**`, '×'];
      defs[`replay${s}`] = [`cart of ~${s} events: replay speed`, 'events/s'];
    }
    defs.coldWorker = ["the new worker's very first change (a small cart, not counted above)", 'ms'];
    const f = figures(defs);
    const warmUps: Awaited<ReturnType<typeof cartWithHistory>>[] = [];
    for (let run = 0; run < ctx.runs; run++) warmUps.push(await cartWithHistory(ctx, productId!, 1));
    // One cart per size per run, all made before the first restart (two at a time).
    const carts: Record<number, Awaited<ReturnType<typeof cartWithHistory>>[]> = {};
    for (const s of sizes) {
      carts[s] = [];
      await inParallel(ctx.runs, 2, async () => carts[s]!.push(await cartWithHistory(ctx, productId!, s)));
    }
    const change = async ({ id, headers }: { id: string; headers: Record<string, string> }, quantity: number) => {
      const r = await ctx.stack.load({
        rate: 1,
        count: 1,
        target: {
          kind: 'http',
          baseUrl: ctx.stack.url,
          requests: [
            {
              method: 'PATCH',
              path: `/api/carts/${id}/items/${productId}`,
              body: { quantity },
              headers,
              idempotencyKey: true,
            },
          ],
        },
      });
      if (r.ok !== 1) throw new Error(`change failed: ${r.errors[0]}`);
      return r.latencies[0]!;
    };
    for (let run = 0; run < ctx.runs; run++) {
      await ctx.stack.restartWorker();
      // The new process's own first task (connections, the JIT) is paid by a cart of its own.
      f.add('coldWorker', await change(warmUps[run]!, 5));
      for (const s of sizes) {
        const cart = carts[s]![run]!;
        const first = await change(cart, 3);
        const next = await change(cart, 4);
        f.add(`events${s}`, cart.events);
        f.add(`first${s}`, first);
        f.add(`next${s}`, next);
        f.add(`ratio${s}`, first / next);
        f.add(`replay${s}`, cart.events / (Math.max(first - next, 1) / 1000));
        ctx.log(` run ${run + 1}: ${cart.events} events, first ${first.toFixed(1)} ms, next ${next.toFixed(1)} ms`);
      }
    }
    const big = sizes.at(-1)!;
    return {
      figures: f.all,
      targets: [
        ...(sizes.includes(100)
          ? [{ figure: 'ratio100', op: '<=' as const, bound: 3, label: '≤ 3× a warm change at 100 events' }]
          : []),
        {
          figure: `ratio${big}`,
          op: '<=',
          bound: 5,
          label: `≤ 5× a warm change at ${big.toLocaleString('en')} events`,
        },
      ],
      setup: `Per run: the worker process stopped (SIGTERM) and a new one started, then for each size one cart's first change (PATCH quantity) and the change after it, one at a time. Carts are made beforehand by alternating quantities until their histories reach the size.`,
    };
  },
};
