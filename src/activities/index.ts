import { createCartActivities } from './cart.activities.js';
import { createCatalogActivities, type CatalogActivityDeps } from './catalog.activities.js';
import { createDrainActivities, type DrainActivityDeps } from './drain.activities.js';
import { withClassifiedFailures } from './failures.js';
import { withHeartbeats } from './heartbeats.js';
import { createOrderActivities, type OrderActivityDeps } from './order.activities.js';
import { createPaymentActivities, type PaymentActivityDeps } from './payment.activities.js';

export type ActivityDeps = CatalogActivityDeps & PaymentActivityDeps & DrainActivityDeps & OrderActivityDeps;

/**
 * Every activity the worker registers, built over its dependencies (database, payment provider),
 * each one's errors classified (what retrying cannot cure fails for good with a stable type, the
 * rest is retried: failures.ts; a drain's batch is always retried) and heartbeating while it runs
 * (a worker that dies mid-activity is noticed within the workflows' heartbeat timeout: heartbeats.ts).
 */
export function createActivities(deps: ActivityDeps) {
  return withHeartbeats({
    ...withClassifiedFailures({
      ...createCatalogActivities(deps),
      ...createCartActivities(deps),
      ...createOrderActivities(deps),
      ...createPaymentActivities(deps),
    }),
    // Not classified: a drain's batch is always safe to try again (exactly once or at least once
    // lives in the drain), and its singleton workflow does not survive a non-retryable failure. A
    // batch the database refuses is retried, its lag visible in /api/analytics/status, and the
    // drain carries on by itself once the cause (a migration not run yet, a bad row) is gone.
    ...createDrainActivities(deps),
  });
}
