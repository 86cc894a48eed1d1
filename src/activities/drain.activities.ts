import { ApplicationFailure } from '@temporalio/activity';
import type { Drain, DrainResult } from '../drains/drain.js';

export interface DrainActivityDeps {
  /** What this worker can drain, by name: read models, the Kafka relay, the notification sender. */
  drains?: ReadonlyMap<string, Drain>;
}

/** One batch of a drain (src/drains/drain.ts), run by its singleton workflow. */
export function createDrainActivities({ drains = new Map() }: DrainActivityDeps) {
  return {
    async drainBatch({ drain, limit }: { drain: string; limit: number }): Promise<DrainResult> {
      const found = drains.get(drain);
      // Retryable: with several workers, the next attempt may reach one that has it (Kafka on).
      // Failing for good would end the drain's singleton for every worker until one restarts.
      if (!found)
        throw ApplicationFailure.retryable(
          `This worker has no drain "${drain}" (not configured here: e.g. Kafka or SMTP turned off)`,
          'DrainNotConfigured',
        );
      return found.runBatch(limit);
    },
  };
}
