import { condition, setHandler } from '@temporalio/workflow';
import { businessFailure } from '../../contracts/failures.js';
import {
  cancelOrderUpdate,
  disputeOpenedSignal,
  forceCancelOrderUpdate,
  getOrderQuery,
  paymentEventSignal,
  providePaymentMethodUpdate,
  refundOrderUpdate,
  refundUpdatedSignal,
  retryPaymentStepUpdate,
  retryStepUpdate,
  stockArrivedSignal,
} from '../../contracts/order.contract.js';
import { ErrorCode } from '../../domain/errors.js';
import { money } from '../../domain/money.js';
import { flag, isCancellable, note, refundableCents, type OrderView } from '../../domain/order.js';
import { paymentDisputedEvent } from '../../domain/order-journal.js';
import { now } from './clock.js';
import { type OrderRun } from './run.js';
import { issueRefund } from './steps/refunds.js';

/**
 * Every message an order answers, registered before its first await (a GET or a cancel can come
 * at once after the 202). Handlers validate, record the request on the run and wait for the
 * steps to act on it; they never run a step themselves, except refunds and disputes, which happen
 * beside the order's life rather than in it.
 */
export function registerHandlers(run: OrderRun): void {
  setHandler(getOrderQuery, () => run.view());

  setHandler(stockArrivedSignal, ({ productId }) => {
    run.stockNudges++;
    run.restocksAsked.delete(productId); // if stock is still short after this, another restock may be asked for
  });
  // Counted whatever the payment id: a webhook may beat the authorize call's own answer, and a
  // needless wake-up only costs one retrieve.
  setHandler(paymentEventSignal, ({ eventId }) => {
    if (run.firstTime(eventId)) run.paymentNudges++;
  });
  setHandler(refundUpdatedSignal, ({ eventId }) => {
    if (run.firstTime(eventId)) run.refundNudges++;
  });

  setHandler(
    cancelOrderUpdate,
    async ({ reason }): Promise<OrderView> => {
      if (run.cancellationDone) return run.view(); // cancelling twice answers the same
      run.cancelRequest ??= reason ?? 'customer';
      // Answer once everything is done: compensations, journal, the customer told, the summary written.
      await condition(() => run.cancellationDone || run.shipping);
      if (!run.cancellationDone)
        throw businessFailure(ErrorCode.OrderNotCancellable, 'the order began shipping before it could be cancelled');
      return run.view();
    },
    {
      // The parameter is named so TypeScript infers the update's argument types from `def`.
      validator: (_args) => {
        // A cancellation already under way (or done) is joined, not refused.
        if (!run.cancellationDone && run.cancelRequest === null && (run.shipping || !isCancellable(run.state.status))) {
          throw businessFailure(
            ErrorCode.OrderNotCancellable,
            `the order is ${run.state.status.replace('_', ' ')}; it can no longer be cancelled`,
          );
        }
      },
    },
  );

  setHandler(
    providePaymentMethodUpdate,
    async ({ paymentMethod }): Promise<OrderView> => {
      run.pendingMethod = paymentMethod;
      const attempts = run.state.payment.attempts;
      // Answer with the outcome of this method: authorized, declined, or 3-D Secure to do.
      await condition(
        () =>
          (run.state.payment.attempts > attempts && run.state.payment.step !== 'authorizing') ||
          run.state.status === 'cancelled',
      );
      return run.view();
    },
    {
      validator: (_args) => {
        const { status, payment } = run.state;
        if (payment.attempts >= payment.attemptsAllowed && (status === 'placed' || status === 'awaiting_payment'))
          throw businessFailure(
            ErrorCode.PaymentNotExpected,
            `all ${payment.attemptsAllowed} payment attempts of this order have been used`,
          );
        const waiting = status === 'placed' || status === 'awaiting_payment';
        if (!waiting || run.pendingMethod !== null || payment.step === 'authorizing' || payment.step === 'authorized') {
          throw businessFailure(
            ErrorCode.PaymentNotExpected,
            `the order is ${status.replace('_', ' ')} and not waiting for a payment method`,
          );
        }
      },
    },
  );

  setHandler(
    refundOrderUpdate,
    async ({ amountCents, reason }): Promise<OrderView> => {
      await issueRefund(run, amountCents, reason);
      return run.view();
    },
    {
      validator: ({ amountCents }) => {
        const refundable = refundableCents(run.state) - run.pendingRefundCents;
        if (
          run.state.payment.step !== 'captured' ||
          !Number.isInteger(amountCents) ||
          amountCents < 1 ||
          amountCents > refundable
        ) {
          throw businessFailure(
            ErrorCode.RefundNotAllowed,
            `at most ${money(Math.max(0, refundable), run.state.currency)} can be refunded now`,
          );
        }
      },
    },
  );

  setHandler(disputeOpenedSignal, async ({ disputeId, reason, amountCents, eventId }) => {
    if (!run.firstTime(eventId)) return;
    run.state = flag(
      note(
        run.state,
        now(),
        'dispute_opened',
        `Dispute ${disputeId} opened (${reason}) for ${money(amountCents, run.state.currency)}: needs an operator`,
      ),
      'disputed',
    );
    await run.journal(`Journal PaymentDisputed ${disputeId}`, [
      paymentDisputedEvent(run.state.id, { disputeId, reason, amountCents }, false, now()),
    ]);
    await run.publish();
  });

  setHandler(
    forceCancelOrderUpdate,
    async ({ reason }): Promise<OrderView> => {
      if (!run.cancellationDone) {
        run.forceCancel ??= { reason };
        run.cancelRequest ??= 'operator';
        await condition(() => run.cancellationDone);
      }
      return run.view();
    },
    {
      validator: ({ reason }) => {
        if (typeof reason !== 'string' || reason.trim().length === 0)
          throw businessFailure(ErrorCode.ValidationFailed, 'a force-cancel needs a reason');
        if (run.closing && !run.cancellationDone)
          throw businessFailure(ErrorCode.OrderNotCancellable, 'the order is closing; it can no longer be cancelled');
      },
    },
  );

  // An operator retries a step the order stopped at; the update answers once it has been taken up.
  const retry = async (): Promise<OrderView> => {
    const since = run.state.stuck?.since;
    run.retryRequests++;
    await condition(() => run.state.stuck?.since !== since);
    return run.view();
  };
  setHandler(retryPaymentStepUpdate, retry, {
    validator: () => {
      if (!run.paymentStuck)
        throw businessFailure(ErrorCode.PaymentNotStuck, 'no payment step of this order is waiting for an operator');
    },
  });
  setHandler(retryStepUpdate, retry, {
    validator: () => {
      if (run.state.stuck?.waitingFor !== 'operator')
        throw businessFailure(
          ErrorCode.NothingToRetry,
          run.state.stuck
            ? `${run.state.stuck.step} is retrying by itself (${run.state.stuck.flag}); nothing for an operator to retry`
            : 'no step of this order is waiting for an operator',
        );
    },
  });
}
