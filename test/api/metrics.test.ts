import { randomUUID } from 'node:crypto';
import { Connection } from '@temporalio/client';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { createPaymentProvider } from '../../src/payments/index.js';
import { startTestStack, TEST_ADMIN_TOKEN, type TestStack } from '../helpers/app.js';
import { placeOrder, waitForOrder } from '../helpers/orders.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.close();
});

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (comments skipped). */
function parse(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a sample line: ${line}`);
      const labels = Object.fromEntries(
        [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
      );
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

/** The value of the one sample with this name and exactly these labels. */
function value(samples: Sample[], name: string, labels: Record<string, string>): number | undefined {
  const key = JSON.stringify(Object.entries(labels).sort());
  return samples.find((s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === key)?.value;
}

async function scrape(): Promise<{ text: string; samples: Sample[] }> {
  const res = await fetch(`${stack.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  return { text, samples: parse(text) };
}

async function eventually(done: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`not done in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const count = (route: string, status: number, method = 'GET') => ({ method, route, status_code: String(status) });

describe('GET /metrics', () => {
  it('measures request latency by method, route pattern and status, never by raw URL', async () => {
    const products = (await stack.http('/api/products?limit=2')).body.items as { id: string }[];
    for (const product of products) expect((await stack.http(`/api/products/${product.id}`)).status).toBe(200);
    const missing = randomUUID();
    expect((await stack.http(`/api/products/${missing}`)).status).toBe(404);
    expect((await stack.http(`/api/no-such-route/${missing}`)).status).toBe(404);
    expect((await stack.http('/')).status).toBe(200); // the storefront: a static file
    await stack.http('/metrics');

    const { text, samples } = await scrape();
    expect(value(samples, 'http_request_duration_seconds_count', count('/api/products/:id', 200))).toBe(2);
    expect(value(samples, 'http_request_duration_seconds_count', count('/api/products/:id', 404))).toBe(1);
    expect(value(samples, 'http_request_duration_seconds_count', count('/api/products', 200))).toBe(1);
    expect(value(samples, 'http_request_duration_seconds_count', count('unmatched', 404))).toBe(1);
    expect(value(samples, 'http_request_duration_seconds_sum', count('/api/products/:id', 200))).toBeGreaterThan(0);
    const buckets = samples.filter(
      (s) => s.name === 'http_request_duration_seconds_bucket' && s.labels.route === '/api/products/:id',
    );
    expect(buckets.find((s) => s.labels.le === '+Inf' && s.labels.status_code === '200')?.value).toBe(2);

    // No id in any label, and neither the scrapes nor static files among the routes.
    for (const id of [...products.map((p) => p.id), missing]) expect(text).not.toContain(id);
    const routes = new Set(
      samples.filter((s) => s.name.startsWith('http_request_duration')).map((s) => s.labels.route),
    );
    expect(routes).not.toContain('/metrics');
    expect(routes).not.toContain('/');
    expect(routes).not.toContain('/index.html');

    // Node's process metrics.
    expect(samples.some((s) => s.name === 'process_cpu_user_seconds_total')).toBe(true);
    expect(samples.some((s) => s.name === 'nodejs_heap_size_used_bytes')).toBe(true);
  });

  it('counts orders by status from the read side at scrape time', async () => {
    const { samples: before } = await scrape();
    const at = (samples: Sample[], status: string) => value(samples, 'orders_by_status', { status }) ?? NaN;
    // Every status has a series from the start, at 0 when no order has it.
    for (const status of ['placed', 'awaiting_payment', 'reserved', 'delivered', 'cancelled'])
      expect(at(before, status), status).toBeGreaterThanOrEqual(0);

    const insert = (status: string) =>
      stack.db.prisma.order.create({
        data: {
          id: randomUUID(),
          status,
          email: 'metrics@example.com',
          currency: 'USD',
          totalCents: 1000,
          shippingAddress: {},
          version: 1,
          createdAt: new Date(),
          updatedAt: new Date(),
        },
      });
    await insert('delivered');
    await insert('delivered');
    await insert('cancelled');

    // And one real order, placed through the API and run by the worker; it waits in picking (2h by default).
    const placed = await placeOrder(stack, { email: 'metrics@example.com', paymentMethod: 'pm_card_visa' });
    await waitForOrder(stack, placed.orderId, (o) => o.status === 'picking');

    const { samples: after } = await scrape();
    expect(at(after, 'delivered') - at(before, 'delivered')).toBe(2);
    expect(at(after, 'cancelled') - at(before, 'cancelled')).toBe(1);
    expect(at(after, 'picking') - at(before, 'picking')).toBe(1);
    const rows = await stack.db.prisma.order.groupBy({ by: ['status'], _count: { _all: true } });
    for (const row of rows) expect(at(after, row.status), row.status).toBe(row._count._all);
  });

  it('needs the bearer token when METRICS_TOKEN is set; apps never share series', async () => {
    const token = 'metrics-token-0123456789';
    const config = { ...stack.config, metrics: { ...stack.config.metrics, token } };
    const connection = Connection.lazy({ address: config.temporal.address });
    const app = await buildApp(
      {
        config,
        prisma: stack.db.prisma,
        temporal: { client: stack.client, connection },
        payments: createPaymentProvider(config, stack.db.prisma),
      },
      { logger: false },
    );
    try {
      for (const authorization of [undefined, 'Bearer wrong-token-0123456789', `Basic ${token}`, token]) {
        const res = await app.inject({ url: '/metrics', headers: authorization ? { authorization } : {} });
        expect(res.statusCode, authorization).toBe(401);
        expect(res.json().error.code).toBe('unauthorized');
      }
      const ok = await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${token}` } });
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toContain('orders_by_status{status="delivered"}');
      // This app has served nothing but /metrics: none of the other app's requests show here.
      expect(ok.body).not.toContain('/api/products');
    } finally {
      await app.close();
      await connection.close();
    }
    // Without a token (the test stack), /metrics is open.
    expect((await fetch(`${stack.url}/metrics`)).status).toBe(200);
  });
});

describe('request logs', () => {
  it('carry the order or cart id of their route on every line of the request', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
        done();
      },
    });
    const connection = Connection.lazy({ address: stack.config.temporal.address });
    const app = await buildApp(
      {
        config: stack.config,
        prisma: stack.db.prisma,
        temporal: { client: stack.client, connection },
        payments: createPaymentProvider(stack.config, stack.db.prisma),
      },
      { loggerInstance: pino({ level: 'info', base: { service: 'api' } }, sink) },
    );
    try {
      const [orderId, cartId, productId] = [randomUUID(), randomUUID(), randomUUID()];
      const requests: ['GET' | 'POST' | 'DELETE', string, Record<string, string>][] = [
        ['GET', `/api/orders/${orderId}`, { orderId }],
        ['POST', `/api/admin/orders/${orderId}/cancel`, { orderId }],
        ['DELETE', `/api/carts/${cartId}/items/${productId}`, { cartId, productId }],
        ['GET', `/cart/${cartId}`, { cartId }],
      ];
      for (const [method, url, ids] of requests) {
        lines.length = 0;
        const res = await app.inject({ method, url, headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
        expect(res.statusCode, url).toBe(404);
        await eventually(() => lines.some((l) => l.msg === 'request completed'));
        expect(lines.map((l) => l.msg)[0], url).toBe('incoming request');
        for (const line of lines) expect(line, url).toMatchObject({ service: 'api', ...ids });
      }
      // A route without ids logs none.
      lines.length = 0;
      await app.inject({ url: '/api/products?limit=1' });
      await eventually(() => lines.some((l) => l.msg === 'request completed'));
      for (const line of lines) expect(line).not.toHaveProperty('orderId');
    } finally {
      await app.close();
      await connection.close();
    }
  });
});
