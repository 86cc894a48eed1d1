import type { CancelReason, OrderLine, OrderState, RefundRecord } from './order.js';
import { orderTotal } from './order.js';

/**
 * What an order tells the rest of the shop, as plain data: journal events for the analytics read
 * side and messages for the customer's outbox. Each carries an id derived from what happened, so a
 * retried write records it once.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Every kind of event in the journal (and on the Kafka topic). */
export type JournalEventType =
  | 'OrderPlaced'
  | 'OrderPaid'
  | 'ItemPurchased'
  | 'OrderShipped'
  | 'OrderDelivered'
  | 'OrderCancelled'
  | 'Refunded'
  | 'PaymentDisputed';

export interface JournalEvent {
  /** Derived from what happened (e.g. ItemPurchased:<order>:<product>): the same event is written once. */
  eventId: string;
  type: JournalEventType;
  aggregateId: string;
  payload: { [key: string]: JsonValue };
  occurredAt: string;
}

/** One ItemPurchased per shipped line: what the popular-items and vendor-billing models count. */
export function itemPurchasedEvents(state: OrderState, lines: readonly OrderLine[], shippedAt: string): JournalEvent[] {
  return lines.map((line) => ({
    eventId: `ItemPurchased:${state.id}:${line.productId}`,
    type: 'ItemPurchased' as const,
    aggregateId: state.id,
    payload: {
      orderId: state.id,
      productId: line.productId,
      sku: line.sku,
      name: line.name,
      vendorId: line.vendorId,
      quantity: line.quantity,
      unitPriceCents: line.unitPriceCents,
      amountCents: line.quantity * line.unitPriceCents,
      currency: state.currency,
      day: shippedAt.slice(0, 10),
    },
    occurredAt: shippedAt,
  }));
}

/** The order ended cancelled, with what was captured and refunded by then. */
export function orderCancelledEvent(state: OrderState, reason: CancelReason, at: string): JournalEvent {
  return {
    eventId: `OrderCancelled:${state.id}`,
    type: 'OrderCancelled',
    aggregateId: state.id,
    payload: {
      orderId: state.id,
      reason,
      currency: state.currency,
      capturedCents: state.payment.capturedCents,
      refundedCents: state.payment.refundedCents,
    },
    occurredAt: at,
  };
}

/** A refund that succeeded (only those count as refunded). */
export function refundedEvent(state: OrderState, refund: RefundRecord, at: string): JournalEvent {
  return {
    eventId: `Refunded:${state.id}:${refund.id}`,
    type: 'Refunded',
    aggregateId: state.id,
    payload: {
      orderId: state.id,
      refundId: refund.id,
      amountCents: refund.amountCents,
      currency: state.currency,
      reason: refund.reason,
    },
    occurredAt: at,
  };
}

export interface Dispute {
  disputeId: string;
  reason: string;
  amountCents: number;
}

/** A chargeback opened on the order's payment; `afterCompletion` when its workflow had already ended. */
export function paymentDisputedEvent(
  orderId: string,
  dispute: Dispute,
  afterCompletion: boolean,
  at: string,
): JournalEvent {
  return {
    eventId: `PaymentDisputed:${orderId}:${dispute.disputeId}`,
    type: 'PaymentDisputed',
    aggregateId: orderId,
    payload: {
      orderId,
      disputeId: dispute.disputeId,
      reason: dispute.reason,
      amountCents: dispute.amountCents,
      afterCompletion,
    },
    occurredAt: at,
  };
}

export interface CustomerMessage {
  /** One message per key, ever. */
  dedupeKey: string;
  kind: string;
  subjectId: string;
  recipient: string;
  payload: { [key: string]: JsonValue };
}

/**
 * A message to the customer about their order (`kind`: order_confirmed, order_shipped, ...), with
 * the order's status and total as they are now. `key` tells apart messages of one kind that may be
 * sent more than once (a decline per attempt, one per refund).
 */
export function customerMessage(
  state: OrderState,
  kind: string,
  message: string,
  extra: Record<string, unknown> = {},
  key = kind,
): CustomerMessage {
  return {
    dedupeKey: `${key}:${state.id}`,
    kind,
    subjectId: state.id,
    recipient: state.email,
    // Through JSON: undefined fields are dropped, as the outbox's jsonb column would drop them.
    payload: JSON.parse(
      JSON.stringify({
        orderId: state.id,
        status: state.status,
        message,
        totalCents: orderTotal(state),
        currency: state.currency,
        ...extra,
      }),
    ) as { [key: string]: JsonValue },
  };
}

export interface OperatorMessage {
  dedupeKey: string;
  kind: 'operator_alert';
  subjectId: string;
  /** The shop's operators, not a customer: whoever drains the outbox routes it. */
  recipient: null;
  payload: { [key: string]: JsonValue };
}

/** The order stopped at a step (state.stuck): a message for the shop's operators, once per stop. */
export function operatorAlert(state: OrderState): OperatorMessage {
  const stuck = state.stuck!;
  return {
    dedupeKey: `operator_alert:${state.id}:${stuck.since}`,
    kind: 'operator_alert',
    subjectId: state.id,
    recipient: null,
    payload: {
      orderId: state.id,
      status: state.status,
      flag: stuck.flag,
      step: stuck.step,
      code: stuck.code,
      message: stuck.message,
      waitingFor: stuck.waitingFor,
      since: stuck.since,
    },
  };
}
