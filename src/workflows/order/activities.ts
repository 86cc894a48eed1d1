import { HEARTBEAT_TIMEOUT } from '../../contracts/temporal.js';
import { summarizedActivities, type SummarizedActivities } from '../activities.js';

/**
 * The order's activities, one proxy per retry profile. Each call takes first the one-line summary
 * an operator reads in the Web UI ("Hold 2 × TEA-001").
 */

/**
 * Retries back off to 10 s at most, so an order resumes within about that long once PostgreSQL
 * or the provider is back; heartbeats notice a worker that died mid-activity within 10 s.
 */
const DB_OPTIONS = {
  startToCloseTimeout: '30 seconds',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds' },
} as const;

/**
 * Postgres steps and compensations, retried while the failure is transient. A step runs them
 * first through `withAlertWindow` (see steps/step.ts), then, once the order is flagged, through
 * these, which retry for as long as it takes (a compensation must not give up).
 */
export const db = summarizedActivities(DB_OPTIONS);

/** At most every 15 s per stuck call: quick to resume, and gentle on a provider that is struggling. */
const PROVIDER_RETRY = { initialInterval: '1 second', maximumInterval: '15 seconds' } as const;
const SETTLE_OPTIONS = {
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: PROVIDER_RETRY,
} as const;

/**
 * Provider calls that ask, or that look before they act (a void retrieves the PaymentIntent
 * first): safe to retry for as long as it takes, so a compensation never gives up.
 */
export const settle = summarizedActivities(SETTLE_OPTIONS);

/** The proxies a step calls through: retried for ever, or only until the order should say so. */
export interface StepActivities {
  db: SummarizedActivities;
  settle: SummarizedActivities;
}

export const forever: StepActivities = { db, settle };

/** The same activities, their retries ending after `ms`: then the step flags the order and goes on. */
export const withAlertWindow = (ms: number): StepActivities => ({
  db: summarizedActivities({ ...DB_OPTIONS, scheduleToCloseTimeout: ms }),
  settle: summarizedActivities({ ...SETTLE_OPTIONS, scheduleToCloseTimeout: ms }),
});

/** A last word that must not hold the order up: tried for `ms`, then given up. */
export const briefly = (ms: number) =>
  summarizedActivities({
    ...DB_OPTIONS,
    scheduleToCloseTimeout: ms,
    retry: { ...DB_OPTIONS.retry, maximumAttempts: 5 },
  });

/**
 * Provider calls that take money or hold it. Their idempotency keys may be forgotten by the
 * provider after 24 hours (Stripe does): a step's retries end after `stepTimeoutMs`, well before,
 * and then the order stops for an operator rather than retry with a key that may be forgotten.
 */
export const payActivities = (stepTimeoutMs: number) =>
  summarizedActivities({
    startToCloseTimeout: '1 minute',
    heartbeatTimeout: HEARTBEAT_TIMEOUT,
    scheduleToCloseTimeout: stepTimeoutMs,
    retry: PROVIDER_RETRY,
  });

export type PayActivities = ReturnType<typeof payActivities>;
