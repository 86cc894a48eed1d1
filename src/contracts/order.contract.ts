import type { SearchAttributePair } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { CustomerEmail, CustomerEmailHash, CustomerId, OrderStatus } from './search-attributes.js';
import type { CancelReason, OrderState, OrderView, ShippingAddress } from '../domain/order.js';
import type { Undo } from '../domain/saga.js';

/** How long each stage of an order may take; from configuration, fixed for an order at placement. */
export interface OrderPolicy {
  paymentTimeoutMs: number;
  paymentActionTimeoutMs: number;
  maxPaymentAttempts: number;
  backorderRetryIntervalMs: number;
  maxBackorderWaitMs: number;
  pickingMs: number;
  shippingMs: number;
  /** After delivery the order stays open this long for refunds (returns), then completes. */
  returnWindowMs: number;
  restockStepMs: number;
  /** Renew an authorization this long before it lapses (a long backorder), or cancel when that fails. */
  reauthorizeBeforeMs: number;
  /** How often a pending refund is looked at, besides the provider's webhooks. */
  refundCheckIntervalMs: number;
  /**
   * How often a payment waiting for 3-D Secure is looked at, besides the provider's webhooks (a
   * missed webhook must not cancel a paid order). Absent in orders placed before it existed.
   */
  paymentCheckIntervalMs?: number;
  /**
   * How long a payment step (authorize, capture, renew) retries the provider on its own before the
   * order stops and flags `payment_stuck` for an operator. Absent in orders placed before it existed.
   */
  paymentStepTimeoutMs?: number;
  /**
   * Stock held for an order without an authorized payment is given back after this long (and held
   * again once it is authorized). Absent in orders placed before it existed: held until the pay-by deadline.
   */
  unpaidHoldMs?: number;
  /**
   * How long one of the order's own steps (a database write, a provider lookup) retries a
   * transient failure before the order is flagged (step_retrying, compensation_stuck); it goes on
   * retrying. Absent in orders placed before it existed (then 5 minutes).
   */
  stepAlertAfterMs?: number;
  /**
   * A backordered order continues as new once its run's history has this many events (Temporal
   * warns at 10,240 and fails at 51,200). Absent in orders placed before it existed (then 2,000).
   */
  historyEventsPerRun?: number;
}

/** What a run of an order hands to the next when it continues as new (during a backorder wait). */
export interface CarriedOrder {
  state: OrderState;
  /** What was taken and must be given back on a cancel: holds, waits, the payment hold. */
  saga: Undo[];
  reauthorizations: number;
  restocksAsked: string[];
  /** Provider events already applied (webhooks arrive twice). */
  seenEvents: string[];
  /** Runs before this one. */
  runs: number;
  /** Per product, how many of its holds lapsed unpaid: the next hold of the line is that plus one. */
  lapsedHolds?: Record<string, number>;
}

export interface OrderWorkflowInput {
  orderId: string;
  lines: { productId: string; quantity: number }[];
  email: string;
  customerId?: string | null;
  cartId?: string | null;
  shippingAddress: ShippingAddress;
  paymentMethod?: string | null;
  currency: string;
  policy: OrderPolicy;
  /** Set only when a run continues as new. */
  carried?: CarriedOrder;
}

export interface RestockWorkflowInput {
  productId: string;
  sku: string;
  quantity: number;
  /** The order whose hold found stock low. */
  requestedBy: string | null;
  stepMs: number;
}

// Wire names: once released they never change, or recorded histories stop replaying.
export const getOrderQuery = defineQuery<OrderView>('getOrder');
/** Cancels the order (until it ships) and runs every compensation; answers once that is done. */
export const cancelOrderUpdate = defineUpdate<OrderView, [{ reason?: Extract<CancelReason, 'customer' | 'operator'> }]>(
  'cancelOrder',
);
/** A payment method for an order waiting for one (none at checkout, a decline, or 3-D Secure given up). */
export const providePaymentMethodUpdate = defineUpdate<OrderView, [{ paymentMethod: string }]>('providePaymentMethod');
/** Refunds part or all of what was captured (returns), within the return window. */
export const refundOrderUpdate = defineUpdate<OrderView, [{ amountCents: number; reason: string }]>('refundOrder');
/**
 * The shop cancels an order whatever its state, with full compensation: stock released and the
 * payment voided before shipping; after shipping, everything captured and not yet refunded is
 * refunded. Answers once that is done.
 */
export const forceCancelOrderUpdate = defineUpdate<OrderView, [{ reason: string }]>('forceCancelOrder');
/** Resumes a payment step that stopped for an operator (flag `payment_stuck`) once the cause is fixed. */
export const retryPaymentStepUpdate = defineUpdate<OrderView, []>('retryPaymentStep');
/**
 * Resumes whatever step the order stopped at for an operator (payment_stuck, step_failed,
 * compensation_stuck), once the cause is fixed; answers when the step has been tried again.
 */
export const retryStepUpdate = defineUpdate<OrderView, []>('retryStep');
/** Stock arrived for a product (a restock landed, or an operator added stock): backorders retry now. */
export const stockArrivedSignal = defineSignal<[{ productId: string }]>('stockArrived');
/**
 * The payment provider reported news about a PaymentIntent (webhook, or the simulated 3-D Secure
 * page). The order asks the provider for the PaymentIntent itself: webhooks come late, twice or out
 * of order, so the event only says "look".
 */
export const paymentEventSignal = defineSignal<[{ paymentId: string; type: string; eventId?: string }]>('paymentEvent');
/** A refund changed (Stripe's refund.updated / refund.failed / charge.refunded): the order looks it up. */
export const refundUpdatedSignal = defineSignal<[{ refundId: string; eventId?: string }]>('refundUpdated');
/** A dispute (chargeback) was opened on the order's payment: it is flagged for an operator. */
export const disputeOpenedSignal =
  defineSignal<[{ disputeId: string; reason: string; amountCents: number; eventId?: string }]>('disputeOpened');

/**
 * The search attributes an order starts with; the workflow keeps them current afterwards. Search
 * attributes are stored and shown in clear, so the e-mail is there only as its keyed hash.
 */
export function initialOrderSearchAttributes(input: {
  emailHash?: string;
  customerId?: string | null;
}): SearchAttributePair[] {
  const pairs: SearchAttributePair[] = [{ key: OrderStatus, value: 'placed' }];
  if (input.emailHash) pairs.push({ key: CustomerEmailHash, value: input.emailHash });
  if (input.customerId) pairs.push({ key: CustomerId, value: input.customerId });
  return pairs;
}

/** What checkouts started before the `email-hash-attribute` patch wrote (replay only). */
export function legacyOrderSearchAttributes(input: {
  email: string;
  customerId?: string | null;
}): SearchAttributePair[] {
  const pairs: SearchAttributePair[] = [
    { key: OrderStatus, value: 'placed' },
    { key: CustomerEmail, value: input.email.toLowerCase() },
  ];
  if (input.customerId) pairs.push({ key: CustomerId, value: input.customerId });
  return pairs;
}
