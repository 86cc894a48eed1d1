import type { CatalogItem } from './cart.js';
import { customerMessage, type CustomerMessage } from './order-journal.js';
import { cancel, priceLines, setLine, type OrderState } from './order.js';

/**
 * Placement in one step: the order priced from the catalog, confirmed to the customer and every
 * line's stock held (or the line backordered), all in one transaction (src/db/placement.store.ts).
 * The activity and the workflow both move the order with `placed` below, from the same catalog
 * items, hold answers and time: the summary the transaction writes is the state the workflow then
 * holds, and the workflow never takes a state from outside its own code.
 */

/** One line's hold as the transaction answered it. */
export interface LineHold {
  productId: string;
  held: boolean;
  sku: string;
  /** Available after this hold (or now, when it could not be held). */
  available: number;
  restockThreshold: number;
  restockQuantity: number;
}

export interface Placement {
  items: CatalogItem[];
  /** One per priced line (none when nothing was left to sell). */
  holds: LineHold[];
}

export const CONFIRMATION = { kind: 'order_confirmed', message: 'We received your order.' } as const;
export const NOTHING_LEFT = 'None of the products is sold any more.';

/** The order priced: the state the confirmation describes, and whether anything is left to sell. */
export function priced(state: OrderState, items: readonly CatalogItem[], at: string) {
  const next = priceLines(state, items, at);
  return { state: next, sellable: next.lines.length > 0 };
}

/** The customer's confirmation, as the priced order says it. */
export function confirmation(pricedState: OrderState): CustomerMessage {
  return customerMessage(pricedState, CONFIRMATION.kind, CONFIRMATION.message);
}

/**
 * The order after placement: priced, then each line held or backordered in the order's own line
 * order; cancelled as `unavailable` when none of its products is sold any more.
 */
export function placed(state: OrderState, { items, holds }: Placement, at: string): OrderState {
  const price = priced(state, items, at);
  if (!price.sellable) return cancel(price.state, 'unavailable', at, NOTHING_LEFT);
  const byProduct = new Map(holds.map((h) => [h.productId, h]));
  let next = price.state;
  for (const line of price.state.lines) {
    const hold = byProduct.get(line.productId);
    if (!hold) throw new Error(`placement: no hold answer for product ${line.productId}`);
    next = setLine(next, line.productId, hold.held ? 'held' : 'backordered', at);
  }
  return next;
}
