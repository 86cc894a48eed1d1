import { condition, continueAsNew, defineSignal, log, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import { summarizedActivities } from './activities.js';
import { PATCH_DRAIN_WAITS_WHEN_CAUGHT_UP } from './patches.js';

/** Something new to drain (journal events, outbox rows): wake up now rather than at the next poll. */
export const nudgeSignal = defineSignal('nudge');

export interface DrainWorkflowInput {
  /** The drain's name: a read model (popular-items, ...), kafka-relay or notifications. */
  drain: string;
  /** Items per batch (one activity, one database transaction for read models). */
  batch?: number;
  /** Longest sleep when caught up and not nudged (a lost nudge costs at most this much lag). */
  idleMs?: number;
  /** Rounds (a batch, or a sleep) before the run continues as new; each is about ten history events. */
  roundsPerRun?: number;
}

const { drainBatch } = summarizedActivities({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/**
 * A singleton (`projector-<name>`, `sender-notifications`) that runs its drain batch after batch
 * while batches come back full, then sleeps until nudged, until the next message falls due, or `idleMs`; and
 * continues as new every few hundred rounds. Exactly-once lives in the drain itself (a read model
 * moves its position in the batch's own transaction), so a batch retried after a crash, or a second
 * run racing this one, never counts an event twice.
 */
export async function drainWorkflow(input: DrainWorkflowInput): Promise<void> {
  const { drain, batch = 200, idleMs = 15_000, roundsPerRun = 250 } = input;
  let nudged = false;
  setHandler(nudgeSignal, () => void (nudged = true));
  for (let round = 0; round < roundsPerRun && !workflowInfo().continueAsNewSuggested; round++) {
    nudged = false;
    const { applied, nextDueInMs } = await drainBatch(`Drain ${drain}: up to ${batch}`, { drain, limit: batch });
    // A full batch leaves more behind: at once. A partial one has caught up: like an empty one, it
    // waits for the next nudge, so under a steady trickle the drain runs a round per nudge (see
    // createNudger), not one round per event as fast as it can.
    if (applied > 0 && (applied >= batch || !patched(PATCH_DRAIN_WAITS_WHEN_CAUGHT_UP))) continue;
    const sleepMs = Math.max(50, Math.min(idleMs, nextDueInMs ?? idleMs));
    await condition(() => nudged, sleepMs);
  }
  log.info('Continuing as new', { drain });
  await continueAsNew<typeof drainWorkflow>(input);
}
