/**
 * Activities on a real PostgreSQL: what a retry cannot cure fails for good with a stable type,
 * what is transient stays retryable, and text PostgreSQL cannot store never wedges a write to the
 * read side, the journal or the outbox.
 */
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../src/activities/index.js';
import { createPrisma } from '../../src/db/prisma.js';
import { orderView, createOrder } from '../../src/domain/order.js';
import { SimulatedPaymentProvider } from '../../src/payments/simulated-provider.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

let db: TestDatabase;
let activities: ReturnType<typeof createActivities>;
beforeAll(async () => {
  db = await createTestDatabase();
  activities = createActivities({
    prisma: db.prisma,
    payments: new SimulatedPaymentProvider(db.prisma, { publicBaseUrl: 'http://localhost' }),
  });
});
afterAll(async () => {
  await db?.drop();
});

const failureOf = async (p: Promise<unknown>) => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'expected the activity to fail').toBeDefined();
  return err;
};

describe('failures are classified', () => {
  it('a CHECK constraint the data breaks is data_rejected, non-retryable, with its SQLSTATE', async () => {
    const product = await db.prisma.product.findFirstOrThrow({ include: { inventory: true } });
    const err = await failureOf(activities.holdStock({ orderId: 'o-neg', productId: product.id, quantity: -5 }));
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'data_rejected', nonRetryable: true, details: [{ sqlState: '23514' }] });
    // Nothing was held.
    const after = await db.prisma.inventory.findUniqueOrThrow({ where: { productId: product.id } });
    expect(after.reserved).toBe(product.inventory!.reserved);
  });

  it('a value PostgreSQL cannot read (a NUL in text) is data_rejected', async () => {
    const product = await db.prisma.product.findFirstOrThrow();
    const err = await failureOf(
      activities.recordRestockStep({
        restockId: 'r-nul',
        productId: product.id,
        sku: 'SKU\u0000',
        quantity: 1,
        requestedBy: null,
        step: 'requested',
        at: new Date().toISOString(),
      }),
    );
    expect(err).toMatchObject({ type: 'data_rejected', nonRetryable: true });
    expect((err as ApplicationFailure).details?.[0]).toMatchObject({ sqlState: expect.stringMatching(/^22/) });
  });

  it('two attempts of one hold at once (a worker resumed after its retry started) both answer held, holding once', async () => {
    const product = await db.prisma.product.findFirstOrThrow({
      where: { inventory: { onHand: { gte: 10 } } },
      include: { inventory: true },
    });
    // Each attempt on a connection of its own, as two worker processes would be.
    const clients = Array.from({ length: 4 }, () => createPrisma(db.url, 1));
    const settled = await Promise.allSettled(
      clients.map((prisma) =>
        createActivities({
          prisma,
          payments: new SimulatedPaymentProvider(prisma, { publicBaseUrl: 'http://x' }),
        }).holdStock({ orderId: 'o-twice', productId: product.id, quantity: 2 }),
      ),
    );
    await Promise.all(clients.map((c) => c.$disconnect()));
    for (const a of settled) expect(a).toMatchObject({ status: 'fulfilled', value: { held: true } });
    const after = await db.prisma.inventory.findUniqueOrThrow({ where: { productId: product.id } });
    expect(after.reserved).toBe(product.inventory!.reserved + 2);
  });

  it('a business outcome keeps its own code (stock_not_held), non-retryable', async () => {
    const product = await db.prisma.product.findFirstOrThrow();
    const err = await failureOf(activities.shipStock({ orderId: 'o-never-held', productId: product.id }));
    expect(err).toMatchObject({ type: 'stock_not_held', nonRetryable: true });
  });

  it('a database that cannot be reached is an ordinary error: Temporal retries it', async () => {
    const url = new URL(inject('postgresAdminUrl'));
    url.port = '1'; // nothing listens there
    const unreachable = createPrisma(url.toString(), 1);
    const offline = createActivities({
      prisma: unreachable,
      payments: new SimulatedPaymentProvider(unreachable, { publicBaseUrl: 'http://localhost' }),
    });
    const err = await failureOf(offline.ordersWaitingFor({ productId: '00000000-0000-4000-8000-000000000000' }));
    expect(err).not.toBeInstanceOf(ApplicationFailure);
    await unreachable.$disconnect();
  });
});

describe('text PostgreSQL cannot store never wedges a write', () => {
  const poison = 'Flat 2\u0000B \ud800';
  const order = () =>
    orderView(
      createOrder({
        id: `o-${Math.random().toString(36).slice(2)}`,
        currency: 'USD',
        email: 'ada@example.com',
        shippingAddress: { name: poison, line1: poison, city: 'London', postalCode: 'N1', country: 'GB' },
        lines: [],
        payBy: new Date().toISOString(),
        attemptsAllowed: 3,
        now: new Date().toISOString(),
      }),
    );

  it('the order summary is written, the bad characters as U+FFFD', async () => {
    const view = order();
    await activities.recordOrderSummary(view);
    const row = await db.prisma.order.findUniqueOrThrow({ where: { id: view.id } });
    expect(row.shippingAddress).toMatchObject({ line1: 'Flat 2\uFFFDB \uFFFD' });
  });

  it('the outbox message and the journal event are written too', async () => {
    const view = order();
    await activities.notifyCustomer({
      dedupeKey: `k:${view.id}`,
      kind: 'order_confirmed',
      subjectId: view.id,
      recipient: 'ada\u0000@example.com',
      payload: { address: poison },
    });
    await activities.appendJournal({
      events: [
        {
          eventId: `OrderCancelled:${view.id}`,
          type: 'OrderCancelled',
          aggregateId: view.id,
          payload: { reason: poison },
          occurredAt: new Date().toISOString(),
        },
      ],
    });
    const message = await db.prisma.notification.findUniqueOrThrow({ where: { dedupeKey: `k:${view.id}` } });
    expect(message).toMatchObject({ recipient: 'ada\uFFFD@example.com', payload: { address: 'Flat 2\uFFFDB \uFFFD' } });
    const event = await db.prisma.journalEvent.findFirstOrThrow({ where: { aggregateId: view.id } });
    expect(event.payload).toEqual({ reason: 'Flat 2\uFFFDB \uFFFD' });
  });
});
