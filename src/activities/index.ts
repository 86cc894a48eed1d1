import { createCartActivities } from './cart.activities.js';
import { createCatalogActivities, type CatalogActivityDeps } from './catalog.activities.js';

export type ActivityDeps = CatalogActivityDeps;

/** Every activity the worker registers, built over its dependencies (database, providers, clock). */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createCatalogActivities(deps),
    ...createCartActivities(deps),
  };
}
