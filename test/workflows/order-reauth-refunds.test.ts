import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/app.js';
import {
  address,
  expectInvariants,
  fastOrders,
  productWithStock,
  productsInStock,
  waitForOrder,
} from '../helpers/orders.js';

let stack: TestStack;
beforeAll(async () => {
  // Authorizations last 6 s here, renewed 4 s ahead; backorders may wait 30 s.
  stack = await startTestStack({
    ...fastOrders,
    SIMULATED_AUTHORIZATION_VALIDITY: '6s',
    REAUTHORIZE_BEFORE: '4s',
    MAX_BACKORDER_WAIT: '30s',
    BACKORDER_RETRY_INTERVAL: '10s',
    REFUND_CHECK_INTERVAL: '1s',
    PAYMENT_ACTION_TIMEOUT: '20s',
  });
});
afterAll(async () => {
  await stack?.close();
});

async function place(lines: { productId: string; quantity: number }[], paymentMethod: string) {
  const res = await stack.http('/api/orders', {
    method: 'POST',
    json: { lines, email: 'reauth@example.com', shippingAddress: address, paymentMethod },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.orderId as string;
}
const intent = (id: string) => stack.db.prisma.simulatedPaymentIntent.findUniqueOrThrow({ where: { id } });

describe('authorizations do not lapse on a long backorder', () => {
  it('renews the hold before captureBefore, releases the old one, and captures on the new one', async () => {
    const product = await productWithStock(stack, 'REAUTH-1', { onHand: 0 });
    const orderId = await place([{ productId: product.id, quantity: 1 }], 'pm_card_visa');
    const first = await waitForOrder(stack, orderId, (o) => o.status === 'backordered');
    const renewed = await waitForOrder(stack, orderId, (o) => o.payment.paymentId !== first.payment.paymentId);
    expect(renewed.status).toBe('backordered');
    expect(Date.parse(renewed.payment.captureBefore)).toBeGreaterThan(Date.parse(first.payment.captureBefore));
    expect(renewed.timeline.map((t: any) => t.type)).toContain('payment_reauthorized');
    expect((await intent(first.payment.paymentId)).status).toBe('canceled');

    await stack.http(`/api/admin/products/${product.id}/inventory`, {
      method: 'PUT',
      admin: true,
      json: { onHand: 1, restockThreshold: 0, restockQuantity: 0 },
    });
    const delivered = await waitForOrder(stack, orderId, (o) => o.status === 'delivered', 30_000);
    expect(delivered.payment.capturedCents).toBe(product.priceCents);
    expect(await intent(delivered.payment.paymentId)).toMatchObject({
      status: 'succeeded',
      amountReceived: product.priceCents,
    });
    await expectInvariants(stack);
  });

  it('cancels and tells the customer when the hold cannot be renewed off-session (a 3-D Secure card)', async () => {
    const product = await productWithStock(stack, 'REAUTH-2', { onHand: 0 });
    const orderId = await place([{ productId: product.id, quantity: 1 }], 'pm_card_authenticationRequired');
    const waiting = await waitForOrder(stack, orderId, (o) => o.payment.step === 'requires_action');
    await stack.http(`/simulated-payments/${waiting.payment.paymentId}/authenticate`, {
      method: 'POST',
      json: { outcome: 'succeed' },
    });
    const order = await waitForOrder(stack, orderId, (o) => o.status === 'cancelled', 30_000);
    expect(order).toMatchObject({
      cancelReason: 'payment_failed',
      payment: { capturedCents: 0, lastError: { code: 'authentication_required' } },
    });
    expect((await intent(waiting.payment.paymentId)).status).toBe('canceled');
    const message = await stack.db.prisma.notification.findFirstOrThrow({
      where: { subjectId: orderId, kind: 'order_cancelled' },
    });
    expect((message.payload as any).message).toContain('could not be renewed');
    await expectInvariants(stack);
  });
});

describe('refunds', () => {
  it('a refund that fails is shown and flagged for an operator, never counted as done, and can be tried again', async () => {
    const [p] = await productsInStock(stack, 1);
    const orderId = await place([{ productId: p!.id, quantity: 2 }], 'pm_card_refundFail');
    const delivered = await waitForOrder(stack, orderId, (o) => o.status === 'delivered');
    const res = await stack.http(`/api/admin/orders/${orderId}/refund`, {
      method: 'POST',
      admin: true,
      json: { amountCents: p!.priceCents, reason: 'return' },
    });
    expect(res.status).toBe(200);
    expect(res.body.payment.refunds).toEqual([
      expect.objectContaining({ status: 'pending', amountCents: p!.priceCents }),
    ]);
    expect(res.body.payment.refundedCents).toBe(0);

    const failed = await waitForOrder(stack, orderId, (o) => o.payment.refunds[0]?.status === 'failed');
    expect(failed).toMatchObject({ flags: ['refund_failed'], payment: { refundedCents: 0 } });
    expect(failed.payment.refunds[0].failureReason).toBe('expired_or_canceled_card');
    expect(await stack.db.prisma.journalEvent.count({ where: { aggregateId: orderId, type: 'Refunded' } })).toBe(0);
    expect(await stack.db.prisma.notification.count({ where: { subjectId: orderId, kind: 'refund_issued' } })).toBe(0);
    const description = await stack.client.workflow.getHandle(`order-${orderId}`).describe();
    expect(description.searchAttributes.OrderFlags).toEqual(['refund_failed']);
    // The money was never returned, so all of it can be refunded again.
    const again = await stack.http(`/api/admin/orders/${orderId}/refund`, {
      method: 'POST',
      admin: true,
      json: { amountCents: delivered.payment.capturedCents, reason: 'return, second try' },
    });
    expect(again.status).toBe(200);
    // Invariants hold for a settled system: wait for this refund (on the same card) to fail too.
    await waitForOrder(
      stack,
      orderId,
      (o) => o.payment.refunds.length === 2 && o.payment.refunds[1].status === 'failed',
    );
    await expectInvariants(stack);
  });
});

describe('Stripe webhooks without a signing secret', () => {
  it('answer 404 webhooks_not_configured and change nothing', async () => {
    const res = await stack.http('/webhooks/stripe', {
      method: 'POST',
      json: { id: 'evt_1', type: 'payment_intent.succeeded' },
      headers: { 'stripe-signature': 't=1,v1=x' },
    });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('webhooks_not_configured');
    expect(await stack.db.prisma.stripeEvent.count()).toBe(0);
  });

  it('the storefront learns the provider: simulated, no publishable key', async () => {
    expect((await stack.http('/api/config')).body).toEqual({
      currency: 'USD',
      paymentProvider: 'simulated',
      stripePublishableKey: null,
    });
  });
});
