/**
 * Health that tells the truth, and answers that stay bounded when a dependency is away: every
 * route answers within ANSWER_WITHIN (+ a little) with a 503 service_unavailable and Retry-After
 * naming what is down, never a 500 and never a hang; an order is read from the read side when its
 * workflow cannot answer.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { type Config, loadConfig } from '../../src/config.js';
import { createPrisma } from '../../src/db/prisma.js';
import { OrderAccess } from '../../src/api/identity/order-access.js';
import { freePort } from '../../src/dev/ports.js';
import { createPaymentProvider } from '../../src/payments/index.js';
import { startTestStack, TEST_ADMIN_TOKEN, type TestStack } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { address, productsInStock } from '../helpers/orders.js';

const ANSWER_WITHIN = 1_000;
/** ANSWER_WITHIN, the net's grace, and room for a busy machine. */
const BOUND = ANSWER_WITHIN + 3_000;

let stack: TestStack;
let idle: TestStack; // no worker polls its task queue
beforeAll(async () => {
  [stack, idle] = await Promise.all([
    startTestStack({ ANSWER_WITHIN: `${ANSWER_WITHIN}ms` }),
    startTestStack({ ANSWER_WITHIN: `${ANSWER_WITHIN}ms` }, { worker: false }),
  ]);
});
afterAll(async () => {
  await Promise.all([stack?.close(), idle?.close()]);
});

/** A request, and how long it took. */
async function timed<T>(call: () => Promise<T>): Promise<T & { ms: number }> {
  const started = Date.now();
  const res = await call();
  return { ...res, ms: Date.now() - started };
}

const expectUnavailable = (res: { statusCode?: number; status?: number; ms: number; body: any; headers: any }) => {
  expect(res.status ?? res.statusCode, JSON.stringify(res.body)).toBe(503);
  expect(res.body.error.code).toBe('service_unavailable');
  const retryAfter =
    typeof res.headers.get === 'function' ? res.headers.get('retry-after') : res.headers['retry-after'];
  expect(Number(retryAfter)).toBeGreaterThan(0);
  expect(res.ms).toBeLessThan(BOUND);
};

describe('readiness', () => {
  it('is ready when PostgreSQL and Temporal answer and a worker polls the task queue', async () => {
    expect((await stack.http('/healthz')).body).toEqual({ status: 'ok' });
    await expect.poll(async () => (await stack.http('/readyz')).body.status, { timeout: 15_000 }).toBe('ready');
    const ready = await stack.http('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toMatchObject({
      postgres: { ok: true },
      temporal: { ok: true },
      worker: { ok: true, pollers: expect.any(Number) },
    });
    expect(ready.body.checks.worker.pollers).toBeGreaterThan(0);
  });

  it('is degraded, naming the task queue, when no worker polls it', async () => {
    const res = await idle.http('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'degraded',
      checks: {
        postgres: { ok: true },
        temporal: { ok: true },
        worker: { ok: false, pollers: 0, error: expect.stringContaining(`'${idle.config.temporal.taskQueue}'`) },
      },
    });
  });
});

describe('with no worker polling', () => {
  it('an order is read from the read side within the bound, and says so', async () => {
    const [product] = await productsInStock(idle, 1);
    const placed = await idle.http('/api/orders', {
      method: 'POST',
      json: { lines: [{ productId: product!.id, quantity: 1 }], email: 'idle@example.com', shippingAddress: address },
    });
    expect(placed.status).toBe(202);
    const read = await timed(() => idle.http(`/api/orders/${placed.body.orderId}`));
    expect(read.status).toBe(200);
    expect(read.ms).toBeLessThan(BOUND);
    expect(read.headers.get('x-order-source')).toBe('read-side');
    expect(read.body).toMatchObject({ id: placed.body.orderId, status: 'placed', email: 'idle@example.com' });
  });

  it('a cart change answers 503 within the bound, saying it may still be applied and how to retry', async () => {
    const [product] = await productsInStock(idle, 1);
    // Creating it is answered within the bound too; the session keeps the cart it asked for.
    expectUnavailable(await timed(() => idle.http('/api/carts', { method: 'POST' })));
    const { cartId } = (await idle.http('/api/me')).body;
    expect(cartId).toEqual(expect.any(String));
    const res = await timed(() =>
      idle.http(`/api/carts/${cartId}/items`, { method: 'POST', json: { productId: product!.id, quantity: 1 } }),
    );
    expectUnavailable(res);
    expect(res.body.error.message).toMatch(/may still be applied: send the same request again/);
  });

  it('a cancel answers 503 within the bound; nobody waits for ever', async () => {
    const [product] = await productsInStock(idle, 1);
    const placed = await idle.http('/api/orders', {
      method: 'POST',
      json: { lines: [{ productId: product!.id, quantity: 1 }], email: 'idle@example.com', shippingAddress: address },
    });
    expectUnavailable(await timed(() => idle.http(`/api/orders/${placed.body.orderId}/cancel`, { method: 'POST' })));
  });
});

describe('with PostgreSQL and Temporal away', () => {
  let app: Awaited<ReturnType<typeof buildApp>>;
  let prisma: ReturnType<typeof createPrisma>;
  let db: TestDatabase;
  let config: Config;
  beforeAll(async () => {
    const [deadPg, deadTemporal] = [await freePort(), await freePort()];
    config = loadConfig({
      NODE_ENV: 'test',
      SESSION_SECRET: 'test-session-secret-0123456789abcdef',
      ORDER_TOKEN_SECRET: 'test-order-token-secret-0123456789abcdef',
      DATABASE_URL: `postgresql://postgres:postgres@127.0.0.1:${deadPg}/nothing`,
      TEMPORAL_ADDRESS: `127.0.0.1:${deadTemporal}`,
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      ANSWER_WITHIN: `${ANSWER_WITHIN}ms`,
    });
    prisma = createPrisma(config.databaseUrl, 1);
    const connection = Connection.lazy({ address: config.temporal.address });
    app = await buildApp(
      {
        config,
        prisma,
        temporal: { client: new Client({ connection }), connection },
        payments: createPaymentProvider(config, prisma),
      },
      { logger: false },
    );
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await app?.close();
    await prisma?.$disconnect();
    await db?.drop();
  });

  const inject = async (
    path: string,
    init: { method?: 'GET' | 'POST'; payload?: unknown; headers?: Record<string, string> } = {},
  ) => {
    const started = Date.now();
    const res = await app.inject({
      url: path,
      method: init.method ?? 'GET',
      payload: init.payload as any,
      headers: init.headers,
    });
    return { status: res.statusCode, body: res.json(), headers: res.headers, ms: Date.now() - started };
  };

  it('stays alive, and /readyz is 503 naming each dependency with a reason', async () => {
    expect((await inject('/healthz')).status).toBe(200);
    const res = await inject('/readyz');
    expect(res.status).toBe(503);
    expect(res.body.status).toBe('unavailable');
    for (const name of ['postgres', 'temporal', 'worker'] as const) {
      expect(res.body.checks[name]).toMatchObject({ ok: false });
      expect(res.body.checks[name].error.trim().length, `${name}'s reason`).toBeGreaterThan(3);
    }
  });

  it('answers the catalog, orders and carts with 503 naming what is down, within the bound, never a 500', async () => {
    const products = await inject('/api/products');
    expectUnavailable(products);
    expect(products.body.error.details).toEqual({ dependency: 'postgres' });
    const order = await inject('/api/orders', {
      method: 'POST',
      payload: {
        lines: [{ productId: randomUUID(), quantity: 1 }],
        email: 'away@example.com',
        shippingAddress: address,
      },
    });
    expectUnavailable(order);
    // Without its token an order is a 404 whatever is down; with it, the order is looked for.
    const orderId = randomUUID();
    expect((await inject(`/api/orders/${orderId}`)).status).toBe(404);
    const token = new OrderAccess(prisma, config.security.orderTokenSecret).tokenFor(orderId);
    expectUnavailable(await inject(`/api/orders/${orderId}`, { headers: { 'x-order-token': token } }));
    // A stranger's cart id is not looked up at all: 404, as for any cart not this session's.
    expect((await inject(`/api/carts/${randomUUID()}`)).status).toBe(404);
    const cart = await inject('/api/carts', { method: 'POST' });
    expectUnavailable(cart);
  });
});
