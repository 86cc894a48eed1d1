import { patched } from '@temporalio/workflow';
import { cancel, priceLines } from '../../../domain/order.js';
import { PATCH_UNPAID_HOLDS_LAPSE } from '../../patches.js';
import { step } from './step.js';
import { now } from '../clock.js';
import { type Ending } from '../ending.js';
import { type OrderRun } from '../run.js';
import { holdStock } from './hold-stock.js';

/**
 * Placed: each line priced from the catalog (never from the client), the order recorded and
 * confirmed to the customer, then stock held for each line at once (or the line backordered).
 * An order none of whose products is sold any more closes here, cancelled as `unavailable`.
 */
export async function place(run: OrderRun): Promise<Ending | undefined> {
  const { lines } = run.input;
  const items = await step(run, 'Pricing the lines from the catalog', ({ db }) =>
    db.lookupCatalogItems(`Price ${lines.length} line(s) from the catalog`, {
      productIds: lines.map((l) => l.productId),
    }),
  );
  run.state = priceLines(run.state, items, now());
  if (run.state.lines.length === 0) {
    run.state = cancel(run.state, 'unavailable', now(), 'None of the products is sold any more.');
    await run.publish();
    return { kind: 'closed' };
  }
  await run.notify('order_confirmed', 'We received your order.');
  await run.publish();
  run.stockNewsBeforeHolds = run.stockNudges;
  run.unpaidHoldsLapse = run.policy.unpaidHoldMs !== undefined && patched(PATCH_UNPAID_HOLDS_LAPSE);
  for (const line of run.state.lines) {
    if (run.cancelRequest) break;
    await holdStock(run, line);
  }
  return undefined;
}
