import { money } from '../../../domain/money.js';
import { orderTotal, setPayment } from '../../../domain/order.js';
import type { PaymentIntentView } from '../../../payments/provider.js';
import { now } from '../clock.js';
import { type Ending } from '../ending.js';
import { type OrderRun } from '../run.js';
import { paymentRefusal, payStep } from './pay-step.js';
import { step } from './step.js';

/**
 * An authorization lapses (Stripe's card holds last about 7 days): never capture after
 * captureBefore. A long backorder renews the hold REAUTHORIZE_BEFORE ahead, off-session with the
 * same payment method; if that fails the order is cancelled and the customer told (nothing was
 * charged) rather than shipped unpaid.
 */
export function renewAt(run: OrderRun): number {
  const { step, captureBefore } = run.state.payment;
  return step === 'authorized' && captureBefore ? Date.parse(captureBefore) - run.policy.reauthorizeBeforeMs : Infinity;
}

/** Renews the hold if it is due; an ending when it was due and could not be renewed. */
export async function keepAuthorizationAlive(run: OrderRun): Promise<Ending | undefined> {
  if (Date.now() < renewAt(run) || (await renewAuthorization(run))) return undefined;
  return {
    kind: 'cancelled',
    reason: 'payment_failed',
    message:
      'Your payment authorization was about to expire and could not be renewed, so the order was cancelled; nothing was charged.',
  };
}

/** A new hold, then the old one voided (its undo is the saga's voidPayment, which voids the current hold). */
async function renewAuthorization(run: OrderRun): Promise<boolean> {
  const previous = run.state.payment.paymentId!;
  const n = ++run.reauthorizations;
  let intent: PaymentIntentView | undefined;
  let refusal: string | undefined;
  try {
    intent = await payStep(run, 'Renewing the payment authorization', (retried) =>
      run.pay.reauthorizePayment(
        `Renew the authorization: ${money(orderTotal(run.state), run.state.currency)} off-session`,
        {
          paymentId: previous,
          amountCents: orderTotal(run.state),
          idempotencyKey: `${run.selfId}:reauthorize:${n}`,
          metadata: { orderId: run.state.id, workflowId: run.selfId, attempt: `reauthorize-${n}` },
          lookUpFirst: retried,
        },
      ),
    );
  } catch (err) {
    refusal = paymentRefusal(err);
    if (!refusal) throw err;
  }
  if (intent?.status === 'requires_capture') {
    await step(run, `Voiding the old hold ${previous}`, ({ settle }) =>
      settle.cancelPayment(`Void the old hold ${previous}: renewed`, {
        paymentId: previous,
        idempotencyKey: `${run.selfId}:void:${previous}`,
      }),
    );
    run.state = setPayment(
      run.state,
      { paymentId: intent.id, authorizedCents: intent.amountCapturable, captureBefore: intent.captureBefore },
      now(),
      'payment_reauthorized',
      `Payment authorization renewed before it lapsed, now held until ${intent.captureBefore}`,
    );
    await run.publish();
    return true;
  }
  if (intent && intent.status !== 'canceled') {
    const unusable = intent.id;
    await step(run, `Voiding the unusable renewal ${unusable}`, ({ settle }) =>
      settle.cancelPayment(`Void the renewal ${unusable}: not usable`, {
        paymentId: unusable,
        idempotencyKey: `${run.selfId}:void:${unusable}`,
      }),
    );
  }
  const error = intent?.lastError ?? {
    code: refusal ?? 'reauthorization_failed',
    declineCode: null,
    message: 'the authorization could not be renewed',
  };
  run.state = setPayment(
    run.state,
    { lastError: error },
    now(),
    'reauthorization_failed',
    `Renewing the payment authorization failed: ${error.message}`,
  );
  return false;
}
