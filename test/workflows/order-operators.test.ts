/**
 * What operators do to orders through the admin API: list them from the read side, retry a
 * payment step that stopped, force-cancel whatever the state; and what they see of an order in
 * the Temporal Web UI (summaries, details, readable activity and timer summaries).
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EncryptionCodec } from '../../src/codec/encryption-codec.js';
import { openPayload } from '../helpers/payloads.js';
import { operatorQueries } from '../../src/contracts/operator-queries.js';
import { TEST_ADMIN_TOKEN, startTestStack, type TestStack } from '../helpers/app.js';
import {
  address,
  expectInvariants,
  fastOrders,
  productWithStock,
  productsInStock,
  waitForOrder,
} from '../helpers/orders.js';
import { startStripeDouble, type StripeDouble } from '../helpers/stripe-double.js';

const durations = {
  ...fastOrders,
  PAYMENT_TIMEOUT: '60s',
  PAYMENT_STEP_TIMEOUT: '3s',
  PICKING_DURATION: '1500ms',
  RETURN_WINDOW: '20s',
  MAX_BACKORDER_WAIT: '60s',
};

let double: StripeDouble;
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack(durations, {
    beforeStart: async (db) => {
      double = await startStripeDouble({ prisma: db.prisma });
      return { STRIPE_SECRET_KEY: 'sk_test_OperatorsTest', STRIPE_API_BASE: double.apiBase };
    },
  });
});
afterAll(async () => {
  await stack?.close();
  await double?.close();
});

async function place(lines: { productId: string; quantity: number }[], email = 'ops@example.com') {
  const res = await stack.http('/api/orders', {
    method: 'POST',
    json: { lines, email, shippingAddress: address, paymentMethod: 'pm_card_visa' },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.orderId as string;
}
const admin = (path: string, json?: unknown) =>
  stack.http(path, { method: json === undefined ? 'GET' : 'POST', admin: true, json });
/** Resolves once the double has had no request for `ms`. */
async function quietFor(ms: number): Promise<void> {
  for (let seen = -1; seen !== double.requests.length;) {
    seen = double.requests.length;
    await sleep(ms);
  }
}
const held = (orderId: string) => stack.db.prisma.reservation.findMany({ where: { orderId, status: 'held' } });

describe('a payment step that stops for an operator', () => {
  it('flags the order payment_stuck when the provider is down for the whole step, and resumes on retry', async () => {
    const [p] = await productsInStock(stack, 1);
    double.setOutage(true);
    let orderId: string;
    try {
      orderId = await place([{ productId: p!.id, quantity: 1 }]);
      const stuck = await waitForOrder(stack, orderId, (o) => o.flags.includes('payment_stuck'), 20_000);
      expect(stuck).toMatchObject({ status: 'awaiting_payment', payment: { step: 'authorizing' } });
      expect(stuck.timeline.at(-1)).toMatchObject({ type: 'payment_stuck' });
      expect(stuck.timeline.at(-1).message).toContain('Authorizing the payment');
      const description = await stack.client.workflow.getHandle(`order-${orderId}`).describe();
      expect(description.searchAttributes.OrderFlags).toEqual(['payment_stuck']);
      const listed = await admin('/api/admin/orders?flag=payment_stuck');
      expect(listed.body.items.map((o: any) => o.id)).toContain(orderId);
    } finally {
      double.setOutage(false);
    }

    const retried = await admin(`/api/admin/orders/${orderId}/retry-payment`, {});
    expect(retried.status, JSON.stringify(retried.body)).toBe(200);
    expect(retried.body.flags).toEqual([]);
    const order = await waitForOrder(stack, orderId, (o) => o.status === 'delivered', 30_000);
    expect(order.payment.capturedCents).toBe(p!.priceCents);
    expect(order.timeline.map((t: any) => t.type)).toEqual(
      expect.arrayContaining(['payment_stuck', 'payment_step_retried', 'payment_authorized']),
    );
    // One PaymentIntent: the retry used the step's own idempotency key.
    const created = double.requests.filter(
      (r) => r.method === 'POST' && r.path === '/v1/payment_intents' && r.idempotencyKey?.includes(orderId),
    );
    expect(new Set(created.map((r) => r.idempotencyKey)).size).toBe(1);
    expect(
      await stack.db.prisma.simulatedPaymentIntent.count({
        where: { metadata: { path: ['orderId'], equals: orderId } },
      }),
    ).toBe(1);
    await expectInvariants(stack);
  });

  it('a retry after Stripe forgot the key finds the hold whose answer was lost instead of making a second', async () => {
    const [p] = await productsInStock(stack, 1);
    // The authorization is made but its answer never arrives (the SDK's own two retries lost too),
    // then Stripe is down for the rest of the step.
    const lost = double.loseAnswers('POST', /^\/v1\/payment_intents$/, 3).then(() => double.setOutage(true));
    let orderId: string;
    try {
      orderId = await place([{ productId: p!.id, quantity: 1 }]);
      await lost;
      await waitForOrder(stack, orderId, (o) => o.flags.includes('payment_stuck'), 20_000);
      // The step gave up, but its last attempt may still be retrying inside the SDK: let it end
      // against the outage, so it cannot create anything once keys are forgotten below.
      await quietFor(3_000);
    } finally {
      double.setOutage(false);
    }
    const made = () =>
      stack.db.prisma.simulatedPaymentIntent.findMany({ where: { metadata: { path: ['orderId'], equals: orderId } } });
    expect(await made()).toHaveLength(1); // the hold exists; the order does not know it
    // More than 24 hours pass: Stripe no longer remembers the step's idempotency key.
    double.forgetIdempotencyKeys();

    const retried = await admin(`/api/admin/orders/${orderId}/retry-payment`, {});
    expect(retried.status, JSON.stringify(retried.body)).toBe(200);
    const order = await waitForOrder(stack, orderId, (o) => o.status === 'delivered', 30_000);
    const [intent] = await made();
    expect(await made()).toHaveLength(1);
    expect(order.payment).toMatchObject({ paymentId: intent!.id, capturedCents: p!.priceCents });
    expect(double.requests.some((r) => r.method === 'GET' && r.path === '/v1/payment_intents/search')).toBe(true);
    await expectInvariants(stack);
  });

  it('answers 409 payment_not_stuck when no step is waiting, 404 for an unknown order', async () => {
    const [p] = await productsInStock(stack, 1);
    const orderId = await place([{ productId: p!.id, quantity: 1 }]);
    await waitForOrder(stack, orderId, (o) => o.payment.step === 'authorized' || o.payment.step === 'captured');
    const res = await admin(`/api/admin/orders/${orderId}/retry-payment`, {});
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('payment_not_stuck');
    const unknown = await admin(`/api/admin/orders/${randomUUID()}/retry-payment`, {});
    expect(unknown.status).toBe(404);
  });

  it('force-cancel ends a capture that stopped: stock released, the hold voided, nothing charged', async () => {
    const [p] = await productsInStock(stack, 1);
    const orderId = await place([{ productId: p!.id, quantity: 2 }]);
    await waitForOrder(stack, orderId, (o) => o.status === 'picking');
    double.setOutage(true); // Stripe goes down before the capture
    try {
      await waitForOrder(stack, orderId, (o) => o.flags.includes('payment_stuck'), 20_000);
      // A customer may not cancel once shipping began; the shop may.
      const customer = await stack.http(`/api/orders/${orderId}/cancel`, { method: 'POST' });
      expect(customer.status).toBe(409);
    } finally {
      double.setOutage(false);
    }
    const res = await admin(`/api/admin/orders/${orderId}/force-cancel`, { reason: 'carrier lost the parcel' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: 'cancelled', cancelReason: 'operator', flags: [] });
    expect(res.body.payment).toMatchObject({ step: 'voided', capturedCents: 0 });
    expect(await held(orderId)).toEqual([]);
    const intent = await stack.db.prisma.simulatedPaymentIntent.findUniqueOrThrow({
      where: { id: res.body.payment.paymentId },
    });
    expect(intent).toMatchObject({ status: 'canceled', amountReceived: 0 });
    await expectInvariants(stack);
  });
});

describe('force-cancel', () => {
  it('after delivery refunds everything captured and closes the order as cancelled by the shop', async () => {
    const [a, b] = await productsInStock(stack, 2);
    const orderId = await place([
      { productId: a!.id, quantity: 1 },
      { productId: b!.id, quantity: 2 },
    ]);
    const delivered = await waitForOrder(stack, orderId, (o) => o.status === 'delivered', 30_000);
    const total = a!.priceCents + 2 * b!.priceCents;
    // A partial refund first (a return): the force-cancel refunds only what is left.
    const part = await admin(`/api/admin/orders/${orderId}/refund`, { amountCents: a!.priceCents, reason: 'return' });
    expect(part.status).toBe(200);

    const res = await admin(`/api/admin/orders/${orderId}/force-cancel`, { reason: 'fraud confirmed' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      status: 'cancelled',
      cancelReason: 'operator',
      payment: { capturedCents: total, refundedCents: total },
    });
    expect(res.body.lines.map((l: any) => l.status)).toEqual(['shipped', 'shipped']);
    expect(res.body.timeline.at(-1).message).toContain('fraud confirmed');
    const intent = await stack.db.prisma.simulatedPaymentIntent.findUniqueOrThrow({
      where: { id: delivered.payment.paymentId },
    });
    expect(intent).toMatchObject({ amountReceived: total, amountRefunded: total });
    const journal = await stack.db.prisma.journalEvent.findMany({ where: { aggregateId: orderId } });
    expect(journal.filter((e) => e.type === 'Refunded')).toHaveLength(2);
    expect(journal.find((e) => e.type === 'OrderCancelled')?.payload).toMatchObject({
      reason: 'operator',
      capturedCents: total,
      refundedCents: total,
    });
    // Force-cancelling again answers the same; the customer was told once.
    const again = await admin(`/api/admin/orders/${orderId}/force-cancel`, { reason: 'twice' });
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('cancelled');
    expect(await stack.db.prisma.notification.count({ where: { subjectId: orderId, kind: 'order_cancelled' } })).toBe(
      1,
    );
    await waitForOrder(stack, orderId, (o) => o.status === 'cancelled');
    await expectInvariants(stack);
  });

  it('before shipping is a full cancel: a backordered order lets go of its stock, its wait and its hold', async () => {
    const [inStock] = await productsInStock(stack, 1);
    const out = await productWithStock(stack, `OPS-OUT-${randomUUID().slice(0, 8)}`, { onHand: 0 });
    const orderId = await place([
      { productId: inStock!.id, quantity: 1 },
      { productId: out.id, quantity: 1 },
    ]);
    const waiting = await waitForOrder(stack, orderId, (o) => o.status === 'backordered');
    const res = await admin(`/api/admin/orders/${orderId}/force-cancel`, { reason: 'customer called' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'cancelled', cancelReason: 'operator', payment: { step: 'voided' } });
    expect(await held(orderId)).toEqual([]);
    expect(await stack.db.prisma.backorderWait.count({ where: { orderId } })).toBe(0);
    const intent = await stack.db.prisma.simulatedPaymentIntent.findUniqueOrThrow({
      where: { id: waiting.payment.paymentId },
    });
    expect(intent.status).toBe('canceled');
    await expectInvariants(stack);
  });

  it('needs a reason and the admin token', async () => {
    const [p] = await productsInStock(stack, 1);
    const orderId = await place([{ productId: p!.id, quantity: 1 }]);
    const noReason = await admin(`/api/admin/orders/${orderId}/force-cancel`, {});
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.code).toBe('validation_failed');
    const blank = await admin(`/api/admin/orders/${orderId}/force-cancel`, { reason: '   ' });
    expect(blank.status).toBe(400);
    const anonymous = await stack.http(`/api/admin/orders/${orderId}/force-cancel`, {
      method: 'POST',
      json: { reason: 'x' },
    });
    expect(anonymous.status).toBe(401);
    await waitForOrder(stack, orderId, (o) => o.status === 'delivered', 30_000);
  });
});

describe('listing orders from the read side', () => {
  it('filters by status, customer e-mail and placement time, and pages without gaps', async () => {
    const email = `list-${randomUUID().slice(0, 8)}@example.com`;
    const [p] = await productsInStock(stack, 1);
    const since = new Date(Date.now() - 1000).toISOString();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await place([{ productId: p!.id, quantity: 1 }], email));
    for (const id of ids) await waitForOrder(stack, id, (o) => o.status === 'delivered', 30_000);

    const all = await admin(`/api/admin/orders?email=${encodeURIComponent(email.toUpperCase())}`);
    expect(all.status).toBe(200);
    expect(all.body.items.map((o: any) => o.id).sort()).toEqual([...ids].sort());
    expect(all.body.items[0]).toMatchObject({ email, status: 'delivered', lineCount: 1, flags: [] });
    const placed = all.body.items.map((o: any) => o.placedAt);
    expect([...placed].sort().reverse()).toEqual(placed); // newest first

    const pages: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await admin(
        `/api/admin/orders?email=${encodeURIComponent(email)}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      pages.push(...res.body.items.map((o: any) => o.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(pages).toEqual(all.body.items.map((o: any) => o.id));

    const delivered = await admin(
      `/api/admin/orders?status=delivered&status=cancelled&email=${encodeURIComponent(email)}&placedFrom=${since}`,
    );
    expect(delivered.body.items).toHaveLength(3);
    const none = await admin(`/api/admin/orders?status=backordered&email=${encodeURIComponent(email)}`);
    expect(none.body.items).toEqual([]);
    const before = await admin(`/api/admin/orders?email=${encodeURIComponent(email)}&placedTo=${since}`);
    expect(before.body.items).toEqual([]);
  });

  it('refuses bad filters with 400 and a stable code, and anyone without the token', async () => {
    expect((await admin('/api/admin/orders?status=bogus')).body.error.code).toBe('validation_failed');
    expect((await admin('/api/admin/orders?cursor=not-a-cursor')).body.error.code).toBe('invalid_cursor');
    expect((await admin('/api/admin/orders?placedFrom=yesterday')).status).toBe(400);
    // Well formed, but backwards: 422.
    const reversed = await admin('/api/admin/orders?placedFrom=2026-02-01T00:00:00Z&placedTo=2026-01-01T00:00:00Z');
    expect(reversed.status).toBe(422);
    expect(reversed.body.error.code).toBe('invalid_date_range');
    expect((await stack.http('/api/admin/orders')).status).toBe(401);
    const wrong = await stack.http('/api/admin/orders', { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}x` } });
    expect(wrong.status).toBe(403);
  });
});

describe('what the Temporal Web UI shows of an order', () => {
  it('a static summary and details, current details, and readable activity and timer summaries', async () => {
    const [p] = await productsInStock(stack, 1);
    const orderId = await place([{ productId: p!.id, quantity: 3 }], 'webui@example.com');
    await waitForOrder(stack, orderId, (o) => o.status === 'delivered', 30_000);
    const handle = stack.client.workflow.getHandle(`order-${orderId}`);
    const description = await handle.describe();
    expect(await description.staticSummary()).toBe('Order for webui@example.com');
    const details = await description.staticDetails();
    expect(details).toContain('`webui@example.com`');
    expect(details).toContain(`| ${p!.sku} |`);
    expect(details).toContain('| 3 |');

    const metadata: any = await handle.query('__temporal_workflow_metadata');
    expect(metadata.currentDetails).toContain('**Order delivered**');

    const events = (await handle.fetchHistory()).events ?? [];
    // Summaries are payloads: stored encrypted, read through the codec as the Web UI does.
    const summaryOf = (e: any) => {
      const payload = e.userMetadata?.summary;
      if (payload?.data) expect(EncryptionCodec.isEncrypted(payload)).toBe(true);
      return openPayload(stack, payload);
    };
    const activities = events.filter((e) => e.activityTaskScheduledEventAttributes).map(summaryOf);
    expect(activities).toEqual(
      expect.arrayContaining([
        // Placement is one activity (priced, held, confirmed in one transaction); its SKUs are in the details above.
        'Place the order: price 1 line(s), hold their stock, confirm',
        expect.stringMatching(/^Authorize \d+\.\d\d USD with pm_card_visa \(attempt 1\)$/),
        expect.stringMatching(/^Capture \d+\.\d\d USD for what ships$/),
        `Ship 3 × ${p!.sku}`,
      ]),
    );
    expect(activities.every((s) => typeof s === 'string' && s.length > 0)).toBe(true);
    const timers = events.filter((e) => e.timerStartedEventAttributes).map(summaryOf);
    expect(timers).toEqual(
      expect.arrayContaining([
        'Picking in the warehouse',
        'On its way to the customer',
        'Return window: refunds allowed',
      ]),
    );
  });
});

describe('the ready-made visibility queries (npm run queries, README)', () => {
  it('each runs on the real server; "backordered" and "waiting-for-sku" find a backordered order', async () => {
    const sku = `OPS-Q-${randomUUID().slice(0, 8)}`;
    const out = await productWithStock(stack, sku, { onHand: 0 });
    const orderId = await place([{ productId: out.id, quantity: 1 }]);
    await waitForOrder(stack, orderId, (o) => o.status === 'backordered');
    const queries = operatorQueries();
    const run = async (query: string) => {
      const ids: string[] = [];
      for await (const wf of stack.client.workflow.list({ query })) ids.push(wf.workflowId);
      return ids;
    };
    for (const q of queries) await run(q.query); // valid on this server's visibility store
    const backordered = queries.find((q) => q.name === 'backordered')!.query;
    const forSku = queries.find((q) => q.name === 'waiting-for-sku')!.query.replace('HOM-000001', sku);
    // Visibility trails the workflow by a moment.
    for (let i = 0; ; i++) {
      const [all, mine] = await Promise.all([run(backordered), run(forSku)]);
      if (all.includes(`order-${orderId}`) && mine.length === 1) {
        expect(mine).toEqual([`order-${orderId}`]);
        break;
      }
      if (i > 50) throw new Error(`the queries did not find order-${orderId}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    await admin(`/api/admin/orders/${orderId}/force-cancel`, { reason: 'test over' });
  });
});
