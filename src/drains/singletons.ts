/**
 * The drains' singleton workflows: started by every worker that can run them (a no-op when already
 * running), and nudged when there is something new, so a read model, the Kafka topic and the
 * customer's inbox follow within moments instead of at the next idle poll.
 */
import type { Client } from '@temporalio/client';
import { KAFKA_RELAY_DRAIN, NOTIFICATIONS_DRAIN, WorkflowType, workflowId } from '../contracts/temporal.js';
import type { DrainWorkflowInput } from '../workflows/drain.workflow.js';

/**
 * Workflow ids are unique in a namespace: deployments (or test files) sharing one tell their
 * singletons apart by a suffix. One shop per namespace, as `npm start` runs it, needs none.
 */
export const drainWorkflowId = (drain: string, idSuffix = '') => `${workflowId.drain(drain)}${idSuffix}`;

/** Items per batch: a message is an SMTP round trip; a Kafka batch is one produce request. */
const BATCH: Record<string, number> = { [NOTIFICATIONS_DRAIN]: 50, [KAFKA_RELAY_DRAIN]: 500 };

/** Starts each drain's workflow unless it runs already. */
export async function ensureDrainWorkflows(
  client: Client,
  taskQueue: string,
  drains: readonly string[],
  options: Omit<DrainWorkflowInput, 'drain'> & { idSuffix?: string } = {},
): Promise<void> {
  const { idSuffix, ...input } = options;
  await Promise.all(
    drains.map((drain) =>
      client.workflow.start(WorkflowType.drain, {
        taskQueue,
        workflowId: drainWorkflowId(drain, idSuffix),
        args: [{ drain, batch: BATCH[drain] ?? 200, ...input } satisfies DrainWorkflowInput],
        workflowIdConflictPolicy: 'USE_EXISTING',
        // A drain that failed for good (its worker lost its Kafka, say) starts afresh next time.
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      }),
    ),
  );
}

export type NudgeTopic = 'journal' | 'outbox';

/**
 * Signals the drains following a topic after something was written to it, after the write
 * committed, best effort (a lost nudge costs the drain's idle poll, never an event). Writes within
 * `coalesceMs` share one signal, and signals are at least `intervalMs` apart: a quiet shop's read
 * side follows within about `coalesceMs`, a busy one's within about `intervalMs`, each drain
 * taking in one round what arrived meanwhile instead of a round per write.
 */
export function createNudger(
  client: Client,
  drains: readonly string[],
  options: { coalesceMs?: number; intervalMs?: number; idSuffix?: string } = {},
) {
  const { coalesceMs = 100, intervalMs = 500, idSuffix } = options;
  let lastFlush = -Infinity;
  const followers: Record<NudgeTopic, string[]> = {
    journal: drains.filter((d) => d !== NOTIFICATIONS_DRAIN),
    outbox: drains.filter((d) => d === NOTIFICATIONS_DRAIN),
  };
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    lastFlush = Date.now();
    const ids = [...pending];
    pending.clear();
    for (const id of ids)
      void client.workflow
        .getHandle(id)
        .signal('nudge')
        .catch(() => undefined);
  };
  return (topic: NudgeTopic) => {
    for (const drain of followers[topic]) pending.add(drainWorkflowId(drain, idSuffix));
    timer ??= setTimeout(flush, Math.max(coalesceMs, lastFlush + intervalMs - Date.now()));
    timer.unref?.();
  };
}

export { KAFKA_RELAY_DRAIN, NOTIFICATIONS_DRAIN };
