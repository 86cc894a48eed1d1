/**
 * A drain's singleton workflow (`projector-<name>`, `projector-kafka-relay`, `sender-notifications`)
 * has no way back from a failed activity: it does not catch, so a non-retryable failure of
 * `drainBatch` fails the workflow, and nothing starts it again until some worker restarts. Every
 * drain batch is safe to retry (exactly once or at least once lives in the drain), so a batch's
 * failure must stay retryable: the drain then waits and tries again, its lag visible in
 * /api/analytics/status, and carries on by itself once the cause is gone.
 */
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { createActivities } from '../../src/activities/index.js';
import type { Drain } from '../../src/drains/drain.js';

const failingWith = (err: unknown): Drain => ({ runBatch: () => Promise.reject(err) });

function activities(drains: Map<string, Drain>) {
  return createActivities({ prisma: {} as never, payments: {} as never, drains });
}

async function failureOf(run: Promise<unknown>): Promise<unknown> {
  try {
    await run;
  } catch (err) {
    return err;
  }
  throw new Error('the batch did not fail');
}

const nonRetryable = (err: unknown) => err instanceof ApplicationFailure && err.nonRetryable;

describe('a drain batch that fails', () => {
  it('stays retryable when this worker lacks the drain (another worker, with Kafka, has it)', async () => {
    const err = await failureOf(activities(new Map()).drainBatch({ drain: 'kafka-relay', limit: 10 }));
    expect(nonRetryable(err), String(err)).toBe(false);
  });

  it('stays retryable when the database refuses a statement (a deploy ahead of its migration, a bad row)', async () => {
    for (const originalCode of ['42P01', '22003', '23502']) {
      const refusal = {
        name: 'DriverAdapterError',
        message: 'refused',
        cause: { kind: 'postgres', originalCode, originalMessage: 'refused' },
      };
      const drains = new Map([['popular-items', failingWith(refusal)]]);
      const err = await failureOf(activities(drains).drainBatch({ drain: 'popular-items', limit: 10 }));
      expect(nonRetryable(err), `${originalCode}: ${String(err)}`).toBe(false);
    }
  });
});
