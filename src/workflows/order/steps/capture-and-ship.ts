import { condition } from '@temporalio/workflow';
import { money } from '../../../domain/money.js';
import { amountToCapture, linesIn, setLine, setPayment, transition } from '../../../domain/order.js';
import { itemPurchasedEvents } from '../../../domain/order-journal.js';
import type { PaymentIntentView } from '../../../payments/provider.js';
import { PATCH_NOTIFY_PICKING, PATCH_PICKING_IN_ONE_STEP } from '../../patches.js';
import { now } from '../clock.js';
import { type Ending } from '../ending.js';
import { type OrderRun } from '../run.js';
import { paymentRefusal, payStep } from './pay-step.js';
import { keepAuthorizationAlive } from './reauthorize.js';
import { step } from './step.js';

/** Fulfilment: picked in the warehouse (the customer may still cancel), then the point of no return. */
export async function pick(run: OrderRun): Promise<Ending | undefined> {
  run.state = transition(run.state, 'picking', now(), 'Picking in the warehouse');
  if (run.patched(PATCH_PICKING_IN_ONE_STEP)) {
    // The summary and the customer's message in one activity (the "reserved" summary before it
    // was skipped: this one follows at once).
    await run.publishTelling('order_picking', 'The warehouse is picking your order.');
  } else {
    // Added after release: customers asked to hear when the warehouse starts on their order. A new
    // activity is a new command, so orders already past this point in older code must not run it
    // on replay: patched() records a marker in new histories and answers false for old ones.
    if (run.patched(PATCH_NOTIFY_PICKING)) {
      await run.notify('order_picking', 'The warehouse is picking your order.');
    }
    await run.publish();
  }
  if (await condition(() => run.cancelRequest !== null, run.policy.pickingMs, { summary: 'Picking in the warehouse' }))
    return { kind: 'cancelled', reason: run.cancelRequest! };
  return keepAuthorizationAlive(run);
}

/**
 * The point of no return: capture what ships (only the held lines; the rest of the hold is
 * released), take it off the shelf, tell the journal. A refused capture (an expired authorization)
 * ships nothing and gives everything back. From here only refunds undo money.
 */
export async function captureAndShip(run: OrderRun): Promise<Ending | undefined> {
  run.shipping = true;
  const amount = amountToCapture(run.state);
  let captured: PaymentIntentView;
  try {
    const paymentId = run.state.payment.paymentId!;
    captured = await payStep(run, 'Capturing the payment', () =>
      run.pay.capturePayment(`Capture ${money(amount, run.state.currency)} for what ships`, {
        paymentId,
        amountCents: amount,
        idempotencyKey: `${run.selfId}:capture`,
      }),
    );
  } catch (err) {
    const code = paymentRefusal(err);
    if (!code) throw err;
    run.shipping = false;
    run.state = setPayment(
      run.state,
      { lastError: { code, declineCode: null, message: `capture refused: ${code}` } },
      now(),
      'capture_failed',
      `Capture refused: ${code}`,
    );
    return {
      kind: 'cancelled',
      reason: 'payment_failed',
      message: 'The payment could not be collected, so the order was not shipped.',
    };
  }
  run.state = setPayment(
    run.state,
    { step: 'captured', capturedCents: captured.amountReceived },
    now(),
    'payment_captured',
    `Captured ${money(captured.amountReceived, run.state.currency)}${captured.amountReceived < run.state.payment.authorizedCents ? '; the rest of the hold was released' : ''}`,
  );
  run.saga.clear(); // shipped goods are not un-held
  const shippedAt = now();
  const shippedLines = linesIn(run.state, 'held');
  for (const line of shippedLines) {
    await step(run, `Shipping ${line.quantity} × ${line.sku}`, ({ db }) =>
      db.shipStock(`Ship ${line.quantity} × ${line.sku}`, { orderId: run.state.id, productId: line.productId }),
    );
    run.state = setLine(run.state, line.productId, 'shipped', now());
  }
  await run.journal(
    `Journal ItemPurchased × ${shippedLines.length}`,
    itemPurchasedEvents(run.state, shippedLines, shippedAt),
  );
  run.state = transition(run.state, 'shipped', now(), 'Shipped');
  await run.notify('order_shipped', 'Your order is on its way.');
  await run.publish();
  return undefined;
}
