import { type ActivityFailure, condition } from '@temporalio/workflow';
import { money } from '../../../domain/money.js';
import { linesIn, orderTotal, refundableCents, setPayment, transition } from '../../../domain/order.js';
import type { PaymentIntentView } from '../../../payments/provider.js';
import { PATCH_FEWER_PAYMENT_SUMMARIES } from '../../patches.js';
import { now, remaining } from '../clock.js';
import { type Ending } from '../ending.js';
import { type OrderRun } from '../run.js';
import { paymentRefusal, payStep } from './pay-step.js';
import { holdPaidDemand, releaseUnpaidHolds } from './hold-stock.js';
import { issueRefund } from './refunds.js';
import { step } from './step.js';

/**
 * Payment: authorize (hold) the whole order. Waits for a payment method until the pay-by deadline,
 * tries each one given (a decline waits for another, up to MAX_PAYMENT_ATTEMPTS), and follows 3-D
 * Secure to its end. Its undo, voidPayment, goes on the saga first: whatever the hold becomes.
 */
export async function authorize(run: OrderRun): Promise<Ending | void> {
  run.state = transition(
    run.state,
    'awaiting_payment',
    now(),
    run.pendingMethod ? 'Authorizing payment' : 'Waiting for a payment method',
  );
  // With a method to try, the attempt follows at once: its outcome is the next summary.
  if (!(run.pendingMethod !== null && run.patched(PATCH_FEWER_PAYMENT_SUMMARIES))) await run.publish();
  const paymentDeadline = Date.parse(run.state.placedAt) + run.policy.paymentTimeoutMs;
  run.saga.push({ kind: 'voidPayment' });

  const holdsLapseAt = run.unpaidHoldsLapse ? Date.parse(run.state.placedAt) + run.policy.unpaidHoldMs! : null;

  while (run.state.payment.step !== 'authorized') {
    if (run.cancelRequest) return { kind: 'cancelled', reason: run.cancelRequest };
    if (run.pendingMethod === null) {
      // Holds outlive no payment: they lapse at holdsLapseAt, and the wait for a payment goes on.
      const lapsing = holdsLapseAt !== null && holdsLapseAt < paymentDeadline && linesIn(run.state, 'held').length > 0;
      const got = await condition(
        () => run.pendingMethod !== null || run.cancelRequest !== null,
        lapsing ? remaining(holdsLapseAt) : remaining(paymentDeadline),
        {
          summary: lapsing
            ? `Wait for a payment method (stock held until ${new Date(holdsLapseAt).toISOString()})`
            : `Wait for a payment method (until ${new Date(paymentDeadline).toISOString()})`,
        },
      );
      if (!got && lapsing) await releaseUnpaidHolds(run);
      else if (!got) return { kind: 'cancelled', reason: 'payment_timeout', message: 'No payment arrived in time.' };
      continue;
    }
    if (run.state.payment.step === 'requires_action') await voidPayment(run); // a new method replaces the pending one
    const method = run.pendingMethod;
    run.pendingMethod = null;
    const attempt = run.state.payment.attempts + 1;
    run.state = setPayment(
      run.state,
      { step: 'authorizing', method, attempts: attempt, lastError: null, nextAction: null },
      now(),
      'payment_attempt',
      `Authorizing with ${method}`,
    );
    // Taken before anything can race it: news arriving from here on wakes the 3-D Secure wait.
    const seenPayments = run.paymentNudges;
    if (!(await tryMethod(run, method, attempt))) {
      const ending = await awaitThreeDSecure(run, paymentDeadline, seenPayments);
      if (ending) return ending;
    }
    if (run.state.payment.step === 'declined') {
      if (run.state.payment.attempts >= run.policy.maxPaymentAttempts)
        return {
          kind: 'cancelled',
          reason: 'payment_failed',
          message: `The payment failed ${run.state.payment.attempts} times.`,
        };
      await run.notify(
        'payment_declined',
        `Your payment was declined: ${run.state.payment.lastError?.message}. Please try another card.`,
        {},
        `payment_declined:${run.state.payment.attempts}`,
      );
    }
    // Authorized, the loop ends and the stock step's summary says so; anything else waits here.
    if (!(run.state.payment.step === 'authorized' && run.patched(PATCH_FEWER_PAYMENT_SUMMARIES))) await run.publish();
  }
  run.state = transition(run.state, 'authorized', now(), 'Payment authorized');
  // The stock step that follows writes the next summary before it can wait ("reserved", or
  // "backordered" with the customer told); a step stopping on the way publishes as it stops.
  if (!run.patched(PATCH_FEWER_PAYMENT_SUMMARIES)) await run.publish();
  await holdPaidDemand(run);
}

/** One authorization with one payment method: authorized, declined (or refused), or 3-D Secure to do. */
async function tryMethod(run: OrderRun, method: string, attempt: number): Promise<boolean> {
  try {
    const intent = await payStep(run, 'Authorizing the payment', (retried) =>
      run.pay.authorizePayment(
        `Authorize ${money(orderTotal(run.state), run.state.currency)} with ${method} (attempt ${attempt})`,
        {
          amountCents: orderTotal(run.state),
          currency: run.state.currency,
          paymentMethod: method,
          idempotencyKey: `${run.selfId}:authorize:${attempt}`,
          metadata: { orderId: run.state.id, workflowId: run.selfId, attempt: String(attempt) },
          description: `Order ${run.state.id}`,
          receiptEmail: run.state.email,
          // An operator's retry may come after the provider forgot the key: look, then create.
          lookUpFirst: retried,
        },
      ),
    );
    return await applyIntent(run, intent);
  } catch (err) {
    const code = paymentRefusal(err);
    if (!code) throw err;
    run.state = setPayment(
      run.state,
      {
        step: 'declined',
        lastError: { code, declineCode: null, message: (err as ActivityFailure).cause?.message ?? code },
      },
      now(),
      'payment_declined',
      `Payment refused: ${code}`,
    );
    return false;
  }
}

/**
 * 3-D Secure: waits for the customer (a webhook or the simulated page nudges the order), a new
 * method, or time. Webhooks can be lost, so the payment is also looked at every check interval,
 * and once more at the deadline: a customer who finished at the last second is not cancelled.
 */
async function awaitThreeDSecure(
  run: OrderRun,
  paymentDeadline: number,
  seenAtStart: number,
): Promise<Ending | undefined> {
  const actionDeadline = Math.min(paymentDeadline, Date.now() + run.policy.paymentActionTimeoutMs);
  const checkEvery = run.policy.paymentCheckIntervalMs ?? 60_000;
  let seenPayments = seenAtStart;
  while (run.state.payment.step === 'requires_action') {
    await run.publish(); // the storefront reads the next action from the order
    await condition(
      () => run.paymentNudges !== seenPayments || run.pendingMethod !== null || run.cancelRequest !== null,
      Math.min(checkEvery, remaining(actionDeadline)),
      { summary: 'Wait for the customer’s 3-D Secure (a webhook, or look again)' },
    );
    if (run.cancelRequest || run.pendingMethod !== null) return undefined;
    seenPayments = run.paymentNudges;
    const paymentId = run.state.payment.paymentId!;
    const current = await payStep(run, 'Checking the payment', () =>
      run.pay.retrievePayment(`Look up payment ${paymentId}`, { paymentId }),
    );
    const authorized = await applyIntent(run, current);
    if (!authorized && run.state.payment.step === 'requires_action' && Date.now() >= actionDeadline) {
      return { kind: 'cancelled', reason: 'payment_timeout', message: 'The payment was not confirmed in time.' };
    }
  }
  return undefined;
}

/** Applies the provider's answer; returns true once authorized. */
async function applyIntent(run: OrderRun, intent: PaymentIntentView): Promise<boolean> {
  if (intent.status === 'requires_capture') {
    run.state = setPayment(
      run.state,
      {
        step: 'authorized',
        paymentId: intent.id,
        authorizedCents: intent.amountCapturable,
        captureBefore: intent.captureBefore,
        nextAction: null,
        lastError: null,
      },
      now(),
      'payment_authorized',
      `Payment authorized: ${(intent.amountCapturable / 100).toFixed(2)} ${run.state.currency} held`,
    );
    return true;
  }
  if (intent.status === 'requires_action') {
    run.state = setPayment(
      run.state,
      {
        step: 'requires_action',
        paymentId: intent.id,
        nextAction: intent.nextAction && { ...intent.nextAction, clientSecret: intent.clientSecret },
      },
      now(),
      'payment_action_required',
      'The card needs the customer to authenticate (3-D Secure)',
    );
    await run.notify(
      'payment_action_required',
      'Please confirm your payment with your bank.',
      { url: intent.nextAction?.url ?? null },
      `payment_action_required:${run.state.payment.attempts}`,
    );
    return false;
  }
  const error = intent.lastError ?? {
    code: 'payment_failed',
    declineCode: null,
    message: `The payment ended as ${intent.status}`,
  };
  run.state = setPayment(
    run.state,
    { step: 'declined', paymentId: intent.id, nextAction: null, lastError: error },
    now(),
    'payment_declined',
    `Payment declined: ${error.message}`,
  );
  return false;
}

/**
 * Undo of authorize: voids the current hold (or a 3-D Secure left pending). A hold found captured
 * after all (a capture whose answer never came back before its step stopped) is given back in full
 * rather than kept for goods that will not ship.
 */
export async function voidPayment(run: OrderRun): Promise<void> {
  const paymentId = run.state.payment.paymentId;
  if (!paymentId || (run.state.payment.step !== 'authorized' && run.state.payment.step !== 'requires_action')) return;
  const after = await step(
    run,
    `Voiding the payment hold ${paymentId}`,
    ({ settle }) =>
      settle.cancelPayment(`Void the payment hold ${paymentId}`, {
        paymentId,
        idempotencyKey: `${run.selfId}:void:${paymentId}`,
      }),
    { compensation: true },
  );
  if (after.status === 'succeeded') {
    run.state = setPayment(
      run.state,
      { step: 'captured', capturedCents: after.amountReceived, nextAction: null },
      now(),
      'payment_captured',
      `Found captured: ${money(after.amountReceived, run.state.currency)} (an earlier capture's answer was lost)`,
    );
    const left = refundableCents(run.state) - run.pendingRefundCents;
    if (left > 0) await issueRefund(run, left, 'order cancelled before shipping');
    return;
  }
  run.state = setPayment(
    run.state,
    { step: 'voided', nextAction: null },
    now(),
    'payment_voided',
    'Payment authorization voided',
  );
}
