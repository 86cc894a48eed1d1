import { confirmation, placed, priced, type LineHold, type Placement } from '../domain/order-placement.js';
import { orderView, type CancelReason, type OrderState } from '../domain/order.js';
import { getCatalogItems } from './catalog.store.js';
import { addBackorderWait, againIfRaced, holdInTransaction } from './inventory.store.js';
import { enqueueNotification } from './notifications.store.js';
import { saveOrderSummaryInTransaction } from './orders.store.js';
import type { PrismaClient } from './prisma.js';

export interface PlaceOrderInput {
  /** The order as the workflow holds it before placement (lines with quantities, not yet priced). */
  state: OrderState;
  /** The workflow's time for this step: the activity and the workflow stamp the same moments. */
  at: string;
  /** A cancellation asked for before placement, shown in the summary as the workflow shows it. */
  cancelRequested: CancelReason | null;
}

export interface PlaceOrderResult extends Placement {
  /** What this call wrote (a retry of a placement that committed writes nothing new). */
  wrote: { summary: boolean; confirmation: boolean };
}

/**
 * Places an order in one transaction: prices its lines from the catalog, writes the confirmation
 * to the outbox, holds each line's stock all or nothing (or puts the line on the backorder list),
 * and writes the summary, with its journaled milestones, of the order as placed. Everything in it
 * is keyed by the order (holds per order and product, the message's dedupe key, the summary's
 * version), so a retry after a commit whose answer was lost finds the holds it made and holds
 * nothing twice. Lines are held in product order, so two placements sharing products cannot
 * deadlock on their stock rows.
 */
export function placeOrder(prisma: PrismaClient, input: PlaceOrderInput): Promise<PlaceOrderResult> {
  return againIfRaced(() => placeOnce(prisma, input));
}

function placeOnce(prisma: PrismaClient, { state, at, cancelRequested }: PlaceOrderInput): Promise<PlaceOrderResult> {
  return prisma.$transaction(
    async (tx) => {
      const items = await getCatalogItems(
        tx,
        state.lines.map((l) => l.productId),
      );
      const price = priced(state, items, at);
      const holds: LineHold[] = [];
      let confirmed = false;
      if (price.sellable) {
        confirmed = await enqueueNotification(tx, confirmation(price.state));
        const byProduct = [...price.state.lines].sort((a, b) => (a.productId < b.productId ? -1 : 1));
        for (const line of byProduct) {
          const hold = await holdInTransaction(tx, {
            orderId: state.id,
            productId: line.productId,
            quantity: line.quantity,
          });
          if (!hold.held)
            await addBackorderWait(tx, { orderId: state.id, productId: line.productId, quantity: line.quantity });
          holds.push({ productId: line.productId, ...hold });
        }
      }
      const placement = { items, holds };
      const view = { ...orderView(placed(state, placement, at)), cancelRequested };
      const { written } = await saveOrderSummaryInTransaction(tx, view);
      return { ...placement, wrote: { summary: written, confirmation: confirmed } };
    },
    // A placement of many lines is many statements; the default 5 s is for one.
    { timeout: 20_000 },
  );
}
