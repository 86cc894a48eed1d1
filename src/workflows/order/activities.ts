import { summarizedActivities } from '../activities.js';

/**
 * The order's activities, one proxy per retry profile. Each call takes first the one-line summary
 * an operator reads in the Web UI ("Hold 2 × TEA-001").
 */

/** Postgres steps and compensations: retried until they succeed (a compensation must not give up). */
export const db = summarizedActivities({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

const PROVIDER_RETRY = { initialInterval: '1 second', maximumInterval: '5 minutes' } as const;

/**
 * Provider calls that ask, or that look before they act (a void retrieves the PaymentIntent
 * first): safe to retry for as long as it takes, so a compensation never gives up.
 */
export const settle = summarizedActivities({ startToCloseTimeout: '1 minute', retry: PROVIDER_RETRY });

/**
 * Provider calls that take money or hold it. Their idempotency keys may be forgotten by the
 * provider after 24 hours (Stripe does): a step's retries end after `stepTimeoutMs`, well before,
 * and then the order stops for an operator rather than retry with a key that may be forgotten.
 */
export const payActivities = (stepTimeoutMs: number) =>
  summarizedActivities({
    startToCloseTimeout: '1 minute',
    scheduleToCloseTimeout: stepTimeoutMs,
    retry: PROVIDER_RETRY,
  });

export type PayActivities = ReturnType<typeof payActivities>;
