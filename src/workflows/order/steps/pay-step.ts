import { ActivityFailure, ApplicationFailure, condition, log } from '@temporalio/workflow';
import { formatDuration } from '../../../domain/duration.js';
import { PAYMENT_REQUEST_FAILED } from '../../../domain/errors.js';
import { flag, note, unflag } from '../../../domain/order.js';
import { now, StoppedForCancel, type OrderRun } from '../run.js';

/** The provider's refusal code (a decline, an expired authorization) inside a failed payment call. */
export function paymentRefusal(err: unknown): string | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : undefined;
  if (cause instanceof ApplicationFailure && cause.type === PAYMENT_REQUEST_FAILED)
    return (cause.details?.[0] as { code?: string })?.code;
  return undefined;
}

/**
 * Runs a payment step. A step retries the provider for PAYMENT_STEP_TIMEOUT; if it still fails
 * (the provider down for hours, a revoked API key) the order stops there, flagged payment_stuck,
 * until an operator retries the step or cancels the order. It never retries on its own with a key
 * the provider may have forgotten; an operator's retry of a step that creates a PaymentIntent
 * looks for one made by an earlier try (by its metadata) before it creates another (`retried`).
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
      run.stuckStep = step;
      const cause = err.cause?.message ?? err.message;
      log.warn(`payment step stopped for an operator: ${step}`, { step, cause });
      run.state = flag(
        note(
          run.state,
          now(),
          'payment_stuck',
          `${step} still failing after ${formatDuration(run.stepTimeoutMs)} (${cause}): waiting for an operator to retry it or cancel the order`,
        ),
        'payment_stuck',
      );
      // Taken before the flag is published: an operator who sees it and retries at once, while
      // the summary is still being saved, is not missed.
      const seen = run.retryRequests;
      await run.publish();
      await condition(() => run.retryRequests !== seen || (cancellable && run.cancelRequest !== null));
      run.state = unflag(run.state, 'payment_stuck');
      run.stuckStep = null;
      if (run.retryRequests === seen) {
        run.state = note(run.state, now(), 'payment_step_abandoned', `${step} abandoned: the order is being cancelled`);
        throw new StoppedForCancel();
      }
      run.state = note(run.state, now(), 'payment_step_retried', `An operator retried: ${step}`);
      await run.publish();
    }
  }
}
