import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/app.js';
import { expectInvariants, fastOrders, placeOrder, productsInStock, waitForOrder } from '../helpers/orders.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ ...fastOrders, MAX_PAYMENT_ATTEMPTS: '2' });
});
afterAll(async () => {
  await stack?.close();
});

async function placeWith(paymentMethod?: string) {
  const [p] = await productsInStock(stack, 1);
  const { orderId } = await placeOrder(stack, { paymentMethod, lines: [{ productId: p!.id, quantity: 1 }] });
  return { orderId, product: p! };
}
const held = (productId: string, orderId: string) =>
  stack.db.prisma.reservation.findUnique({ where: { orderId_productId: { orderId, productId } } });
const kinds = async (orderId: string) =>
  (await stack.db.prisma.notification.findMany({ where: { subjectId: orderId }, orderBy: { createdAt: 'asc' } })).map(
    (n) => n.kind,
  );

describe('payment', () => {
  it('a declined card leaves the order waiting, with the reason, until another card works', async () => {
    const { orderId, product } = await placeWith('pm_card_chargeDeclined');
    let order = await waitForOrder(stack, orderId, (o) => o.payment.step === 'declined');
    expect(order).toMatchObject({
      status: 'awaiting_payment',
      payment: { attempts: 1, lastError: { code: 'card_declined', declineCode: 'generic_decline' } },
    });
    expect((await held(product.id, orderId))?.status).toBe('held'); // the stock stays held meanwhile

    const retry = await stack.http(`/api/orders/${orderId}/payment`, {
      method: 'POST',
      json: { paymentMethod: 'pm_card_visa' },
    });
    expect(retry.status).toBe(200);
    expect(retry.body.payment).toMatchObject({ step: 'authorized', attempts: 2, authorizedCents: product.priceCents });
    order = await waitForOrder(stack, orderId, (o) => o.status === 'delivered');
    expect(order.payment.capturedCents).toBe(product.priceCents);
    expect(await kinds(orderId)).toContain('payment_declined');
  });

  it('cancels with payment_failed after MAX_PAYMENT_ATTEMPTS declines, and gives the stock back', async () => {
    const { orderId, product } = await placeWith('pm_card_chargeDeclinedInsufficientFunds');
    await waitForOrder(stack, orderId, (o) => o.payment.step === 'declined');
    const again = await stack.http(`/api/orders/${orderId}/payment`, {
      method: 'POST',
      json: { paymentMethod: 'pm_card_chargeDeclinedExpiredCard' },
    });
    expect(again.status).toBe(200);
    const order = await waitForOrder(stack, orderId, (o) => o.status === 'cancelled');
    expect(order).toMatchObject({
      cancelReason: 'payment_failed',
      payment: { capturedCents: 0, lastError: { code: 'expired_card' } },
    });
    expect(order.lines[0].status).toBe('cancelled');
    expect((await held(product.id, orderId))?.status).toBe('released');
    expect(await kinds(orderId)).toEqual(['order_confirmed', 'payment_declined', 'order_cancelled']);
    const journal = await stack.db.prisma.journalEvent.findMany({ where: { aggregateId: orderId } });
    // Placed, never paid, cancelled: no purchase, nothing billed.
    expect(journal.map((e) => e.type).sort()).toEqual(['OrderCancelled', 'OrderPlaced']);
    await expectInvariants(stack);
  });

  it('without a payment method, waits for one until PAYMENT_TIMEOUT, then cancels and releases its stock', async () => {
    const { orderId, product } = await placeWith();
    const waiting = await waitForOrder(stack, orderId, (o) => o.status === 'awaiting_payment');
    expect(waiting.payment.step).toBe('none');
    const order = await waitForOrder(stack, orderId, (o) => o.status === 'cancelled');
    expect(order.cancelReason).toBe('payment_timeout');
    expect(Date.parse(order.updatedAt) - Date.parse(order.placedAt)).toBeGreaterThanOrEqual(4_000);
    expect((await held(product.id, orderId))?.status).toBe('released');
    const late = await stack.http(`/api/orders/${orderId}/payment`, {
      method: 'POST',
      json: { paymentMethod: 'pm_card_visa' },
    });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('payment_not_expected');
  });

  it('a payment method given later is used: placed without one, paid by POST /api/orders/:id/payment', async () => {
    const { orderId } = await placeWith();
    await waitForOrder(stack, orderId, (o) => o.status === 'awaiting_payment');
    const paid = await stack.http(`/api/orders/${orderId}/payment`, {
      method: 'POST',
      json: { paymentMethod: 'pm_card_mastercard' },
    });
    expect(paid.body.payment.step).toBe('authorized');
    await waitForOrder(stack, orderId, (o) => o.status === 'delivered');
  });

  it('3-D Secure: hands the storefront the next action and client secret, then goes on when the customer confirms', async () => {
    const { orderId, product } = await placeWith('pm_card_authenticationRequired');
    const waiting = await waitForOrder(stack, orderId, (o) => o.payment.step === 'requires_action');
    expect(waiting.status).toBe('awaiting_payment');
    const { nextAction, paymentId } = waiting.payment;
    expect(nextAction).toMatchObject({
      type: 'redirect_to_url',
      url: expect.stringContaining(`/simulated-payments/${paymentId}/authenticate`),
      clientSecret: expect.stringContaining(paymentId),
    });

    const page = await stack.http(`/simulated-payments/${paymentId}/authenticate`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const confirmed = await stack.http(`/simulated-payments/${paymentId}/authenticate`, {
      method: 'POST',
      json: { outcome: 'succeed' },
    });
    expect(confirmed.body).toMatchObject({ status: 'requires_capture', orderId });

    const order = await waitForOrder(stack, orderId, (o) => o.status === 'delivered');
    expect(order.payment).toMatchObject({ capturedCents: product.priceCents, nextAction: null });
    expect(await kinds(orderId)).toContain('payment_action_required');
  });

  it('3-D Secure not done in time: the PaymentIntent and the order are cancelled', async () => {
    const { orderId, product } = await placeWith('pm_card_authenticationRequired');
    const waiting = await waitForOrder(stack, orderId, (o) => o.payment.step === 'requires_action');
    const order = await waitForOrder(stack, orderId, (o) => o.status === 'cancelled');
    expect(order.cancelReason).toBe('payment_timeout');
    const intent = await stack.db.prisma.simulatedPaymentIntent.findUniqueOrThrow({
      where: { id: waiting.payment.paymentId },
    });
    expect(intent.status).toBe('canceled');
    expect((await held(product.id, orderId))?.status).toBe('released');
    await expectInvariants(stack);
  });

  it('3-D Secure failed: declined, and a new card still completes the order', async () => {
    const { orderId } = await placeWith('pm_card_authenticationRequired');
    const waiting = await waitForOrder(stack, orderId, (o) => o.payment.step === 'requires_action');
    await stack.http(`/simulated-payments/${waiting.payment.paymentId}/authenticate`, {
      method: 'POST',
      json: { outcome: 'fail' },
    });
    const declined = await waitForOrder(stack, orderId, (o) => o.payment.step === 'declined');
    expect(declined.payment.lastError.code).toBe('payment_intent_authentication_failure');
    await stack.http(`/api/orders/${orderId}/payment`, { method: 'POST', json: { paymentMethod: 'pm_card_visa' } });
    await waitForOrder(stack, orderId, (o) => o.status === 'delivered');
  });
});
