/**
 * 8. The catalog at a realistic size: GET /api/products with filters and a sort over 100,000
 * products (bulk-inserted with SQL, with stock and the ledger's opening balance), p50 and p99, next
 * to GET /healthz on the same API process. Windows alternate at the same offered rate.
 */
import type { HttpRequestSpec } from '../lib/load-plan.js';
import { figures, type Context, type Measure } from '../lib/measure.js';
import { percentile } from '../lib/stats.js';
import { latencyWindow } from '../lib/windows.js';

/** `count` more products, spread over the seeded categories and vendors; about a sixth sold out. */
async function bulkInsertProducts(ctx: Context, count: number): Promise<void> {
  const { prisma } = ctx.stack;
  await prisma.$executeRaw`
    WITH v AS (SELECT array_agg(id ORDER BY slug) AS ids FROM vendors),
         c AS (SELECT array_agg(DISTINCT category) AS cats FROM products)
    INSERT INTO products (id, sku, name, description, price_cents, currency, category, vendor_id, created_at, updated_at)
    SELECT gen_random_uuid(), 'BENCH-' || lpad(g::text, 7, '0'),
           'Bench ' || substr(md5(g::text), 1, 10), 'Made for the catalog benchmark.',
           100 + (g * 7919) % 50000, 'USD',
           c.cats[1 + g % array_length(c.cats, 1)], v.ids[1 + g % array_length(v.ids, 1)],
           now() - make_interval(secs => g), now()
    FROM generate_series(1, ${count}::int) g, v, c`;
  await prisma.$executeRaw`
    INSERT INTO inventory (product_id, on_hand, reserved, restock_threshold, restock_quantity, updated_at)
    SELECT id, (abs(hashtext(id::text)) % 6) * 10, 0, 0, 0, now() FROM products WHERE sku LIKE 'BENCH-%'
    ON CONFLICT DO NOTHING`;
  await prisma.$executeRaw`
    INSERT INTO stock_movements (product_id, delta, kind, ref)
    SELECT i.product_id, i.on_hand, 'initial', 'initial:' || i.product_id
    FROM inventory i JOIN products p ON p.id = i.product_id
    WHERE p.sku LIKE 'BENCH-%' AND i.on_hand > 0
    ON CONFLICT DO NOTHING`;
  await prisma.$executeRawUnsafe('ANALYZE');
}

export const catalog: Measure = {
  name: 'catalog',
  number: 8,
  title: 'The catalog at 100,000 products',
  question:
    'How long does a filtered, sorted page of a 100,000-product catalog take, against GET /healthz on the same server?',
  async run(ctx) {
    const size = ctx.smoke ? 2_000 : 100_000;
    const rate = ctx.smoke ? 10 : 20;
    const seconds = ctx.smoke ? 1 : 10;
    const existing = await ctx.stack.prisma.product.count();
    if (existing < size) {
      const started = Date.now();
      await bulkInsertProducts(ctx, size - existing);
      ctx.log(` inserted ${size - existing} products in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    const total = await ctx.stack.prisma.product.count();
    const [top] = await ctx.stack.prisma.$queryRaw<{ category: string }[]>`
      SELECT category FROM products GROUP BY category ORDER BY count(*) DESC LIMIT 1`;
    const category = top!.category;
    const vendor = await ctx.stack.prisma.vendor.findFirstOrThrow({ orderBy: { slug: 'asc' } });
    const queries = [
      '/api/products?sort=-price&inStock=true&limit=20',
      `/api/products?category=${category}&sort=price&minPrice=1000&maxPrice=20000&limit=20`,
      '/api/products?sort=name&inStock=true&limit=50',
      `/api/products?vendor=${vendor.slug}&sort=newest&inStock=false&limit=20`,
    ];
    const get = (path: string): HttpRequestSpec => ({ method: 'GET', path });
    const products = { kind: 'http', baseUrl: ctx.stack.url, requests: queries.map(get) } as const;
    const health = { kind: 'http', baseUrl: ctx.stack.url, requests: [get('/healthz')] } as const;
    await latencyWindow(ctx, products, rate, ctx.smoke ? 0.5 : 3);
    await latencyWindow(ctx, health, rate, ctx.smoke ? 0.5 : 3);
    const f = figures({
      productsP50: ['GET /api/products (filters, sort), p50', 'ms'],
      productsP99: ['GET /api/products (filters, sort), p99', 'ms'],
      healthP50: ['GET /healthz, p50', 'ms'],
      healthP99: ['GET /healthz, p99', 'ms'],
      ratioP50: ['products p50 ÷ healthz p50', '×'],
      ratioP99: ['**products p99 ÷ healthz p99**', '×'],
      ...Object.fromEntries(
        queries.flatMap((q, n) => [
          [`q${n}P50`, [`\`${q.replace('/api/products', '')}\`, p50`, 'ms']],
          [`q${n}P99`, [`\`${q.replace('/api/products', '')}\`, p99`, 'ms']],
        ]),
      ),
    });
    for (let run = 0; run < ctx.runs; run++) {
      const p = await latencyWindow(ctx, products, rate, seconds);
      const h = await latencyWindow(ctx, health, rate, seconds);
      ctx.log(
        ` run ${run + 1}/${ctx.runs}: products p50 ${p.p50.toFixed(1)} p99 ${p.p99.toFixed(1)} ms, healthz p50 ${h.p50.toFixed(1)} p99 ${h.p99.toFixed(1)} ms`,
      );
      f.add('productsP50', p.p50);
      f.add('productsP99', p.p99);
      f.add('healthP50', h.p50);
      f.add('healthP99', h.p99);
      f.add('ratioP50', p.p50 / h.p50);
      f.add('ratioP99', p.p99 / h.p99);
      p.result.latenciesBySpec?.forEach((samples, n) => {
        f.add(`q${n}P50`, percentile(samples, 50));
        f.add(`q${n}P99`, percentile(samples, 99));
      });
    }
    return {
      figures: f.all,
      targets: [{ figure: 'ratioP99', op: '<=', bound: 3, label: 'p99 ≤ 3× GET /healthz' }],
      setup: `${total.toLocaleString('en')} products (${(total - existing > 0 ? size - existing : 0).toLocaleString('en')} bulk-inserted with SQL, then ANALYZE). Open loop at ${rate}/s, ${seconds} s windows alternating the product queries and /healthz. The queries, in turn: ${queries.map((q) => `\`${q}\``).join(', ')}.`,
    };
  },
};
