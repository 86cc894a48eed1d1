/**
 * The read side under a clumsy operator, a broker that is away and a rebuild that takes its time,
 * on a real PostgreSQL (and the API on a real port):
 * - /api/analytics/status lists the Kafka relay, with its lag, while its broker is down;
 * - a projector's batch that finds its position row held by a rebuild gives up within seconds
 *   (Temporal retries it) instead of holding a pooled connection for as long as the rebuild runs;
 * - cursors and query parameters an operator sends never make a 5xx;
 * - an operator's retry of a dead e-mail (a database change) answers while Temporal is away: the
 *   sender's nudge is best effort, not something to wait 20 s for.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { analyticsStatus } from '../../src/db/analytics.store.js';
import { appendJournal, type JournalInput } from '../../src/db/journal.store.js';
import { popularItems, projectBatch } from '../../src/db/projections.js';
import { freePort } from '../../src/dev/ports.js';
import { createKafkaRelay } from '../../src/events/kafka-relay.js';
import { createPaymentProvider } from '../../src/payments/index.js';
import { startTestStack, TEST_ADMIN_TOKEN, type TestStack } from '../helpers/app.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({}, { worker: false });
});
afterAll(async () => {
  await stack?.close();
});
beforeEach(async () => {
  await stack.db.prisma.$executeRawUnsafe('TRUNCATE journal_events, projection_positions, popular_items');
});

const purchase = (quantity: number): JournalInput => {
  const orderId = randomUUID();
  const productId = randomUUID();
  return {
    eventId: `ItemPurchased:${orderId}:${productId}`,
    type: 'ItemPurchased',
    aggregateId: orderId,
    payload: { orderId, productId, vendorId: 'v1', name: 'Tea', quantity, day: '2026-11-30' },
    occurredAt: '2026-11-30T12:00:00Z',
  };
};

describe('the read side, attacked', () => {
  it('lists the Kafka relay in the status, with its lag, while its broker is down', async () => {
    await appendJournal(stack.db.prisma, [purchase(1), purchase(2)]);
    // Nothing listens there: the broker is down as the worker starts.
    const relay = createKafkaRelay({ prisma: stack.db.prisma, brokers: [`127.0.0.1:${await freePort()}`] });
    try {
      await expect(relay.runBatch(10)).rejects.toThrow();
    } finally {
      await relay.close?.().catch(() => undefined);
    }
    const status = await analyticsStatus(stack.db.prisma);
    expect(status.drains.find((d) => d.name === 'kafka-relay')).toMatchObject({
      position: null, // nothing published yet, as the status documents it
      lagEvents: 2,
      eventsApplied: 0,
    });
  });

  it('gives up a projector batch within seconds while a rebuild holds its position row', async () => {
    await appendJournal(stack.db.prisma, [purchase(1)]);
    expect((await projectBatch(stack.db.prisma, popularItems, 10)).applied).toBe(1);
    await appendJournal(stack.db.prisma, [purchase(2)]);

    // A rebuild (npm run projections:rebuild) holds the row for its whole transaction: minutes on a
    // big journal. A batch waiting on the lock outlives its own transaction timeout and the
    // activity's, and every retry Temporal starts meanwhile takes one more pooled connection.
    const rebuild = new pg.Client({ connectionString: stack.db.url });
    await rebuild.connect();
    try {
      await rebuild.query('BEGIN');
      await rebuild.query(`SELECT * FROM projection_positions WHERE name = 'popular-items' FOR UPDATE`);
      const batch = projectBatch(stack.db.prisma, popularItems, 10).then(
        () => 'applied',
        () => 'failed, to be retried',
      );
      const outcome = await Promise.race([batch, sleep(15_000).then(() => 'still waiting')]);
      await rebuild.query('COMMIT');
      await batch;
      expect(outcome).toBe('failed, to be retried');
    } finally {
      await rebuild.end();
    }
    // Once the rebuild is over, the next batch goes through: nothing counted twice or skipped.
    expect((await projectBatch(stack.db.prisma, popularItems, 10)).applied).toBe(1);
    const rows = await stack.db.prisma.popularItem.findMany();
    expect(rows.reduce((n, r) => n + r.quantity, 0)).toBe(3);
  }, 40_000);

  it('answers a forged outbox cursor with a date PostgreSQL cannot hold with a 4xx', async () => {
    for (const t of ['-100000-01-01T00:00:00.000Z', '+275000-01-01T00:00:00.000Z', '0000-01-01T00:00:00.000Z']) {
      const cursor = Buffer.from(JSON.stringify({ t, id: randomUUID() })).toString('base64url');
      const res = await stack.http(`/api/admin/notifications?cursor=${cursor}`, { admin: true });
      expect([res.status, res.body?.error?.code], `${t}: ${JSON.stringify(res.body)}`).toEqual([422, 'invalid_cursor']);
    }
  });

  it('answers analytics queries at the edges of their ranges without a 5xx', async () => {
    for (const path of [
      'popular-items?date=1000-01-01&limit=100',
      'popular-items?date=2999-12-31&limit=1',
      'popular-items?date=2024-02-29&vendorId=%E2%80%AE%F0%9F%98%80',
      'vendor-billing?year=2000&month=1',
      'vendor-billing?year=2999&month=12&vendorId=(unallocated)',
      'funnel?from=1000-01-01&to=1000-12-31',
      'funnel?from=2024-01-01&to=2024-12-31',
      'funnel?from=2999-12-31',
      'status',
    ]) {
      const res = await stack.http(`/api/analytics/${path}`, { admin: true });
      expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBeLessThan(500);
    }
  });

  it('answers an operator retrying a dead e-mail while Temporal is away', async () => {
    const row = await stack.db.prisma.notification.create({
      data: {
        dedupeKey: `order_confirmed:${randomUUID()}`,
        kind: 'order_confirmed',
        subjectId: randomUUID(),
        recipient: 'someone@example.com',
        payload: {},
        status: 'dead',
        attempts: 10,
      },
    });
    // The API as server.ts builds it, its Temporal server gone (nothing listens on port 1).
    const connection = Connection.lazy({ address: '127.0.0.1:1' });
    const client = new Client({ connection, namespace: stack.config.temporal.namespace });
    const app = await buildApp(
      {
        config: stack.config,
        prisma: stack.db.prisma,
        temporal: { client, connection },
        payments: createPaymentProvider(stack.config, stack.db.prisma),
      },
      { logger: false },
    );
    try {
      const started = Date.now();
      const res = await app.inject({
        method: 'POST',
        url: `/api/admin/notifications/${row.id}/retry`,
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      });
      expect([res.statusCode, res.json().status], res.body).toEqual([200, 'pending']);
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await app.close();
      await connection.close().catch(() => undefined);
    }
  }, 40_000);
});
