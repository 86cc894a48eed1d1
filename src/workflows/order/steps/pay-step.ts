import { ActivityFailure, ApplicationFailure, condition } from '@temporalio/workflow';
import { formatDuration } from '../../../domain/duration.js';
import { PAYMENT_REQUEST_FAILED } from '../../../domain/errors.js';
import { clearStuck, note } from '../../../domain/order.js';
import { now } from '../clock.js';
import { StoppedForCancel } from '../ending.js';
import type { OrderRun } from '../run.js';
import { announce } from './step.js';

/** The provider's refusal code (a decline, an expired authorization) inside a failed payment call. */
export function paymentRefusal(err: unknown): string | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : undefined;
  if (cause instanceof ApplicationFailure && cause.type === PAYMENT_REQUEST_FAILED)
    return (cause.details?.[0] as { code?: string })?.code;
  return undefined;
}

/**
 * Runs a payment step. A step retries the provider for PAYMENT_STEP_TIMEOUT; if it still fails
 * (the provider down for hours), or the provider refuses us (provider_rejected: a revoked key),
 * the order stops there, flagged payment_stuck, until an operator retries the step or cancels the
 * order. It never retries on its own with a key the provider may have forgotten; an operator's
 * retry of a step that creates a PaymentIntent looks for one made by an earlier try (by its
 * metadata) before it creates another (`retried`).
 *
 * A refusal (a decline, an expired authorization) is not "stuck": it is thrown to the step, which
 * knows what it means. `cancellable` steps give way to a cancellation (StoppedForCancel).
 */
export async function payStep<T>(
  run: OrderRun,
  step: string,
  call: (retried: boolean) => Promise<T>,
  cancellable = true,
): Promise<T> {
  for (let retried = false; ; retried = true) {
    try {
      return await call(retried);
    } catch (err) {
      if (!(err instanceof ActivityFailure) || paymentRefusal(err) !== undefined) throw err;
      const cause = err.cause?.message ?? err.message;
      const code = err.cause instanceof ApplicationFailure ? (err.cause.type ?? null) : null;
      // Taken before the flag is published: an operator who sees it and retries at once, while
      // the summary is still being saved, is not missed.
      const seen = run.retryRequests;
      await announce(
        run,
        { step, flag: 'payment_stuck', code, message: cause, waitingFor: 'operator' },
        code === null
          ? `${step} still failing after ${formatDuration(run.stepTimeoutMs)} (${cause}): waiting for an operator to retry it or cancel the order`
          : `${step} refused by the payment provider (${code}: ${cause}): waiting for an operator to fix it and retry, or cancel the order`,
      );
      const giveWay = cancellable && !run.ending;
      await condition(() => run.retryRequests !== seen || (giveWay && run.cancelRequest !== null));
      run.state = clearStuck(run.state);
      if (run.retryRequests === seen) {
        run.state = note(run.state, now(), 'payment_step_abandoned', `${step} abandoned: the order is being cancelled`);
        throw new StoppedForCancel();
      }
      run.state = note(run.state, now(), 'payment_step_retried', `An operator retried: ${step}`);
      await run.publish();
    }
  }
}
