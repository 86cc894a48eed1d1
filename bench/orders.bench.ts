/**
 * `npm run bench:orders`. Measured against baselines in the same run:
 *  1. Checkout request → 202 (cart update that starts the order as a child), and POST /api/orders
 *     → 202, next to a bare Temporal update and a bare workflow start.
 *  2. Orders reaching `reserved` per second with CONCURRENCY requests in flight, next to a
 *     workflow running the same number of no-op activities (an order makes ~10 before `reserved`):
 *     the ratio is what Postgres, the provider and our own logic cost on top of Temporal.
 * Results go to BENCHMARKS.md (between the orders markers) and bench/results/orders.json.
 */
import { randomUUID } from 'node:crypto';
import { setStock } from '../src/db/inventory.store.js';
import { bumpUpdate } from './baseline.workflows.js';
import {
  httpJson,
  machine,
  newCart,
  startBaseline,
  startBenchStack,
  summarize,
  timed,
  writeResults,
} from './harness.js';

const N = Number(process.env.BENCH_N ?? 100);
const LOAD = Number(process.env.BENCH_LOAD ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);
const ACTIVITIES_BEFORE_RESERVED = 10;

// Orders stop at picking for the whole run: throughput is placement → reserved, nothing after.
const stack = await startBenchStack({ PICKING_DURATION: '1d', PAYMENT_TIMEOUT: '1h' });
const products = await stack.prisma.product.findMany({ orderBy: { sku: 'asc' }, take: 40, select: { id: true } });
for (const p of products)
  await setStock(stack.prisma, p.id, { onHand: 100_000, restockThreshold: 0, restockQuantity: 0 });

const address = { name: 'Bench Mark', line1: '1 Load Lane', city: 'Springfield', postalCode: '12345', country: 'US' };
const http = (method: string, path: string, body?: unknown) => httpJson(stack, method, path, body);
const lines = (i: number) => [
  { productId: products[i % products.length]!.id, quantity: 1 },
  { productId: products[(i + 7) % products.length]!.id, quantity: 2 },
];

const { worker, done } = await stack.startWorker();
const baseline = await startBaseline(stack);
const { counter, queue: baselineQueue } = baseline;

// ---- 1. latency to 202, interleaved with the baselines ----
const carts: string[] = [];
for (let i = 0; i < N + 10; i++) {
  const id = await newCart(stack);
  for (const line of lines(i)) await http('POST', `/api/carts/${id}/items`, line);
  carts.push(id);
}
const samples = { checkout: [] as number[], place: [] as number[], update: [] as number[], start: [] as number[] };
for (let i = -10; i < N; i++) {
  const checkout = await timed(() =>
    http('POST', `/api/carts/${carts[i + 10]}/checkout`, {
      email: 'bench@example.com',
      shippingAddress: address,
      paymentMethod: 'pm_card_visa',
    }),
  );
  const place = await timed(() =>
    http('POST', '/api/orders', {
      lines: lines(i + 10),
      email: 'bench@example.com',
      shippingAddress: address,
      paymentMethod: 'pm_card_visa',
    }),
  );
  const update = await timed(() => counter.executeUpdate(bumpUpdate, { args: [1] }));
  const start = await timed(() =>
    stack.client.workflow.start('emptyWorkflow', { taskQueue: baselineQueue, workflowId: `empty-${randomUUID()}` }),
  );
  if (i >= 0) {
    samples.checkout.push(checkout);
    samples.place.push(place);
    samples.update.push(update);
    samples.start.push(start);
  }
}
const latency = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, summarize(v)])) as Record<
  keyof typeof samples,
  ReturnType<typeof summarize>
>;

// ---- 2. throughput under concurrent load ----
async function inParallel(count: number, task: (i: number) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) await task(next++);
    }),
  );
}
const loadEmail = `load-${randomUUID()}@example.com`;
const loadStart = Date.now();
await inParallel(LOAD, (i) =>
  http('POST', '/api/orders', {
    lines: lines(i),
    email: loadEmail,
    shippingAddress: address,
    paymentMethod: 'pm_card_visa',
  }),
);
for (;;) {
  const reached = await stack.prisma.order.count({
    where: { email: loadEmail, status: { in: ['reserved', 'picking', 'shipped', 'delivered'] } },
  });
  if (reached >= LOAD) break;
  await new Promise((r) => setTimeout(r, 50));
}
const ordersSeconds = (Date.now() - loadStart) / 1000;

const chainStart = Date.now();
await inParallel(LOAD, () =>
  stack.client.workflow.execute('chainWorkflow', {
    taskQueue: baselineQueue,
    workflowId: `chain-${randomUUID()}`,
    args: [ACTIVITIES_BEFORE_RESERVED],
  }),
);
const chainSeconds = (Date.now() - chainStart) / 1000;

worker.shutdown();
await Promise.all([baseline.stop(), done]);
await stack.close();

// ---- report ----
const r = (a: number, b: number) => (a / b).toFixed(2);
const ordersPerSecond = LOAD / ordersSeconds;
const chainsPerSecond = LOAD / chainSeconds;
const report = {
  measuredAt: new Date().toISOString(),
  machine: machine(),
  samples: N,
  load: LOAD,
  concurrency: CONCURRENCY,
  latency,
  ordersPerSecond,
  chainsPerSecond,
};
const row = (label: string, s: ReturnType<typeof summarize>, base: number) =>
  `| ${label} | ${s.p50} | ${s.p90} | ${s.p99} | ${r(s.p50, base)} |`;
const md = [
  `Measured ${report.measuredAt.slice(0, 16).replace('T', ' ')} UTC on ${report.machine}; dev server and embedded PostgreSQL on the same machine. ${N} samples each, interleaved; load of ${LOAD} orders with ${CONCURRENCY} in flight.`,
  '',
  '| request → answer | p50 ms | p90 ms | p99 ms | p50 ÷ bare update |',
  '| --- | --- | --- | --- | --- |',
  row('bare Temporal update', latency.update, latency.update.p50),
  row('bare workflow start', latency.start, latency.update.p50),
  row('**checkout → 202** (cart update starting the order)', latency.checkout, latency.update.p50),
  row('**POST /api/orders → 202** (catalog check, idempotency key, start)', latency.place, latency.update.p50),
  '',
  `| throughput, ${CONCURRENCY} in flight | per second | ratio |`,
  '| --- | --- | --- |',
  `| workflows of ${ACTIVITIES_BEFORE_RESERVED} no-op activities, to completion | ${chainsPerSecond.toFixed(1)} | 1.00 |`,
  `| **orders placed → reserved** (2 lines each) | ${ordersPerSecond.toFixed(1)} | **${r(ordersPerSecond, chainsPerSecond)}** |`,
].join('\n');
console.log(`\n${md}\n`);
writeResults('orders', report, md);
process.exit(0);
