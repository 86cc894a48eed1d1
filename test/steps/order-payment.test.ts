/**
 * The order's payment steps, branch by branch, on stubbed activities: authorized at once, no method
 * until the deadline, declines, 3-D Secure, a provider that stays down, and a hold renewed.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { afterAll, beforeAll, describe, it } from 'vitest';
import {
  paymentEventSignal,
  providePaymentMethodUpdate,
  retryPaymentStepUpdate,
  cancelOrderUpdate,
} from '../../src/contracts/order.contract.js';
import { PAYMENT_REQUEST_FAILED } from '../../src/domain/errors.js';
import { intent, startStubbedOrders, World, type StubbedOrders } from '../helpers/stubbed-orders.js';

/** A PaymentIntent waiting for the customer's 3-D Secure (at the bank's `url`, or through Stripe.js). */
const threeDSecure = (url: string | null) => ({
  status: 'requires_action' as const,
  amountCapturable: 0,
  clientSecret: 'pi_3ds_secret',
  nextAction: url ? { type: 'redirect_to_url' as const, url } : { type: 'use_stripe_sdk' as const, url: null },
  captureBefore: null,
});

let orders: StubbedOrders;
beforeAll(async () => {
  orders = await startStubbedOrders();
});
afterAll(async () => {
  await orders?.close();
});

const types = (o: { timeline: { type: string }[] }) => o.timeline.map((t) => t.type);

describe.concurrent('authorize', () => {
  it('with a good card: holds the whole order once, then goes on to delivery', async ({ expect }) => {
    const world = new World();
    const handle = await orders.start(world);
    const order = await handle.result();
    expect(order).toMatchObject({ status: 'delivered', payment: { step: 'captured', capturedCents: 5000 } });
    expect(world.callsTo('authorizePayment')).toEqual([
      expect.objectContaining({ amountCents: 5000, idempotencyKey: `${handle.workflowId}:authorize:1` }),
    ]);
    expect(world.messages()).toEqual(['order_confirmed', 'order_picking', 'order_shipped', 'order_delivered']);
  });

  it('without a method: waits until the pay-by deadline, then cancels and gives the stock back', async ({ expect }) => {
    const world = new World();
    const handle = await orders.start(world, { paymentMethod: null, policy: { paymentTimeoutMs: 800 } as any });
    const order = await handle.result();
    expect(order).toMatchObject({ status: 'cancelled', cancelReason: 'payment_timeout' });
    expect(world.callsTo('authorizePayment')).toEqual([]);
    expect(world.callsTo('releaseStock').length).toBe(2);
  });

  it('a decline waits for another card; the next one is authorized', async ({ expect }) => {
    const world = new World();
    const authorize = world.stubs.authorizePayment;
    world.stubs.authorizePayment = async (input) =>
      input.paymentMethod === 'pm_card_chargeDeclined'
        ? world.keep({
            ...(await authorize(input)),
            status: 'requires_payment_method',
            amountCapturable: 0,
            lastError: { code: 'card_declined', declineCode: 'generic_decline', message: 'Your card was declined.' },
          })
        : authorize(input);
    const handle = await orders.start(world, { paymentMethod: 'pm_card_chargeDeclined' });
    const declined = await orders.until(handle, (o) => o.payment.step === 'declined');
    expect(declined.payment.lastError?.code).toBe('card_declined');
    const after = await handle.executeUpdate(providePaymentMethodUpdate, { args: [{ paymentMethod: 'pm_card_visa' }] });
    expect(after.payment).toMatchObject({ step: 'authorized', attempts: 2 });
    expect((await handle.result()).status).toBe('delivered');
    expect(world.messages()).toContain('payment_declined');
  });

  it('after MAX_PAYMENT_ATTEMPTS refusals: cancelled payment_failed', async ({ expect }) => {
    const world = new World();
    world.stubs.authorizePayment = async () => {
      throw ApplicationFailure.create({
        type: PAYMENT_REQUEST_FAILED,
        message: 'expired card',
        nonRetryable: true,
        details: [{ code: 'expired_card' }],
      });
    };
    const handle = await orders.start(world, { policy: { maxPaymentAttempts: 2 } as any });
    await orders.until(handle, (o) => o.payment.attempts === 1 && o.payment.step === 'declined');
    await handle.executeUpdate(providePaymentMethodUpdate, { args: [{ paymentMethod: 'pm_card_amex' }] });
    const order = await handle.result();
    expect(order).toMatchObject({ status: 'cancelled', cancelReason: 'payment_failed' });
    expect(order.payment.lastError?.code).toBe('expired_card');
  });

  it('3-D Secure: waits for the customer; a webhook wakes it and it looks the payment up', async ({ expect }) => {
    const world = new World();
    world.stubs.authorizePayment = async (input) =>
      world.keep(intent('pi_3ds', input.amountCents, threeDSecure('https://bank.example/3ds')));
    const handle = await orders.start(world, { policy: { paymentCheckIntervalMs: 60_000 } as any });
    const waiting = await orders.until(handle, (o) => o.payment.step === 'requires_action');
    expect(waiting.payment.nextAction).toEqual({
      type: 'redirect_to_url',
      url: 'https://bank.example/3ds',
      clientSecret: 'pi_3ds_secret',
    });
    world.keep({
      ...world.intents.get('pi_3ds')!,
      status: 'requires_capture',
      amountCapturable: 5000,
      captureBefore: new Date(Date.now() + 86_400_000 * 7).toISOString(),
    });
    await handle.signal(paymentEventSignal, {
      paymentId: 'pi_3ds',
      type: 'payment_intent.amount_capturable_updated',
      eventId: 'evt_1',
    });
    const order = await handle.result();
    expect(order.status).toBe('delivered');
    expect(world.callsTo('retrievePayment').length).toBe(1); // woken by the signal, not the hourly look
  });

  it('3-D Secure never finished: cancelled at the action deadline, the pending payment voided', async ({ expect }) => {
    const world = new World();
    world.stubs.authorizePayment = async (input) => world.keep(intent('pi_3ds', input.amountCents, threeDSecure(null)));
    const handle = await orders.start(world, { policy: { paymentActionTimeoutMs: 800 } as any });
    const order = await handle.result();
    expect(order).toMatchObject({ status: 'cancelled', cancelReason: 'payment_timeout', payment: { step: 'voided' } });
    expect(world.callsTo('cancelPayment').map((a) => a.paymentId)).toEqual(['pi_3ds']);
  });
});

describe.concurrent('a payment step whose provider stays down', () => {
  it('stops flagged payment_stuck; an operator retry resumes it and clears the flag', async ({ expect }) => {
    const world = new World();
    const authorize = world.stubs.authorizePayment;
    let down = true;
    world.stubs.authorizePayment = async (input) => {
      if (down) throw new Error('connect ECONNREFUSED');
      return authorize(input);
    };
    const handle = await orders.start(world);
    const stuck = await orders.until(handle, (o) => o.flags.includes('payment_stuck'));
    expect(types(stuck)).toContain('payment_stuck');
    down = false;
    const resumed = await handle.executeUpdate(retryPaymentStepUpdate);
    expect(resumed.flags).not.toContain('payment_stuck');
    expect((await handle.result()).status).toBe('delivered');
    // The retry looked for a hold an earlier try made before creating one.
    expect(world.callsTo('authorizePayment').at(-1)).toMatchObject({ lookUpFirst: true });
  });

  it('an operator retry that lands while the flag is still being saved is not lost', async ({ expect }) => {
    const world = new World();
    const authorize = world.stubs.authorizePayment;
    let down = true;
    world.stubs.authorizePayment = async (input) => {
      if (down) throw new Error('connect ECONNREFUSED');
      return authorize(input);
    };
    // Saving the flagged summary takes until the operator has retried (the Web UI shows the flag first).
    let saved!: () => void;
    const retried = new Promise<void>((resolve) => (saved = resolve));
    world.stubs.recordOrderSummary = async (view) => {
      if (view.flags.includes('payment_stuck')) await retried;
    };
    const handle = await orders.start(world);
    await orders.until(handle, (o) => o.flags.includes('payment_stuck'));
    down = false;
    const update = handle.executeUpdate(retryPaymentStepUpdate);
    await new Promise((r) => setTimeout(r, 300)); // the update is accepted while the save is in flight
    saved();
    expect((await update).flags).not.toContain('payment_stuck');
    expect((await orders.until(handle, (o) => o.status === 'delivered', 8_000)).payment.step).toBe('captured');
  });

  it('stops flagged; a cancel abandons the step and gives everything back', async ({ expect }) => {
    const world = new World();
    world.stubs.authorizePayment = async () => {
      throw new Error('connect ECONNREFUSED');
    };
    const handle = await orders.start(world);
    await orders.until(handle, (o) => o.flags.includes('payment_stuck'));
    const cancelled = await handle.executeUpdate(cancelOrderUpdate, { args: [{ reason: 'customer' }] });
    expect(cancelled).toMatchObject({ status: 'cancelled', cancelReason: 'customer', flags: [] });
    expect(types(cancelled)).toContain('payment_step_abandoned');
    expect(world.callsTo('releaseStock').length).toBe(2);
  });
});

describe.concurrent('an authorization that would lapse', () => {
  it('is renewed before capture, and the old hold voided', async ({ expect }) => {
    const world = new World();
    const authorize = world.stubs.authorizePayment;
    // Lapses in 2 days; renewal is due 3 days ahead, so at once.
    world.stubs.authorizePayment = async (input) =>
      world.keep({ ...(await authorize(input)), captureBefore: new Date(Date.now() + 2 * 86_400_000).toISOString() });
    const handle = await orders.start(world, { policy: { reauthorizeBeforeMs: 3 * 86_400_000 } as any });
    const order = await handle.result();
    expect(order.status).toBe('delivered');
    expect(world.callsTo('reauthorizePayment').length).toBe(1);
    expect(world.callsTo('cancelPayment').map((a) => a.paymentId)).toEqual(['pi_1']);
    expect(order.payment.paymentId).toBe('pi_reauthorize-1');
    expect(types(order)).toContain('payment_reauthorized');
  });

  it('cancels payment_failed when the renewal is declined, charging nothing', async ({ expect }) => {
    const world = new World();
    const authorize = world.stubs.authorizePayment;
    world.stubs.authorizePayment = async (input) =>
      world.keep({ ...(await authorize(input)), captureBefore: new Date(Date.now() + 2 * 86_400_000).toISOString() });
    world.stubs.reauthorizePayment = async () => {
      throw ApplicationFailure.create({
        type: PAYMENT_REQUEST_FAILED,
        message: 'authentication required',
        nonRetryable: true,
        details: [{ code: 'authentication_required' }],
      });
    };
    const handle = await orders.start(world, { policy: { reauthorizeBeforeMs: 3 * 86_400_000 } as any });
    const order = await handle.result();
    expect(order).toMatchObject({ status: 'cancelled', cancelReason: 'payment_failed', payment: { capturedCents: 0 } });
    expect(world.callsTo('capturePayment')).toEqual([]);
  });
});
