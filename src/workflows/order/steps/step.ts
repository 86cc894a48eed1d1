import { ActivityFailure, ApplicationFailure, condition, log } from '@temporalio/workflow';
import { formatDuration } from '../../../domain/duration.js';
import { clearStuck, markStuck, note, type StuckStep } from '../../../domain/order.js';
import { operatorAlert } from '../../../domain/order-journal.js';
import { briefly, forever, type StepActivities } from '../activities.js';
import { now } from '../clock.js';
import { StoppedForCancel } from '../ending.js';
import { PATCH_OPERATOR_ALERTS } from '../../patches.js';
import type { OrderRun } from '../run.js';

/** Why a step's activity failed for good, or undefined when it did not (timeouts, anything else). */
function refusal(err: unknown): { code: string | null; message: string } | undefined {
  if (!(err instanceof ActivityFailure) || !(err.cause instanceof ApplicationFailure) || !err.cause.nonRetryable)
    return undefined;
  return { code: err.cause.type ?? null, message: err.cause.message };
}

/**
 * Runs one of the order's own steps (a database write, a provider call that only looks) so that
 * it can never loop silently:
 * - Retried, as activities are, while the failure is transient. After STEP_ALERT_AFTER the order
 *   is flagged (step_retrying, or compensation_stuck) and the step goes on retrying for as long
 *   as it takes; the flag comes off when it goes through.
 * - A failure no retry cures (data_rejected, stock_not_held, provider_rejected) stops the order
 *   at this step, flagged step_failed (or compensation_stuck), until an operator retries it
 *   (after fixing the cause) or, for a step that is not itself a compensation, cancels the order.
 * Either way the timeline says which step and why, the Web UI and its search attributes show
 * the flag at once, and the operators get an outbox message.
 */
export async function step<T>(
  run: OrderRun,
  name: string,
  call: (activities: StepActivities) => Promise<T>,
  {
    compensation = false,
    cancellable = !compensation,
  }: {
    /** Giving something back: flagged compensation_stuck, and never given up for a cancellation. */
    compensation?: boolean;
    /** Whether a cancellation may abandon it while it waits for an operator (not beside the order's life). */
    cancellable?: boolean;
  } = {},
): Promise<T> {
  let activities = run.withAlertWindow;
  for (;;) {
    try {
      const result = await call(activities);
      if (run.state.stuck?.step === name) {
        run.state = note(clearStuck(run.state), now(), 'step_recovered', `${name}: went through`);
      }
      return result;
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      const refused = refusal(err);
      if (!refused) {
        // Transient for STEP_ALERT_AFTER already (the database away): say so, and keep going.
        const message = `${name} still failing after ${formatDuration(run.alertAfterMs)}; retrying until it goes through`;
        await announce(
          run,
          {
            step: name,
            flag: compensation ? 'compensation_stuck' : 'step_retrying',
            code: null,
            message: err.cause?.message ?? err.message,
            waitingFor: 'recovery',
          },
          message,
        );
        activities = forever;
        continue;
      }
      const seen = run.retryRequests;
      await announce(
        run,
        {
          step: name,
          flag: compensation ? 'compensation_stuck' : 'step_failed',
          code: refused.code,
          message: refused.message,
          waitingFor: 'operator',
        },
        `${name} failed (${refused.code ?? 'error'}: ${refused.message}): waiting for an operator to fix the cause and retry it${cancellable && !run.ending ? ', or cancel the order' : ''}`,
      );
      // Once the order is ending (compensating, closing), nothing is cancelled any more: it waits.
      const giveWay = cancellable && !run.ending;
      await condition(() => run.retryRequests !== seen || (giveWay && run.cancelRequest !== null));
      run.state = clearStuck(run.state);
      if (run.retryRequests === seen) {
        run.state = note(run.state, now(), 'step_abandoned', `${name} abandoned: the order is being cancelled`);
        throw new StoppedForCancel();
      }
      run.state = note(run.state, now(), 'step_retried', `An operator retried: ${name}`);
      activities = run.withAlertWindow;
    }
  }
}

/**
 * The order cannot get past `stuck.step`: flag it, note it, and make it seen at once (the Web UI's
 * details and search attributes), in the read side, and by the operators (an outbox message).
 * The last two are tried briefly and never hold the order up: the database may be what is away.
 */
export async function announce(run: OrderRun, stuck: Omit<StuckStep, 'since'>, message: string): Promise<void> {
  run.state = markStuck(run.state, stuck, now(), message);
  log.warn(`order stopped at a step: ${stuck.step}`, { step: stuck.step, flag: stuck.flag, code: stuck.code });
  await run.publish({ lastWord: true });
  if (run.patched(PATCH_OPERATOR_ALERTS)) {
    await briefly(10_000)
      .alertOperators(`Alert the operators: ${stuck.flag} at ${stuck.step}`, operatorAlert(run.state))
      .catch(() => undefined); // the outbox may be where the failure is: the flag still shows
  }
}
