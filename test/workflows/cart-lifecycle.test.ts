import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/app.js';
import { startWorkerProcess } from '../helpers/worker-process.js';
import { newCart } from '../helpers/orders.js';

async function inStock(stack: TestStack, n: number) {
  return stack.db.prisma.product.findMany({
    where: { inventory: { onHand: { gte: 100 }, reserved: 0 } },
    orderBy: { sku: 'asc' },
    take: n,
    select: { id: true, priceCents: true },
  });
}

const addItem = (stack: TestStack, cartId: string, productId: string, quantity = 1, key?: string) =>
  stack.http(`/api/carts/${cartId}/items`, {
    method: 'POST',
    json: { productId, quantity },
    headers: key ? { 'idempotency-key': key } : {},
  });

async function until<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await sleep(100);
  }
}

describe('idle carts: one reminder per idle period, then abandoned', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ CART_IDLE_TIMEOUT: '2s', CART_ABANDON_AFTER: '4s' });
  });
  afterAll(async () => {
    await stack?.close();
  });

  const reminders = (cartId: string) =>
    stack.db.prisma.notification.findMany({
      where: { subjectId: cartId, kind: 'cart_reminder' },
      orderBy: { createdAt: 'asc' },
    });

  it('reminds after CART_IDLE_TIMEOUT, restarts the clock on any change, abandons after CART_ABANDON_AFTER', async () => {
    const [p1, p2] = await inStock(stack, 2);
    const id = await newCart(stack, { email: 'ada@example.com' });
    const added = (await addItem(stack, id, p1!.id, 2)).body;
    expect(Date.parse(added.reminderAt) - Date.parse(added.updatedAt)).toBe(2_000);
    expect(Date.parse(added.expiresAt) - Date.parse(added.updatedAt)).toBe(4_000);

    const first = await until(
      'the first reminder',
      () => reminders(id),
      (r) => r.length === 1,
    );
    expect(first[0]).toMatchObject({
      recipient: 'ada@example.com',
      payload: expect.objectContaining({ itemCount: 2, totalCents: 2 * p1!.priceCents }),
    });
    expect((await stack.http(`/api/carts/${id}`)).body).toMatchObject({ status: 'active', reminderAt: null });

    // The customer comes back: the clock restarts and a later idle period gets its own reminder.
    const back = (await addItem(stack, id, p2!.id)).body;
    expect(Date.parse(back.expiresAt)).toBeGreaterThan(Date.parse(added.expiresAt));
    await until(
      'the second reminder',
      () => reminders(id),
      (r) => r.length === 2,
    );

    const abandoned = await until(
      'abandonment',
      async () => (await stack.http(`/api/carts/${id}`)).body,
      (c) => c.status === 'abandoned',
    );
    expect(Date.parse(abandoned.closedAt)).toBeGreaterThanOrEqual(Date.parse(back.updatedAt) + 4_000);
    expect(abandoned).toMatchObject({ itemCount: 3, expiresAt: null, reminderAt: null });
    expect((await reminders(id)).length).toBe(2);

    const description = await stack.client.workflow.getHandle(`cart-${id}`).describe();
    expect(description.status.name).toBe('COMPLETED');
    expect(description.searchAttributes.CartStatus).toEqual(['abandoned']);
  });

  it('answers 409 cart_closed to any change of a closed cart, and never starts it again', async () => {
    const [p1] = await inStock(stack, 1);
    const id = await newCart(stack);
    await addItem(stack, id, p1!.id);
    await until(
      'abandonment',
      async () => (await stack.http(`/api/carts/${id}`)).body.status,
      (s) => s === 'abandoned',
    );

    for (const attempt of [
      () => addItem(stack, id, p1!.id), // update-with-start: must not resurrect the cart
      () => stack.http(`/cart/${id}`, { method: 'POST', json: { productId: p1!.id } }),
      () => stack.http(`/api/carts/${id}/items/${p1!.id}`, { method: 'PATCH', json: { quantity: 3 } }),
      () => stack.http(`/api/carts/${id}/items/${p1!.id}`, { method: 'DELETE' }),
    ]) {
      const res = await attempt();
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({ code: 'cart_closed', details: { status: 'abandoned' } });
    }
    const runs = [];
    for await (const run of stack.client.workflow.list({ query: `WorkflowId = "cart-${id}"` })) runs.push(run);
    expect(runs).toHaveLength(1);
    expect((await stack.http(`/api/carts/${id}`)).body).toMatchObject({ status: 'abandoned', itemCount: 1 });
  });

  it('sends no reminder for an empty cart, and abandons it all the same', async () => {
    const id = (await stack.http('/api/carts', { method: 'POST' })).body.id;
    await until(
      'abandonment',
      async () => (await stack.http(`/api/carts/${id}`)).body.status,
      (s) => s === 'abandoned',
    );
    expect(await reminders(id)).toEqual([]);
  });
});

describe('long-lived carts continue as new', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ CART_MAX_UPDATES_PER_RUN: '4' });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('carries state, idempotency keys and the clock across runs', async () => {
    const products = await inStock(stack, 6);
    const id = await newCart(stack);
    const first = (await addItem(stack, id, products[0]!.id, 1, 'key-0')).body;
    for (let i = 1; i < 14; i++) {
      const res = await addItem(stack, id, products[i % 6]!.id, 1, `key-${i}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    const runs: string[] = [];
    for await (const run of stack.client.workflow.list({ query: `WorkflowId = "cart-${id}"` }))
      runs.push(run.status.name);
    expect(runs.filter((s) => s === 'CONTINUED_AS_NEW').length).toBeGreaterThanOrEqual(3);
    expect(runs.filter((s) => s === 'RUNNING')).toHaveLength(1);

    const cart = (await stack.http(`/api/carts/${id}`)).body;
    expect(cart.itemCount).toBe(14);
    expect(cart.createdAt).toBe(first.createdAt);
    expect(cart.lines.map((l: any) => l.quantity)).toEqual([3, 3, 2, 2, 2, 2]);
    expect(Date.parse(cart.expiresAt) - Date.parse(cart.updatedAt)).toBe(7 * 86_400_000);

    // A key from the first run, retried runs later: still applied once; reused differently: refused.
    const replay = await addItem(stack, id, products[0]!.id, 1, 'key-0');
    expect(replay.status).toBe(200);
    expect(replay.body.itemCount).toBe(14);
    const reused = await addItem(stack, id, products[1]!.id, 5, 'key-0');
    expect(reused.status).toBe(409);
    expect(reused.body.error.code).toBe('idempotency_key_reused');
  });

  it('loses no change that arrives while a run hands over to the next', async () => {
    const products = await inStock(stack, 20);
    const id = await newCart(stack);
    await addItem(stack, id, products[0]!.id);
    const results = await Promise.all(products.map((p, i) => addItem(stack, id, p.id, 1, `burst-${i}`)));
    for (const r of results) expect(r.status, JSON.stringify(r.body)).toBe(200);
    const cart = (await stack.http(`/api/carts/${id}`)).body;
    expect(cart.itemCount).toBe(21);
    expect(cart.lines).toHaveLength(20);
  });
});

describe('a worker killed mid-session', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({}, { worker: false });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('leaves the cart intact: a new worker rebuilds it from history and takes the next change', async () => {
    const [a, b, c] = await inStock(stack, 3);
    const first = await startWorkerProcess(stack);
    const id = await newCart(stack);
    await addItem(stack, id, a!.id, 2, 'k1');
    await addItem(stack, id, b!.id, 1, 'k2');
    await first.crash();

    // A change sent while no worker runs is answered within ANSWER_WITHIN: applied (200), or 503
    // saying it may still be applied. Sent again with the same key, it is applied once either way.
    const pending = addItem(stack, id, c!.id, 4, 'k3');
    await sleep(1_000);
    const second = await startWorkerProcess(stack);
    try {
      const res = await pending;
      expect([200, 503], JSON.stringify(res.body)).toContain(res.status);
      if (res.status === 503) expect(res.body.error.message).toMatch(/may still be applied/);
      await expect.poll(async () => (await addItem(stack, id, c!.id, 4, 'k3')).status, { timeout: 30_000 }).toBe(200);
      const retried = await addItem(stack, id, a!.id, 2, 'k1');
      expect(retried.body.lines.map((l: any) => [l.productId, l.quantity])).toEqual([
        [a!.id, 2],
        [b!.id, 1],
        [c!.id, 4],
      ]);
      expect(retried.body.totalCents).toBe(2 * a!.priceCents + b!.priceCents + 4 * c!.priceCents);
    } finally {
      await second.stop();
    }
  });
});
