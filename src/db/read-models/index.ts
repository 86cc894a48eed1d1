import type { Projection } from '../projections.js';
import { orderFunnel } from './order-funnel.js';
import { popularItems } from './popular-items.js';
import { vendorBilling } from './vendor-billing.js';

export { orderFunnel, popularItems, vendorBilling };

/** Every read model built from the journal, by name (each runs as workflow `projector-<name>`). */
export const READ_MODELS: ReadonlyMap<string, Projection> = new Map(
  [popularItems, vendorBilling, orderFunnel].map((p) => [p.name, p]),
);
