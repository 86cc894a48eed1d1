import { money } from './money.js';
import type { CatalogItem } from './cart.js';
import { DomainError, ErrorCode } from './errors.js';

/**
 * An order as plain data and the pure rules that move it. The order workflow keeps an OrderState
 * and changes it only through these functions; every change is stamped into the timeline the API
 * shows. Status names are part of the API: keep them.
 */

export const orderStatuses = [
  'placed',
  'awaiting_payment',
  'authorized',
  'backordered',
  'reserved',
  'picking',
  'shipped',
  'delivered',
  'cancelled',
] as const;
export type OrderStatus = (typeof orderStatuses)[number];

export type CancelReason =
  'customer' | 'payment_failed' | 'payment_timeout' | 'backorder_timeout' | 'unavailable' | 'operator';

export type LineStatus = 'pending' | 'held' | 'backordered' | 'shipped' | 'cancelled';

export interface ShippingAddress {
  name: string;
  line1: string;
  line2?: string;
  city: string;
  region?: string;
  postalCode: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
}

export interface OrderLine {
  productId: string;
  sku: string;
  name: string;
  vendorId: string;
  quantity: number;
  unitPriceCents: number;
  status: LineStatus;
  /** Why a cancelled line was cancelled. */
  cancelReason: CancelReason | null;
}

/** A refund as the provider reports it: pending ones are followed until they succeed or fail. */
export interface RefundRecord {
  id: string;
  amountCents: number;
  status: 'pending' | 'succeeded' | 'failed' | 'canceled';
  reason: string;
  failureReason: string | null;
  at: string;
}

/**
 * Why an operator should look at the order: a dispute, a refund that failed, or a step that cannot
 * go on by itself. payment_stuck: a payment call failed for PAYMENT_STEP_TIMEOUT (or was refused
 * with our key) and waits for an operator. step_failed: a step failed in a way no retry cures (the
 * database refused its data) and waits for an operator. step_retrying: a step has been failing
 * for STEP_ALERT_AFTER (the database away) and goes on by itself when it can.
 * compensation_stuck: giving something back (stock, a payment hold) keeps failing; it never gives up.
 */
export const orderFlags = [
  'disputed',
  'refund_failed',
  'payment_stuck',
  'step_failed',
  'step_retrying',
  'compensation_stuck',
] as const;
export type OrderFlag = (typeof orderFlags)[number];

/** A step the order cannot get past for now: what, why, since when, and what ends the wait. */
export interface StuckStep {
  /** Readable: "Hold 2 × TEA-001", "Authorizing the payment". */
  step: string;
  flag: Extract<OrderFlag, 'payment_stuck' | 'step_failed' | 'step_retrying' | 'compensation_stuck'>;
  /** A stable code for the cause when there is one (data_rejected, provider_rejected, stock_not_held). */
  code: string | null;
  message: string;
  since: string;
  /** `operator`: retry it (POST /api/admin/orders/:id/retry) or cancel; `recovery`: it resumes by itself. */
  waitingFor: 'operator' | 'recovery';
}

export type PaymentStep =
  'none' | 'authorizing' | 'requires_action' | 'authorized' | 'declined' | 'captured' | 'voided';

export interface PaymentState {
  step: PaymentStep;
  /** The payment method of the current attempt. */
  method: string | null;
  paymentId: string | null;
  attempts: number;
  authorizedCents: number;
  capturedCents: number;
  refundedCents: number;
  /** What the customer must do (3-D Secure), with the client secret Stripe.js needs. */
  nextAction: { type: string; url: string | null; clientSecret: string | null } | null;
  lastError: { code: string; declineCode: string | null; message: string } | null;
  captureBefore: string | null;
  /** Pay by then, or the order is cancelled (payment_timeout). */
  payBy: string;
  /** Declines allowed before the order is cancelled (payment_failed). */
  attemptsAllowed: number;
  refunds: RefundRecord[];
}

export interface TimelineEntry {
  at: string;
  type: string;
  message: string;
}

export interface OrderState {
  id: string;
  status: OrderStatus;
  cancelReason: CancelReason | null;
  currency: string;
  email: string;
  customerId: string | null;
  cartId: string | null;
  shippingAddress: ShippingAddress;
  lines: OrderLine[];
  payment: PaymentState;
  placedAt: string;
  updatedAt: string;
  /** Counts every change: summaries in Postgres only ever move to a higher version. */
  version: number;
  flags: OrderFlag[];
  /** The step the order cannot get past now, if any (absent in orders from before it existed). */
  stuck?: StuckStep | null;
  timeline: TimelineEntry[];
}

/** Statuses from which each status may be reached. */
const REACHED_FROM: Record<OrderStatus, readonly OrderStatus[]> = {
  placed: [],
  awaiting_payment: ['placed'],
  authorized: ['awaiting_payment'],
  backordered: ['authorized'],
  reserved: ['authorized', 'backordered'],
  picking: ['reserved'],
  shipped: ['picking'],
  delivered: ['shipped'],
  cancelled: ['placed', 'awaiting_payment', 'authorized', 'backordered', 'reserved', 'picking'],
};

/** A customer may cancel until the order ships. */
export function isCancellable(status: OrderStatus): boolean {
  return REACHED_FROM.cancelled.includes(status);
}

/** A line as an order is placed with it: what the catalog (or the cart's last pricing) said. */
export type PlacedLine = Omit<OrderLine, 'status' | 'cancelReason'>;

export interface NewOrder {
  id: string;
  currency: string;
  email: string;
  customerId?: string | null;
  cartId?: string | null;
  shippingAddress: ShippingAddress;
  lines: PlacedLine[];
  /** The payment method given at placement, if any. */
  paymentMethod?: string | null;
  payBy: string;
  attemptsAllowed: number;
  now: string;
}

/** A just-placed order: every line pending until stock is held for it. */
export function createOrder(input: NewOrder): OrderState {
  return {
    id: input.id,
    status: 'placed',
    cancelReason: null,
    currency: input.currency,
    email: input.email,
    customerId: input.customerId ?? null,
    cartId: input.cartId ?? null,
    shippingAddress: input.shippingAddress,
    lines: input.lines.map((l) => ({ ...l, status: 'pending', cancelReason: null })),
    payment: {
      step: 'none',
      method: input.paymentMethod ?? null,
      paymentId: null,
      attempts: 0,
      authorizedCents: 0,
      capturedCents: 0,
      refundedCents: 0,
      nextAction: null,
      lastError: null,
      captureBefore: null,
      payBy: input.payBy,
      attemptsAllowed: input.attemptsAllowed,
      refunds: [],
    },
    placedAt: input.now,
    updatedAt: input.now,
    version: 1,
    flags: [],
    timeline: [{ at: input.now, type: 'placed', message: `Order placed: ${input.lines.length} line(s)` }],
  };
}

function stamp(state: OrderState, at: string, type: string, message: string): OrderState {
  return { ...state, updatedAt: at, version: state.version + 1, timeline: [...state.timeline, { at, type, message }] };
}

/**
 * Fills in each line from the catalog (name, SKU, vendor, today's price). A product no longer sold
 * leaves the order, noted in the timeline; the order is cancelled when none is left.
 */
export function priceLines(state: OrderState, items: readonly CatalogItem[], at: string): OrderState {
  const byId = new Map(items.map((i) => [i.productId, i]));
  let next = state;
  for (const line of state.lines.filter((l) => !byId.has(l.productId))) {
    next = stamp(next, at, 'line_unavailable', `Product ${line.productId} is no longer sold`);
  }
  const lines = state.lines.flatMap((line) => {
    const item = byId.get(line.productId);
    return item
      ? [{ ...line, sku: item.sku, name: item.name, vendorId: item.vendorId, unitPriceCents: item.priceCents }]
      : [];
  });
  return { ...stamp(next, at, 'priced', `Priced from the catalog: ${lines.length} line(s)`), lines };
}

/** Moves the order to a new status; a move the life of an order does not allow is a bug. */
export function transition(state: OrderState, to: OrderStatus, at: string, message: string): OrderState {
  // Not a business outcome: workflow code asked for a move that cannot happen, which is a bug.
  if (!REACHED_FROM[to].includes(state.status)) throw new Error(`an order cannot go from ${state.status} to ${to}`);
  return { ...stamp(state, at, to, message), status: to };
}

/** Cancels the order (the compensations have run) with its reason. */
export function cancel(state: OrderState, reason: CancelReason, at: string, message: string): OrderState {
  const moved = transition(state, 'cancelled', at, message);
  return {
    ...moved,
    cancelReason: reason,
    lines: moved.lines.map((l) =>
      l.status === 'shipped' || l.status === 'cancelled' ? l : { ...l, status: 'cancelled', cancelReason: reason },
    ),
  };
}

/** Sets one line's status, stamping the timeline. */
export function setLine(
  state: OrderState,
  productId: string,
  status: LineStatus,
  at: string,
  reason: CancelReason | null = null,
): OrderState {
  const line = state.lines.find((l) => l.productId === productId);
  if (!line) throw new DomainError(ErrorCode.LineNotFound, `order ${state.id} has no line for product ${productId}`);
  const verb: Record<LineStatus, string> = {
    pending: 'waiting',
    held: 'stock held',
    backordered: 'backordered: waiting for stock',
    shipped: 'shipped',
    cancelled: `cancelled${reason ? ` (${reason.replace('_', ' ')})` : ''}`,
  };
  const next = stamp(state, at, `line_${status}`, `${line.quantity} × ${line.sku}: ${verb[status]}`);
  return {
    ...next,
    lines: next.lines.map((l) => (l.productId === productId ? { ...l, status, cancelReason: reason } : l)),
  };
}

/** Changes the payment record, stamping the timeline. */
export function setPayment(
  state: OrderState,
  patch: Partial<PaymentState>,
  at: string,
  type: string,
  message: string,
): OrderState {
  const next = stamp(state, at, type, message);
  return { ...next, payment: { ...next.payment, ...patch } };
}

/**
 * Records a refund, or the provider's news about one. Only succeeded refunds count as refunded; a
 * failed one is flagged for an operator, and its amount is refundable again.
 */
export function recordRefund(state: OrderState, refund: RefundRecord, at: string): OrderState {
  const known = state.payment.refunds.some((r) => r.id === refund.id);
  const refunds = known
    ? state.payment.refunds.map((r) => (r.id === refund.id ? { ...r, ...refund } : r))
    : [...state.payment.refunds, refund];
  const refundedCents = refunds.filter((r) => r.status === 'succeeded').reduce((n, r) => n + r.amountCents, 0);
  const amount = money(refund.amountCents, state.currency);
  const message = {
    pending: `Refund of ${amount} requested (${refund.reason}); waiting for the provider`,
    succeeded: `Refunded ${amount} (${refund.reason})`,
    failed: `Refund of ${amount} failed: ${refund.failureReason ?? 'no reason given'}`,
    canceled: `Refund of ${amount} was canceled`,
  }[refund.status];
  const next = setPayment(state, { refunds, refundedCents }, at, `refund_${refund.status}`, message);
  return refund.status === 'failed' ? flag(next, 'refund_failed') : next;
}

/** What can still be refunded: captured, less refunds that succeeded or are on their way. */
export function refundableCents(state: OrderState): number {
  const taken = state.payment.refunds
    .filter((r) => r.status === 'succeeded' || r.status === 'pending')
    .reduce((n, r) => n + r.amountCents, 0);
  return state.payment.capturedCents - taken;
}

/** Marks the order for an operator (once per flag). */
export function flag(state: OrderState, name: OrderFlag): OrderState {
  return state.flags.includes(name) ? state : { ...state, flags: [...state.flags, name] };
}

/**
 * The order cannot get past a step: flagged, noted in the timeline (type = the flag), and named.
 * It replaces whatever the order was stuck on before (a step that was retrying, then refused).
 */
export function markStuck(state: OrderState, stuck: Omit<StuckStep, 'since'>, at: string, message: string): OrderState {
  return { ...flag(note(clearStuck(state), at, stuck.flag, message), stuck.flag), stuck: { ...stuck, since: at } };
}

/** The step went through (or was given up): its flag comes off. Stamps nothing: the caller notes why. */
export function clearStuck(state: OrderState): OrderState {
  const stuck = state.stuck;
  return stuck ? { ...unflag(state, stuck.flag), stuck: null } : state;
}

/** Takes a flag off once what it was about is dealt with. */
export function unflag(state: OrderState, name: OrderFlag): OrderState {
  return state.flags.includes(name) ? { ...state, flags: state.flags.filter((f) => f !== name) } : state;
}

/**
 * The shop cancels an order that has already shipped (a force-cancel): the sale is void and what
 * was captured is refunded. Shipped lines stay shipped: the goods left the warehouse.
 */
export function cancelShipped(state: OrderState, at: string, message: string): OrderState {
  if (state.status !== 'shipped' && state.status !== 'delivered') return cancel(state, 'operator', at, message);
  return { ...stamp(state, at, 'cancelled', message), status: 'cancelled', cancelReason: 'operator' };
}

/** Notes something that happened, with no other change (a dispute opened, say). */
export function note(state: OrderState, at: string, type: string, message: string): OrderState {
  return stamp(state, at, type, message);
}

/** Units × price of the lines still to be paid for (not cancelled). */
export function orderTotal(state: OrderState): number {
  return state.lines.filter((l) => l.status !== 'cancelled').reduce((n, l) => n + l.quantity * l.unitPriceCents, 0);
}

/** What capture takes when the order ships: the lines whose stock is held, and only those. */
export function amountToCapture(state: OrderState): number {
  return state.lines.filter((l) => l.status === 'held').reduce((n, l) => n + l.quantity * l.unitPriceCents, 0);
}

export const linesIn = (state: OrderState, status: LineStatus) => state.lines.filter((l) => l.status === status);

export interface OrderLineView extends OrderLine {
  lineTotalCents: number;
}

export interface OrderView {
  id: string;
  status: OrderStatus;
  cancelReason: CancelReason | null;
  email: string;
  customerId: string | null;
  cartId: string | null;
  currency: string;
  shippingAddress: ShippingAddress;
  lines: OrderLineView[];
  totalCents: number;
  payment: PaymentState;
  flags: OrderFlag[];
  /** The step the order is waiting on, and for whom: an operator, or the step's own recovery. */
  stuck: StuckStep | null;
  /** A cancellation asked for and still under way (its compensations running or waiting). */
  cancelRequested: CancelReason | null;
  placedAt: string;
  updatedAt: string;
  version: number;
  timeline: TimelineEntry[];
}

/** The order as customers, operators and the API see it. */
export function orderView(state: OrderState): OrderView {
  return {
    id: state.id,
    status: state.status,
    cancelReason: state.cancelReason,
    email: state.email,
    customerId: state.customerId,
    cartId: state.cartId,
    currency: state.currency,
    shippingAddress: state.shippingAddress,
    lines: state.lines.map((l) => ({ ...l, lineTotalCents: l.quantity * l.unitPriceCents })),
    totalCents: orderTotal(state),
    payment: state.payment,
    flags: state.flags,
    stuck: state.stuck ?? null,
    cancelRequested: null,
    placedAt: state.placedAt,
    updatedAt: state.updatedAt,
    version: state.version,
    timeline: state.timeline,
  };
}
