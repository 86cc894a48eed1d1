/**
 * How long a workflow's history can grow, worst case, from its configuration. Temporal warns at
 * 10,240 events in one run (and 10 MB), and terminates a run at 51,200: configuration that could
 * take one run past the budget below is refused at start, naming what to change. Waits that are
 * long by nature (a backorder) continue as new instead, and are not counted here.
 */

/** Events one run may reach, worst case: a margin below Temporal's warning at 10,240. */
export const RUN_EVENT_BUDGET = 8_000;

/** Events per unit of work, measured from the committed histories with room to spare. */
export const EVENTS = {
  /** Placement, confirmation, picking, capture, shipping, delivery and closing, one line. */
  orderBase: 250,
  /** Each further line: its hold, its shipment, perhaps a restock asked for. */
  perLine: 15,
  /** An authorization attempt: the call, the outcome saved, the customer told. */
  perPaymentAttempt: 40,
  /** One look at a payment waiting for 3-D Secure: the timer, the lookup, the outcome saved. */
  perPaymentCheck: 15,
  /** One look at a pending refund. */
  perRefundCheck: 15,
  /** A cart change: the update, the catalog lookup, the search attributes. */
  perCartUpdate: 12,
} as const;

/** Lines an order may have (the API's and the cart's limit). */
export const MAX_ORDER_LINES = 100;

/** A pending refund is looked at every REFUND_CHECK_INTERVAL at first, less often after: at most this far apart. */
export const MAX_REFUND_CHECK_INTERVAL_MS = 24 * 3_600_000;

export interface OrderHistoryPolicy {
  maxPaymentAttempts: number;
  paymentTimeoutMs: number;
  paymentActionTimeoutMs: number;
  paymentCheckIntervalMs: number;
  returnWindowMs: number;
  refundCheckIntervalMs: number;
}

/** The wait before the next look at a pending refund: twice the last, up to a day (or the configured interval, if longer). */
export function nextRefundCheckMs(lastMs: number, refundCheckIntervalMs: number): number {
  return Math.min(lastMs * 2, Math.max(refundCheckIntervalMs, MAX_REFUND_CHECK_INTERVAL_MS));
}

/** How many looks a refund pending for the whole return window gets (see nextRefundCheckMs). */
export function refundChecks(refundCheckIntervalMs: number, returnWindowMs: number): number {
  let checks = 0;
  for (let elapsed = 0, interval = refundCheckIntervalMs; elapsed < returnWindowMs; checks++) {
    elapsed += interval;
    interval = nextRefundCheckMs(interval, refundCheckIntervalMs);
  }
  return checks;
}

/** The most events one run of an order can take outside a backorder wait, and from what. */
export function worstOrderRun(p: OrderHistoryPolicy): { events: number; paymentChecks: number; refundChecks: number } {
  const actionWindow = Math.min(p.paymentActionTimeoutMs, p.paymentTimeoutMs);
  const paymentChecks = Math.ceil(actionWindow / p.paymentCheckIntervalMs) + 1;
  const refunds = refundChecks(p.refundCheckIntervalMs, p.returnWindowMs);
  const events =
    EVENTS.orderBase +
    (MAX_ORDER_LINES - 1) * EVENTS.perLine +
    p.maxPaymentAttempts * (EVENTS.perPaymentAttempt + paymentChecks * EVENTS.perPaymentCheck) +
    refunds * EVENTS.perRefundCheck;
  return { events, paymentChecks, refundChecks: refunds };
}

/** Why this configuration could take a workflow's run past the budget, one message per cause. */
export function historyBudgetProblems(p: OrderHistoryPolicy & { cartMaxUpdatesPerRun: number }): string[] {
  const problems: string[] = [];
  const order = worstOrderRun(p);
  if (order.events > RUN_EVENT_BUDGET) {
    problems.push(
      `PAYMENT_ACTION_TIMEOUT, PAYMENT_CHECK_INTERVAL, MAX_PAYMENT_ATTEMPTS, REFUND_CHECK_INTERVAL, RETURN_WINDOW: ` +
        `one order could reach about ${order.events} events in one run (${order.paymentChecks} looks at a 3-D Secure ` +
        `payment per attempt, ${p.maxPaymentAttempts} attempts, ${order.refundChecks} looks at a pending refund), ` +
        `over the ${RUN_EVENT_BUDGET} kept below Temporal's warning at 10,240: look less often or wait less`,
    );
  }
  const cart = p.cartMaxUpdatesPerRun * EVENTS.perCartUpdate;
  if (cart > RUN_EVENT_BUDGET) {
    problems.push(
      `CART_MAX_UPDATES_PER_RUN: ${p.cartMaxUpdatesPerRun} updates could take a cart to about ${cart} events in one ` +
        `run, over the ${RUN_EVENT_BUDGET} kept below Temporal's warning; at most ${Math.floor(RUN_EVENT_BUDGET / EVENTS.perCartUpdate)}`,
    );
  }
  return problems;
}
