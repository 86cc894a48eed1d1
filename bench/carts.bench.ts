/**
 * `npm run bench:carts`. Two figures, each measured against a baseline in the same run:
 *  1. Warm add-to-cart latency through HTTP (fastify → Temporal update → catalog activity → Postgres),
 *     next to a bare Temporal update and an update with one no-op activity, interleaved request by
 *     request so machine noise hits all three alike. The ratio to the bare update is the figure.
 *  2. The first change after a worker restart, for carts whose histories hold about 10, 100 and
 *     1,000 events: the new worker rebuilds each cart by replaying its history (the nextcart idea).
 * Results go to BENCHMARKS.md (between the carts markers) and bench/results/carts.json.
 */
import { bumpUpdate, bumpViaActivityUpdate } from './baseline.workflows.js';
import {
  httpJson,
  machine,
  newCart,
  startBaseline,
  startBenchStack,
  summarize,
  timed,
  writeResults,
  type Summary,
} from './harness.js';

const N = Number(process.env.BENCH_N ?? 300);
const stack = await startBenchStack({ CART_MAX_UPDATES_PER_RUN: '1500' });
const products = await stack.prisma.product.findMany({
  where: { inventory: { onHand: { gte: 100 }, reserved: 0 } },
  orderBy: { sku: 'asc' },
  take: 30,
  select: { id: true },
});

const http = (method: string, path: string, body?: unknown) => httpJson(stack, method, path, body);

// ---- 1. warm latency, interleaved with the baselines ----
let { worker, done } = await stack.startWorker();
const baseline = await startBaseline(stack);
const { counter } = baseline;

const cartId = await newCart(stack);
const samples = { http: [] as number[], bare: [] as number[], activity: [] as number[] };
for (let i = -20; i < N; i++) {
  // The first 20 rounds warm caches and connections and are not counted.
  const add = await timed(() =>
    http('POST', `/api/carts/${cartId}/items`, { productId: products[(i + 20) % products.length]!.id, quantity: 1 }),
  );
  const bare = await timed(() => counter.executeUpdate(bumpUpdate, { args: [1] }));
  const activity = await timed(() => counter.executeUpdate(bumpViaActivityUpdate, { args: [1] }));
  if (i >= 0) {
    samples.http.push(add);
    samples.bare.push(bare);
    samples.activity.push(activity);
  }
}
const warm = { http: summarize(samples.http), bare: summarize(samples.bare), activity: summarize(samples.activity) };
await baseline.stop();

// ---- 2. first change after a worker restart, by history size ----
async function historyLength(id: string) {
  return (await stack.client.workflow.getHandle(`cart-${id}`).fetchHistory()).events?.length ?? 0;
}
async function cartWithHistory(events: number): Promise<{ id: string; events: number }> {
  const id = await newCart(stack);
  await http('POST', `/api/carts/${id}/items`, { productId: products[0]!.id, quantity: 1 });
  let n = await historyLength(id);
  for (let q = 2; n < events; q = q === 2 ? 1 : 2) {
    await http('PATCH', `/api/carts/${id}/items/${products[0]!.id}`, { quantity: q });
    if (q === 1) n = await historyLength(id);
  }
  return { id, events: await historyLength(id) };
}
const sizes = [10, 100, 1000];
const REPEATS = 3;
const carts: Record<number, { id: string; events: number }[]> = {};
for (const size of sizes) {
  carts[size] = [];
  for (let r = 0; r < REPEATS; r++) carts[size]!.push(await cartWithHistory(size));
}
worker.shutdown();
await done;
({ worker, done } = await stack.startWorker());
const afterRestart: { targetEvents: number; events: number; first: Summary; next: Summary }[] = [];
for (const size of sizes) {
  const first: number[] = [];
  const next: number[] = [];
  for (const cart of carts[size]!) {
    first.push(await timed(() => http('PATCH', `/api/carts/${cart.id}/items/${products[0]!.id}`, { quantity: 3 })));
    next.push(await timed(() => http('PATCH', `/api/carts/${cart.id}/items/${products[0]!.id}`, { quantity: 4 })));
  }
  const events = Math.round(carts[size]!.reduce((a, c) => a + c.events, 0) / REPEATS);
  afterRestart.push({ targetEvents: size, events, first: summarize(first), next: summarize(next) });
}
worker.shutdown();
await done;
await stack.close();

// ---- report ----
const ratio = (a: number, b: number) => (a / b).toFixed(2);
const report = {
  measuredAt: new Date().toISOString(),
  machine: machine(),
  samples: N,
  warm,
  ratios: {
    httpVsBareP50: Number(ratio(warm.http.p50, warm.bare.p50)),
    httpVsBareP99: Number(ratio(warm.http.p99, warm.bare.p99)),
  },
  afterRestart,
};
const md = [
  `Measured ${report.measuredAt.slice(0, 16).replace('T', ' ')} UTC on ${report.machine}; Temporal dev server (CLI 1.9.1, SQLite) and embedded PostgreSQL 17 on the same machine. ${N} samples each, interleaved.`,
  '',
  '| warm, one request at a time | p50 ms | p90 ms | p99 ms | mean ms | p50 ÷ bare update |',
  '| --- | --- | --- | --- | --- | --- |',
  `| bare Temporal update (no activity) | ${warm.bare.p50} | ${warm.bare.p90} | ${warm.bare.p99} | ${warm.bare.mean} | 1.00 |`,
  `| Temporal update + one no-op activity | ${warm.activity.p50} | ${warm.activity.p90} | ${warm.activity.p99} | ${warm.activity.mean} | ${ratio(warm.activity.p50, warm.bare.p50)} |`,
  `| **add to cart over HTTP** (catalog activity, Postgres) | ${warm.http.p50} | ${warm.http.p90} | ${warm.http.p99} | ${warm.http.mean} | **${ratio(warm.http.p50, warm.bare.p50)}** |`,
  '',
  `| first change after a worker restart | history events | first change p50 ms (max) | next change p50 ms | first ÷ next |`,
  '| --- | --- | --- | --- | --- |',
  ...afterRestart.map(
    (r) =>
      `| cart of ~${r.targetEvents} events | ${r.events} | ${r.first.p50} (${r.first.p99}) | ${r.next.p50} | ${ratio(r.first.p50, r.next.p50)} |`,
  ),
].join('\n');
console.log(`\n${md}\n`);
writeResults('carts', report, md);
process.exit(0);
