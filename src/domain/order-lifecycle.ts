import type { JournalEvent } from './order-journal.js';
import type { OrderView } from './order.js';

/**
 * The order's milestones as journal events (OrderPlaced, OrderPaid, OrderShipped, OrderDelivered),
 * derived from its summary: written in the same transaction as the summary (saveOrderSummary), so a
 * milestone is journaled exactly when the read side learns of it, without a step of its own in the
 * workflow. Each is dated by the timeline entry that reached it, so deriving them again from a
 * later summary gives the same events (and their ids make the journal keep one). "Paid" is the
 * payment authorized: the money is secured; it is captured as the goods ship (ItemPurchased).
 * None carries personal data: the journal feeds analytics and Kafka.
 */
export function lifecycleEvents(view: Pick<OrderView, 'id' | 'currency' | 'placedAt' | 'payment' | 'timeline'>) {
  const events: JournalEvent[] = [milestone('OrderPlaced', view, view.placedAt, {})];
  const reached = (type: string) => view.timeline.find((t) => t.type === type)?.at;
  const paidAt = reached('authorized');
  if (paidAt) events.push(milestone('OrderPaid', view, paidAt, { authorizedCents: view.payment.authorizedCents }));
  const shippedAt = reached('shipped');
  if (shippedAt) events.push(milestone('OrderShipped', view, shippedAt, { capturedCents: view.payment.capturedCents }));
  const deliveredAt = reached('delivered');
  if (deliveredAt) events.push(milestone('OrderDelivered', view, deliveredAt, {}));
  return events;
}

function milestone(
  type: 'OrderPlaced' | 'OrderPaid' | 'OrderShipped' | 'OrderDelivered',
  view: Pick<OrderView, 'id' | 'currency'>,
  at: string,
  extra: { [key: string]: number },
): JournalEvent {
  return {
    eventId: `${type}:${view.id}`,
    type,
    aggregateId: view.id,
    payload: { orderId: view.id, currency: view.currency, ...extra },
    occurredAt: at,
  };
}
