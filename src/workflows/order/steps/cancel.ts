import { allHandlersFinished, condition } from '@temporalio/workflow';
import { money } from '../../../domain/money.js';
import { cancel, cancelShipped, refundableCents, type CancelReason, type OrderView } from '../../../domain/order.js';
import { orderCancelledEvent } from '../../../domain/order-journal.js';
import type { Undo } from '../../../domain/saga.js';
import { now } from '../clock.js';
import { type Ending } from '../ending.js';
import { type OrderRun } from '../run.js';
import { voidPayment } from './authorize.js';
import { releaseHold, stopWaiting } from './hold-stock.js';
import { issueRefund, refundsSettled } from './refunds.js';

/** Each kind of undo, run by the step that took the thing (see saga.ts). */
function undo(run: OrderRun, entry: Undo): Promise<unknown> {
  switch (entry.kind) {
    case 'release':
      return releaseHold(run, entry);
    case 'stopWaiting':
      return stopWaiting(run, entry);
    case 'voidPayment':
      return voidPayment(run);
  }
}

/** Ends the order as a step said it must (see Ending). */
export function end(run: OrderRun, ending: Ending): Promise<OrderView> {
  run.ending = true;
  switch (ending.kind) {
    case 'closed':
      return Promise.resolve(run.view());
    case 'refundAll':
      return cancelAfterShipping(run);
    case 'cancelled':
      return ending.message === undefined
        ? cancelledBy(run, ending.reason)
        : compensateAndCancel(run, ending.reason, ending.message);
  }
}

/** Gives back everything taken, newest first (each undo retried until it works), then closes as cancelled. */
async function compensateAndCancel(run: OrderRun, reason: CancelReason, message: string): Promise<OrderView> {
  run.shipping = false;
  await run.saga.unwind((entry) => undo(run, entry));
  run.state = cancel(run.state, reason, now(), message);
  return closeCancelled(run, reason, message);
}

/** A cancellation someone asked for: the customer, or the shop (an operator's cancel or force-cancel). */
function cancelledBy(run: OrderRun, reason: CancelReason): Promise<OrderView> {
  return compensateAndCancel(
    run,
    reason,
    reason === 'operator'
      ? `Cancelled by the shop${run.forceCancel ? ` (${run.forceCancel.reason})` : ''}.`
      : 'Cancelled at the customer’s request.',
  );
}

/** A force-cancel after shipping: everything captured and not yet refunded is refunded. */
async function cancelAfterShipping(run: OrderRun): Promise<OrderView> {
  await condition(() => run.pendingRefundCents === 0); // refunds under way finish first
  const reason = run.forceCancel!.reason;
  const left = refundableCents(run.state);
  if (left > 0) await issueRefund(run, left, `order cancelled by the shop: ${reason}`);
  await refundsSettled(run);
  const message = `Cancelled by the shop after shipping (${reason}); ${money(run.state.payment.refundedCents, run.state.currency)} refunded.`;
  run.state = cancelShipped(run.state, now(), message);
  return closeCancelled(run, 'operator', message);
}

/** The end of every cancellation: journal, the customer told, the summary written. */
async function closeCancelled(run: OrderRun, reason: CancelReason, message: string): Promise<OrderView> {
  await run.journal(`Journal OrderCancelled (${reason})`, [orderCancelledEvent(run.state, reason, now())]);
  await run.notify('order_cancelled', message, { reason });
  await run.publish();
  run.cancellationDone = true;
  await condition(allHandlersFinished);
  return run.view();
}
