import { allHandlersFinished, condition, continueAsNew, workflowInfo } from '@temporalio/workflow';
import { note } from '../../../domain/order.js';
import { PATCH_ORDER_CONTINUES_AS_NEW, PATCH_ORDER_HANDS_OVER_AT_ONCE } from '../../patches.js';
import { now } from '../clock.js';
import type { Ending } from '../ending.js';
import type { orderWorkflow } from '../order.workflow.js';
import type { OrderRun } from '../run.js';

/** Temporal suggests continuing as new well before its 50 MB limit; this keeps far below its 10 MB warning. */
const MAX_HISTORY_BYTES = 2 * 1024 * 1024;

/**
 * A long wait (a backorder retried every BACKORDER_RETRY_INTERVAL for up to MAX_BACKORDER_WAIT)
 * would grow the order's history without bound. Once this run's history has
 * HISTORY_EVENTS_PER_RUN events (or Temporal suggests it), the order continues as a new run of
 * the same workflow id, carrying its state and everything it must give back if cancelled; the new
 * run resumes the wait, and writes the summary first. Handlers still running finish in this run
 * first, and nothing is awaited between that and the hand-over: a cancel accepted meanwhile would
 * be lost with this run. Returns only if it is not time yet, or a cancellation arrived meanwhile
 * (its ending).
 */
export async function continueAsNewIfLong(run: OrderRun): Promise<Ending | undefined> {
  const info = workflowInfo();
  const long =
    info.continueAsNewSuggested ||
    info.historyLength >= run.historyEventsPerRun ||
    info.historySize >= MAX_HISTORY_BYTES;
  if (!long || !run.patched(PATCH_ORDER_CONTINUES_AS_NEW)) return undefined;
  // A cancel's handler finishes only once the cancellation is done: waiting for it here would
  // wait for ever (it adds no command, so histories from before replay the same).
  await condition(() => allHandlersFinished() || run.cancelRequest !== null);
  if (run.cancelRequest) return { kind: 'cancelled', reason: run.cancelRequest };
  run.state = note(
    run.state,
    now(),
    'continued_as_new',
    `History at ${info.historyLength} events: the order goes on in run ${run.runsBefore + 2} (same order, same id)`,
  );
  // Before the patch the summary was written here, and a cancel accepted during it failed.
  if (!run.patched(PATCH_ORDER_HANDS_OVER_AT_ONCE)) await run.publish();
  return continueAsNew<typeof orderWorkflow>({ ...run.input, carried: run.carry() });
}
