import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/app.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.close();
});

async function waitForImport(statusUrl: string) {
  for (let i = 0; i < 100; i++) {
    const res = await stack.http(statusUrl, { admin: true });
    expect(res.status).toBe(200);
    if (res.body.status === 'completed') return res.body;
    await sleep(100);
  }
  throw new Error('import did not complete');
}

describe('bulk import: API → Temporal server → worker → Postgres', () => {
  it('applies prices and stock batch by batch and reports progress and per-row failures', async () => {
    const products = await stack.db.prisma.product.findMany({
      orderBy: { sku: 'asc' },
      take: 250,
      include: { inventory: true },
    });
    const held = products[1]!;
    await stack.db.prisma.inventory.update({ where: { productId: held.id }, data: { onHand: 10, reserved: 6 } });
    // 250 rows: three batches of at most 100.
    const rows = products.map((p, i) => ({ sku: p.sku, priceCents: 1000 + i }));
    rows[0] = { sku: products[0]!.sku, priceCents: 1000, onHand: 77 } as (typeof rows)[number];
    rows[1] = { sku: held.sku, onHand: 2 } as unknown as (typeof rows)[number]; // below the 6 reserved
    rows.push({ sku: 'NO-SUCH-SKU', priceCents: 5 });

    const started = await stack.http('/api/admin/imports', { method: 'POST', admin: true, json: { rows } });
    expect(started.status).toBe(202);
    expect(started.body.workflowId).toBe(`import-${started.body.importId}`);

    const done = await waitForImport(started.body.statusUrl);
    expect(done).toMatchObject({ status: 'completed', total: 251, processed: 251, updated: 249 });
    expect(done.failed).toEqual([
      expect.objectContaining({ sku: held.sku, code: 'stock_below_reserved' }),
      expect.objectContaining({ sku: 'NO-SUCH-SKU', code: 'product_not_found' }),
    ]);

    const first = (await stack.http(`/api/products/${products[0]!.id}`)).body;
    expect(first).toMatchObject({ priceCents: 1000, available: 77 });
    expect((await stack.http(`/api/products/${products[42]!.id}`)).body.priceCents).toBe(1042);
    const heldRow = await stack.db.prisma.inventory.findUniqueOrThrow({ where: { productId: held.id } });
    expect(heldRow).toMatchObject({ onHand: 10, reserved: 6 });

    // The workflow is findable by its search attribute, as an operator would look for it.
    const handle = stack.client.workflow.getHandle(started.body.workflowId);
    const description = await handle.describe();
    expect(description.status.name).toBe('COMPLETED');
    expect(description.searchAttributes.ImportStatus).toEqual(['completed']);
  });

  it('rejects empty, oversized or malformed imports with 400 and starts nothing', async () => {
    const cases = [
      { rows: [] },
      { rows: [{ sku: 'A' }] },
      { rows: [{ sku: 'A', priceCents: -3 }] },
      { rows: [{ sku: 'A', onHand: 1, extra: 1 }] },
    ];
    for (const body of cases) {
      const res = await stack.http('/api/admin/imports', { method: 'POST', admin: true, json: body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    const tooMany = { rows: Array.from({ length: 10_001 }, (_, i) => ({ sku: `S${i}`, onHand: 1 })) };
    expect((await stack.http('/api/admin/imports', { method: 'POST', admin: true, json: tooMany })).status).toBe(400);
  });

  it('fails a row whose SKU holds a NUL or an unpaired surrogate, naming the field, and applies the good ones', async () => {
    const [a, b] = await stack.db.prisma.product.findMany({ orderBy: { sku: 'desc' }, take: 2 });
    const rows = [
      { sku: a!.sku, priceCents: 4242 },
      { sku: `${a!.sku}\u0000`, priceCents: 1 },
      { sku: `X\ud800`, onHand: 1 },
      { sku: b!.sku, priceCents: 4343 },
    ];
    const started = await stack.http('/api/admin/imports', { method: 'POST', admin: true, json: { rows } });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const done = await waitForImport(started.body.statusUrl);
    expect(done).toMatchObject({ status: 'completed', total: 4, processed: 4, updated: 2 });
    expect(done.failed).toEqual([
      {
        sku: `${a!.sku}\uFFFD`,
        code: 'validation_failed',
        message: expect.stringMatching(/^sku must not contain a NUL/),
      },
      { sku: 'X\uFFFD', code: 'validation_failed', message: expect.stringMatching(/^sku must be valid Unicode/) },
    ]);
    expect((await stack.http(`/api/products/${a!.id}`)).body.priceCents).toBe(4242);
    expect((await stack.http(`/api/products/${b!.id}`)).body.priceCents).toBe(4343);
  });

  it('a long import continues as new, each run kept short, and finishes with every row counted once', async () => {
    const short = await startTestStack({ HISTORY_EVENTS_PER_RUN: '200' });
    try {
      const products = await short.db.prisma.product.findMany({ orderBy: { sku: 'asc' }, take: 150 });
      // Stock going up makes each row wake the orders waiting for its product: the most events a row can cost.
      const rows = products.map((p) => ({ sku: p.sku, onHand: 500 }));
      const started = await short.http('/api/admin/imports', { method: 'POST', admin: true, json: { rows } });
      expect(started.status).toBe(202);
      let done: any;
      await expect
        .poll(async () => (done = (await short.http(started.body.statusUrl, { admin: true })).body).status, {
          timeout: 30_000,
        })
        .toBe('completed');
      expect(done).toMatchObject({ total: 150, processed: 150, updated: 150, failed: [] });
      const runs: string[] = [];
      for await (const w of short.client.workflow.list({ query: `WorkflowId = '${started.body.workflowId}'` }))
        runs.push(w.runId);
      expect(runs.length).toBeGreaterThanOrEqual(2);
      for (const runId of runs) {
        const history = await short.client.workflow.getHandle(started.body.workflowId, runId).fetchHistory();
        // The budget, and at most one batch of 100 rows past it.
        expect(history.events!.length).toBeLessThan(200 + 100 * 6 + 50);
      }
    } finally {
      await short.close();
    }
  }, 60_000);

  it('answers 404 import_not_found for an unknown import', async () => {
    const res = await stack.http('/api/admin/imports/00000000-0000-4000-8000-000000000000', { admin: true });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('import_not_found');
  });
});
