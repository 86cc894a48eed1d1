import type { CancelReason } from '../../domain/order.js';

/** An order stopped at a step until an operator decides: retry it, or cancel the order. */
export class StoppedForCancel extends Error {}

/**
 * How a step ends an order's life early: `cancelled` gives back everything taken (the saga) and
 * closes with the reason (and `message`, or the usual one for a cancellation someone asked for);
 * `refundAll` is the shop cancelling after shipping; `closed` means the step closed it already.
 * A step that lets the order go on returns nothing.
 */
export type Ending =
  { kind: 'cancelled'; reason: CancelReason; message?: string } | { kind: 'refundAll' } | { kind: 'closed' };
