import { cancel, priceLines } from '../../../domain/order.js';
import { NOTHING_LEFT, placed } from '../../../domain/order-placement.js';
import { PATCH_PLACE_IN_ONE_STEP, PATCH_UNPAID_HOLDS_LAPSE } from '../../patches.js';
import { step } from './step.js';
import { now } from '../clock.js';
import { type Ending } from '../ending.js';
import { type OrderRun } from '../run.js';
import { holdStock, restockAfter } from './hold-stock.js';

/**
 * Placed: each line priced from the catalog (never from the client), the order recorded and
 * confirmed to the customer, then stock held for each line at once (or the line backordered).
 * An order none of whose products is sold any more closes here, cancelled as `unavailable`.
 */
export async function place(run: OrderRun): Promise<Ending | undefined> {
  if (run.patched(PATCH_PLACE_IN_ONE_STEP)) return placeInOneStep(run);
  const { lines } = run.input;
  const items = await step(run, 'Pricing the lines from the catalog', ({ db }) =>
    db.lookupCatalogItems(`Price ${lines.length} line(s) from the catalog`, {
      productIds: lines.map((l) => l.productId),
    }),
  );
  run.state = priceLines(run.state, items, now());
  if (run.state.lines.length === 0) {
    run.state = cancel(run.state, 'unavailable', now(), NOTHING_LEFT);
    await run.publish();
    return { kind: 'closed' };
  }
  await run.notify('order_confirmed', 'We received your order.');
  await run.publish();
  run.stockNewsBeforeHolds = run.stockNudges;
  run.unpaidHoldsLapse = run.policy.unpaidHoldMs !== undefined && run.patched(PATCH_UNPAID_HOLDS_LAPSE);
  for (const line of run.state.lines) {
    if (run.cancelRequest) break;
    await holdStock(run, line);
  }
  return undefined;
}

/**
 * The same placement as one activity and one transaction (src/db/placement.store.ts): priced,
 * confirmed, every line held or backordered, the summary written. The workflow moves its state
 * with the same function as the transaction did, from the answer and the same time; what stock
 * went on the saga, and restocks, follow from the holds.
 */
async function placeInOneStep(run: OrderRun): Promise<Ending | undefined> {
  const at = now();
  const before = run.state;
  const cancelRequested = run.cancelRequest;
  run.stockNewsBeforeHolds = run.stockNudges;
  run.unpaidHoldsLapse = run.policy.unpaidHoldMs !== undefined && run.patched(PATCH_UNPAID_HOLDS_LAPSE);
  const placement = await step(run, 'Placing the order', ({ db }) =>
    db.placeOrder(`Place the order: price ${before.lines.length} line(s), hold their stock, confirm`, {
      state: before,
      at,
      cancelRequested,
    }),
  );
  const untouched = run.state === before;
  run.state = placed(run.state, placement, at);
  // The transaction wrote this very state's summary, unless something moved the order meanwhile
  // (a step that stopped and was retried, a handler's flag): then it is written again.
  if (untouched && run.cancelRequest === cancelRequested) run.show();
  else await run.publish();
  if (run.state.status === 'cancelled') return { kind: 'closed' };
  for (const line of run.state.lines) {
    const hold = placement.holds.find((h) => h.productId === line.productId)!;
    run.saga.push(
      hold.held
        ? { kind: 'release', productId: line.productId, sku: line.sku, quantity: line.quantity }
        : { kind: 'stopWaiting', productId: line.productId, sku: line.sku },
    );
    await restockAfter(run, line, hold);
  }
  return undefined;
}
