import { createCartActivities } from './cart.activities.js';
import { createCatalogActivities, type CatalogActivityDeps } from './catalog.activities.js';
import { createOrderActivities } from './order.activities.js';
import { createPaymentActivities, type PaymentActivityDeps } from './payment.activities.js';

export type ActivityDeps = CatalogActivityDeps & PaymentActivityDeps;

/** Every activity the worker registers, built over its dependencies (database, payment provider). */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createCatalogActivities(deps),
    ...createCartActivities(deps),
    ...createOrderActivities(deps),
    ...createPaymentActivities(deps),
  };
}
