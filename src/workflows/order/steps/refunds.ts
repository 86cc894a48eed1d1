import { condition } from '@temporalio/workflow';
import { nextRefundCheckMs } from '../../../domain/history-budget.js';
import { money } from '../../../domain/money.js';
import { recordRefund, type RefundRecord } from '../../../domain/order.js';
import { refundedEvent } from '../../../domain/order-journal.js';
import { payStep } from './pay-step.js';
import { step } from './step.js';
import { now } from '../clock.js';
import { type OrderRun } from '../run.js';

/**
 * Refunds part of what was captured (a return, a force-cancel after shipping, a capture found
 * after a cancel). A pending refund is followed to its end; only a succeeded one counts.
 */
export async function issueRefund(run: OrderRun, amountCents: number, reason: string): Promise<void> {
  // Claimed before the first await, so two refunds cannot both take the same money.
  run.pendingRefundCents += amountCents;
  const n = ++run.refunds;
  try {
    const summary = `Refund ${money(amountCents, run.state.currency)}: ${reason}`;
    const refund = await payStep(
      run,
      'Refunding',
      () =>
        run.pay.refundPayment(summary, {
          paymentId: run.state.payment.paymentId!,
          amountCents,
          idempotencyKey: `${run.selfId}:refund:${n}`,
        }),
      false,
    );
    const record: RefundRecord = {
      id: refund.id,
      amountCents,
      status: refund.status,
      reason,
      failureReason: refund.failureReason,
      at: now(),
    };
    await settleRefund(run, record);
    if (record.status === 'pending') followRefund(run, record);
  } finally {
    run.pendingRefundCents -= amountCents;
  }
}

/** Applies a refund's state; a success is journaled and told once, a failure is flagged. */
async function settleRefund(run: OrderRun, refund: RefundRecord): Promise<void> {
  run.state = recordRefund(run.state, refund, now());
  if (refund.status === 'succeeded') {
    await run.journal(`Journal Refunded ${money(refund.amountCents, run.state.currency)}`, [
      refundedEvent(run.state, refund, now()),
    ]);
    await run.notify(
      'refund_issued',
      `We refunded ${money(refund.amountCents, run.state.currency)}.`,
      { amountCents: refund.amountCents },
      `refund_issued:${refund.id}`,
    );
  }
  await run.publish();
}

/** A pending refund is never assumed done: it is looked up on news and on a timer until it ends. */
function followRefund(run: OrderRun, refund: RefundRecord): void {
  const tracker = (async () => {
    let current = refund;
    // Looked at less and less often (webhooks wake it at once): a refund pending for weeks must
    // not grow the order's history without bound.
    let wait = run.policy.refundCheckIntervalMs;
    while (current.status === 'pending') {
      const seen = run.refundNudges;
      await condition(() => run.refundNudges !== seen, wait, {
        summary: `Look at refund ${refund.id} again (or on the provider's webhook)`,
      });
      wait = nextRefundCheckMs(wait, run.policy.refundCheckIntervalMs);
      const latest = await step(
        run,
        `Looking up refund ${refund.id}`,
        ({ settle }) => settle.retrieveRefund(`Look up refund ${refund.id}`, { refundId: refund.id }),
        { cancellable: false },
      );
      if (latest.status !== current.status) {
        current = { ...current, status: latest.status, failureReason: latest.failureReason };
        await settleRefund(run, current);
      }
    }
  })();
  run.refundTrackers.add(tracker);
  void tracker.finally(() => run.refundTrackers.delete(tracker));
}

/** Waits for every refund being followed to end. */
export async function refundsSettled(run: OrderRun): Promise<void> {
  while (run.refundTrackers.size > 0) await Promise.all(run.refundTrackers);
}
