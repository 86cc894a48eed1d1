/**
 * Orders paying through StripePaymentProvider (the real SDK) against the scripted Stripe double,
 * with Stripe's webhooks signed by the SDK's test header helper and a worker in its own process:
 * the sequences a real Stripe account produces, without the network.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedPaymentProvider } from '../../src/payments/simulated-provider.js';
import { startTestStack, type TestStack } from '../helpers/app.js';
import { address, expectInvariants, fastOrders, productsInStock, waitForOrder } from '../helpers/orders.js';
import { startStripeDouble, type StripeDouble } from '../helpers/stripe-double.js';
import { openPayload } from '../helpers/payloads.js';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.js';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const WEBHOOK_SECRET = `whsec_${randomBytes(24).toString('hex')}`;
const durations = {
  ...fastOrders,
  PAYMENT_TIMEOUT: '60s',
  PAYMENT_ACTION_TIMEOUT: '45s',
  // Long enough that an order moving on within seconds was woken by the webhook, not by a look.
  PAYMENT_CHECK_INTERVAL: '6s',
  REFUND_CHECK_INTERVAL: '10m',
  RETURN_WINDOW: '30s',
  PICKING_DURATION: '2s',
};

let double: StripeDouble;
let stack: TestStack;
let worker: WorkerProcess;
let stripeEnv: Record<string, string>;

beforeAll(async () => {
  stack = await startTestStack(durations, {
    worker: false,
    beforeStart: async (db) => {
      double = await startStripeDouble({ prisma: db.prisma });
      stripeEnv = {
        STRIPE_SECRET_KEY: 'sk_test_OrderStripeTest',
        STRIPE_PUBLISHABLE_KEY: 'pk_test_OrderStripeTest',
        STRIPE_API_BASE: double.apiBase,
        STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      };
      return stripeEnv;
    },
  });
  double.setWebhook({ url: `${stack.url}/webhooks/stripe`, secret: WEBHOOK_SECRET });
  worker = await startWorkerProcess(stack, { ...durations, ...stripeEnv });
});
afterAll(async () => {
  await worker?.stop();
  await stack?.close();
  await double?.close();
});

async function place(lines: { productId: string; quantity: number }[], paymentMethod: string) {
  const res = await stack.http('/api/orders', {
    method: 'POST',
    json: { lines, email: 'stripe@example.com', shippingAddress: address, paymentMethod },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.orderId as string;
}

/** The PaymentIntent as Stripe would send it in an event (a GET on the double). */
async function paymentIntent(id: string): Promise<Record<string, any>> {
  const res = await fetch(`${double.apiBase}/v1/payment_intents/${id}`, {
    headers: { authorization: `Bearer ${stripeEnv.STRIPE_SECRET_KEY}` },
  });
  return (await res.json()) as Record<string, any>;
}

const history = async (orderId: string): Promise<HistoryEvent[]> =>
  (await stack.client.workflow.getHandle(`order-${orderId}`).fetchHistory()).events ?? [];

/** Signals of `name` the order received, with their decoded argument. */
async function signals(orderId: string, name: string): Promise<{ index: number; arg: any }[]> {
  return (await history(orderId)).flatMap((e, index) => {
    const a = e.workflowExecutionSignaledEventAttributes;
    if (a?.signalName !== name) return [];
    // Stored encrypted, as every payload is: opened with the stack's key.
    return [{ index, arg: openPayload(stack, a.input?.payloads?.[0]) }];
  });
}

/** Waits until the order has asked the provider for the PaymentIntent after the signal for `eventId`. */
async function lookedAfter(orderId: string, eventId: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const events = await history(orderId);
    const signal = (await signals(orderId, 'paymentEvent')).find((s) => s.arg?.eventId === eventId);
    if (signal) {
      const scheduled = events
        .slice(signal.index)
        .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'retrievePayment')
        .map((e) => String(e.eventId));
      const completed = events.some((e) =>
        scheduled.includes(String(e.activityTaskCompletedEventAttributes?.scheduledEventId)),
      );
      if (completed) return;
    }
    await sleep(100);
  }
  throw new Error(`order ${orderId} did not look at its payment after ${eventId}`);
}

const stripeCalls = (paymentId: string | null, action: string) =>
  double.requests.filter((r) => r.method === 'POST' && r.path === `/v1/payment_intents/${paymentId}/${action}`);

describe('an order paying through Stripe', () => {
  it('authorizes with a Customer and a manual-capture PaymentIntent, captures once at shipment', async () => {
    const [p] = await productsInStock(stack, 1);
    const orderId = await place([{ productId: p!.id, quantity: 2 }], 'pm_card_visa');
    const order = await waitForOrder(stack, orderId, (o) => o.status === 'delivered', 30_000);
    const total = 2 * p!.priceCents;
    expect(order.payment).toMatchObject({ authorizedCents: total, capturedCents: total, step: 'captured' });

    const pi = await paymentIntent(order.payment.paymentId);
    expect(pi).toMatchObject({
      status: 'succeeded',
      capture_method: 'manual',
      amount_received: total,
      metadata: { orderId },
      customer: expect.stringMatching(/^cus_/),
    });
    const captures = stripeCalls(order.payment.paymentId, 'capture');
    expect(captures).toHaveLength(1);
    expect(captures[0]!.idempotencyKey).toBe(`order-${orderId}:capture`);
    await expectInvariants(stack);
  });

  it('a capture whose answers are lost is retried and never taken twice', async () => {
    const [p] = await productsInStock(stack, 1);
    // Every attempt of the SDK (three) is carried out by "Stripe" and its answer dropped: the
    // activity fails, Temporal retries it, and the retry finds the PaymentIntent already captured.
    const lost = double.loseAnswers('POST', /^\/v1\/payment_intents\/[^/]+\/capture$/, 3);
    const orderId = await place([{ productId: p!.id, quantity: 1 }], 'pm_card_visa');
    await lost;
    const order = await waitForOrder(stack, orderId, (o) => o.status === 'delivered', 30_000);
    expect(order.payment.capturedCents).toBe(p!.priceCents);
    const captures = stripeCalls(order.payment.paymentId, 'capture');
    expect(captures).toHaveLength(3); // the SDK's three tries of the first activity attempt, one key
    expect(new Set(captures.map((c) => c.idempotencyKey)).size).toBe(1);
    expect(await paymentIntent(order.payment.paymentId)).toMatchObject({ amount_received: p!.priceCents });
    await expectInvariants(stack);
  });
});

describe('3-D Secure through Stripe', () => {
  it('the order hands the client secret to the storefront and moves on when the webhook says so', async () => {
    const [p] = await productsInStock(stack, 1);
    const orderId = await place([{ productId: p!.id, quantity: 1 }], 'pm_card_authenticationRequired');
    const waiting = await waitForOrder(stack, orderId, (o) => o.payment.step === 'requires_action');
    const paymentId = waiting.payment.paymentId as string;
    expect(waiting.payment.nextAction).toMatchObject({
      clientSecret: expect.stringMatching(new RegExp(`^${paymentId}_secret_`)),
    });
    expect(waiting.status).toBe('awaiting_payment');

    await double.authenticate(paymentId, 'succeed'); // sends payment_intent.amount_capturable_updated
    const authorized = await waitForOrder(stack, orderId, (o) => o.payment.authorizedCents > 0, 5_000);
    expect(authorized.payment.nextAction).toBeNull();
    const nudges = await signals(orderId, 'paymentEvent');
    expect(nudges.map((n) => n.arg.type)).toEqual(['payment_intent.amount_capturable_updated']);
    expect(nudges[0]!.arg.eventId).toMatch(/^evt_/);
    await waitForOrder(stack, orderId, (o) => o.status === 'delivered', 30_000);
    await expectInvariants(stack);
  });

  it('a lost webhook does not lose the payment: the order looks again on its own', async () => {
    const [p] = await productsInStock(stack, 1);
    const orderId = await place([{ productId: p!.id, quantity: 1 }], 'pm_card_authenticationRequired');
    const waiting = await waitForOrder(stack, orderId, (o) => o.payment.step === 'requires_action');
    // The customer authenticates, and Stripe's event never arrives.
    const silent = new SimulatedPaymentProvider(stack.db.prisma, { publicBaseUrl: double.apiBase });
    await silent.authenticate(waiting.payment.paymentId, 'succeed');
    const order = await waitForOrder(stack, orderId, (o) => o.status === 'delivered', 30_000);
    expect(order.payment.capturedCents).toBe(p!.priceCents);
    expect(await signals(orderId, 'paymentEvent')).toEqual([]);
    await expectInvariants(stack);
  });

  it('an event that arrives late says only "look": the PaymentIntent as it is now decides', async () => {
    const [p] = await productsInStock(stack, 1);
    const orderId = await place([{ productId: p!.id, quantity: 1 }], 'pm_card_authenticationRequired');
    const waiting = await waitForOrder(stack, orderId, (o) => o.payment.step === 'requires_action');
    const paymentId = waiting.payment.paymentId as string;
    // An old payment_failed, delivered now, describing a failure the PaymentIntent no longer has.
    const stale = {
      ...(await paymentIntent(paymentId)),
      status: 'requires_payment_method',
      last_payment_error: { type: 'card_error', code: 'card_declined', message: 'Your card was declined.' },
    };
    const res = await double.sendEvent('payment_intent.payment_failed', stale, {
      id: 'evt_late_failure_' + randomBytes(6).toString('hex'),
      createdAt: new Date(Date.now() - 3_600_000),
    });
    expect(res.status).toBe(200);
    const { orderId: routedTo } = (await res.json()) as { orderId: string };
    expect(routedTo).toBe(orderId);
    await lookedAfter(orderId, (await signals(orderId, 'paymentEvent'))[0]!.arg.eventId);
    const after = (await stack.http(`/api/orders/${orderId}`)).body;
    expect(after.payment).toMatchObject({ step: 'requires_action', attempts: 1, lastError: null });

    await double.authenticate(paymentId, 'succeed');
    await waitForOrder(stack, orderId, (o) => o.status === 'delivered', 30_000);
    await expectInvariants(stack);
  });

  it('a failed authentication arrives by webhook: the order waits for another card', async () => {
    const [p] = await productsInStock(stack, 1);
    const orderId = await place([{ productId: p!.id, quantity: 1 }], 'pm_card_authenticationRequired');
    const waiting = await waitForOrder(stack, orderId, (o) => o.payment.step === 'requires_action');
    await double.authenticate(waiting.payment.paymentId, 'fail'); // payment_intent.payment_failed
    const declined = await waitForOrder(stack, orderId, (o) => o.payment.step === 'declined', 5_000);
    expect(declined.status).toBe('awaiting_payment');
    expect(declined.payment.lastError).toMatchObject({ code: expect.any(String) });

    const retry = await stack.http(`/api/orders/${orderId}/payment`, {
      method: 'POST',
      json: { paymentMethod: 'pm_card_visa' },
    });
    expect(retry.status, JSON.stringify(retry.body)).toBe(200);
    const order = await waitForOrder(stack, orderId, (o) => o.status === 'delivered', 30_000);
    expect(order.payment).toMatchObject({ attempts: 2, capturedCents: p!.priceCents });
    await expectInvariants(stack);
  });
});

describe('Stripe webhooks', () => {
  async function deliveredOrder(paymentMethod = 'pm_card_visa') {
    const [p] = await productsInStock(stack, 1);
    const orderId = await place([{ productId: p!.id, quantity: 1 }], paymentMethod);
    const order = await waitForOrder(stack, orderId, (o) => o.status === 'delivered', 30_000);
    return { orderId, order, product: p! };
  }
  const dispute = (paymentId: string, amount: number) => ({
    id: `du_${randomBytes(12).toString('hex')}`,
    object: 'dispute',
    amount,
    currency: 'usd',
    reason: 'fraudulent',
    status: 'needs_response',
    payment_intent: paymentId,
    charge: `ch_${paymentId.slice(3)}`,
  });

  it('refuses a bad signature and a stale one with 400 invalid_signature, storing and signalling nothing', async () => {
    const { orderId, order } = await deliveredOrder();
    const object = dispute(order.payment.paymentId, order.payment.capturedCents);
    for (const signature of ['bad', 'stale', 'future'] as const) {
      const id = `evt_${signature}_${randomBytes(6).toString('hex')}`;
      const res = await double.sendEvent('charge.dispute.created', object, { id, signature });
      expect(res.status).toBe(400);
      expect(((await res.json()) as any).error.code).toBe('invalid_signature');
      expect(await stack.db.prisma.stripeEvent.count({ where: { id } })).toBe(0);
    }
    const unsigned = await stack.http('/webhooks/stripe', {
      method: 'POST',
      json: { id: 'evt_unsigned', type: 'charge.dispute.created', data: { object } },
    });
    expect(unsigned.status).toBe(400);
    expect(unsigned.body.error.code).toBe('invalid_signature');
    expect(await signals(orderId, 'disputeOpened')).toEqual([]);
    expect((await stack.http(`/api/orders/${orderId}`)).body.flags).toEqual([]);
  });

  it('acknowledges a signed event for a payment this shop never made; refuses a signed but malformed one (400)', async () => {
    const unknown = `evt_unknown_${randomBytes(6).toString('hex')}`;
    const res = await double.sendEvent('charge.dispute.created', dispute('pi_not_ours_0123456789', 500), {
      id: unknown,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true, duplicate: false, orderId: null });
    const broken = `evt_broken_${randomBytes(6).toString('hex')}`;
    const malformed = await double.sendEvent('payment_intent.succeeded', {}, { id: broken, drop: 'data' });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as any).error).toMatchObject({ code: 'validation_failed' });
    expect(await stack.db.prisma.stripeEvent.count({ where: { id: broken } })).toBe(0);
  });

  it('a dispute flags the order for an operator; a duplicate delivery is applied once', async () => {
    const { orderId, order } = await deliveredOrder();
    const object = dispute(order.payment.paymentId, order.payment.capturedCents);
    const id = `evt_dispute_${randomBytes(6).toString('hex')}`;
    const first = await double.sendEvent('charge.dispute.created', object, { id });
    expect(await first.json()).toEqual({ received: true, duplicate: false, orderId });
    const again = await double.sendEvent('charge.dispute.created', object, { id });
    expect(await again.json()).toEqual({ received: true, duplicate: true, orderId });

    const flagged = await waitForOrder(stack, orderId, (o) => o.flags.includes('disputed'));
    expect(flagged.flags).toEqual(['disputed']);
    expect(flagged.timeline.filter((t: any) => t.type === 'dispute_opened')).toHaveLength(1);
    expect(flagged.timeline.find((t: any) => t.type === 'dispute_opened').message).toContain(object.id);
    const description = await stack.client.workflow.getHandle(`order-${orderId}`).describe();
    expect(description.searchAttributes.OrderFlags).toEqual(['disputed']);

    // A crash between routing the event and storing it: Stripe delivers again, the route sends the
    // signal again, and the order itself ignores an event id it has seen.
    await stack.db.prisma.stripeEvent.delete({ where: { id } });
    const redelivered = await double.sendEvent('charge.dispute.created', object, { id });
    expect(await redelivered.json()).toMatchObject({ duplicate: false, orderId });
    expect(await signals(orderId, 'disputeOpened')).toHaveLength(2);
    const after = (await stack.http(`/api/orders/${orderId}`)).body;
    expect(after.timeline.filter((t: any) => t.type === 'dispute_opened')).toHaveLength(1);
    expect(await stack.db.prisma.journalEvent.count({ where: { aggregateId: orderId, type: 'PaymentDisputed' } })).toBe(
      1,
    );
  });

  it('a dispute after the order has ended still flags it, on its summary and in the journal', async () => {
    const { orderId, order } = await deliveredOrder();
    await stack.client.workflow
      .getHandle(`order-${orderId}`)
      .terminate('ended for the test: as after its return window');
    const object = dispute(order.payment.paymentId, order.payment.capturedCents);
    const res = await double.sendEvent('charge.dispute.created', object);
    expect(await res.json()).toMatchObject({ duplicate: false, orderId });
    expect((await stack.db.prisma.order.findUniqueOrThrow({ where: { id: orderId } })).flags).toEqual(['disputed']);
    const journal = await stack.db.prisma.journalEvent.findFirstOrThrow({
      where: { aggregateId: orderId, type: 'PaymentDisputed' },
    });
    expect(journal.payload).toMatchObject({ disputeId: object.id, reason: 'fraudulent', afterCompletion: true });
    expect((await stack.http(`/api/orders/${orderId}`)).body.flags).toEqual(['disputed']);
  });

  it('a refund webhook wakes the order to look at its refund (no waiting for the hourly check)', async () => {
    const { orderId, product } = await deliveredOrder('pm_card_refundFail');
    const refunded = await stack.http(`/api/admin/orders/${orderId}/refund`, {
      method: 'POST',
      admin: true,
      json: { amountCents: product.priceCents, reason: 'return' },
    });
    expect(refunded.status, JSON.stringify(refunded.body)).toBe(200);
    const refund = refunded.body.payment.refunds[0];
    expect(refund).toMatchObject({ id: expect.stringMatching(/^re_/), status: 'pending' });

    const res = await double.sendEvent('refund.updated', {
      id: refund.id,
      object: 'refund',
      amount: refund.amountCents,
      payment_intent: refunded.body.payment.paymentId,
      status: 'failed',
    });
    expect(await res.json()).toMatchObject({ orderId });
    const failed = await waitForOrder(stack, orderId, (o) => o.payment.refunds[0]?.status === 'failed', 10_000);
    expect(failed).toMatchObject({ flags: ['refund_failed'], payment: { refundedCents: 0 } });
  });

  it('acknowledges an event no order cares about, once', async () => {
    const id = `evt_other_${randomBytes(6).toString('hex')}`;
    const res = await double.sendEvent('customer.created', { id: 'cus_x', object: 'customer' }, { id });
    expect(await res.json()).toEqual({ received: true, duplicate: false, orderId: null });
    expect(await stack.db.prisma.stripeEvent.findUniqueOrThrow({ where: { id } })).toMatchObject({
      type: 'customer.created',
      orderId: null,
    });
  });

  it('the storefront learns the publishable key', async () => {
    expect((await stack.http('/api/config')).body).toEqual({
      currency: 'USD',
      paymentProvider: 'stripe',
      stripePublishableKey: 'pk_test_OrderStripeTest',
    });
  });
});

describe('a worker killed between authorize and capture, with Stripe', () => {
  it('captures exactly once after a new worker takes over', async () => {
    const [p] = await productsInStock(stack, 1);
    const orderId = await place([{ productId: p!.id, quantity: 2 }], 'pm_card_visa');
    const picking = await waitForOrder(stack, orderId, (o) => o.status === 'picking');
    expect(picking.payment).toMatchObject({ step: 'authorized', capturedCents: 0 });
    await worker.crash(); // authorized, stock held, picking under way: nothing captured yet

    worker = await startWorkerProcess(stack, { ...durations, ...stripeEnv });
    const order = await waitForOrder(stack, orderId, (o) => o.status === 'delivered', 40_000);
    const total = 2 * p!.priceCents;
    expect(order.payment.capturedCents).toBe(total);
    expect(stripeCalls(order.payment.paymentId, 'capture')).toHaveLength(1);
    const created = double.requests.filter(
      (r) =>
        r.method === 'POST' && r.path === '/v1/payment_intents' && r.idempotencyKey?.startsWith(`order-${orderId}:`),
    );
    expect(created).toHaveLength(1);
    expect(await paymentIntent(order.payment.paymentId)).toMatchObject({ status: 'succeeded', amount_received: total });
    await expectInvariants(stack);
  });
});
