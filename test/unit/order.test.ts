import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CatalogItem } from '../../src/domain/cart.js';
import { DomainError, ErrorCode } from '../../src/domain/errors.js';
import {
  amountToCapture,
  cancel,
  cancelShipped,
  clearStuck,
  createOrder,
  flag,
  isCancellable,
  linesIn,
  markStuck,
  note,
  orderStatuses,
  orderTotal,
  orderView,
  priceLines,
  recordRefund,
  refundableCents,
  setLine,
  setPayment,
  transition,
  unflag,
  type OrderState,
  type OrderStatus,
  type RefundRecord,
} from '../../src/domain/order.js';
import { describeOrder, describeOrderAtPlacement } from '../../src/domain/order-description.js';
import {
  customerMessage,
  itemPurchasedEvents,
  orderCancelledEvent,
  paymentDisputedEvent,
  refundedEvent,
} from '../../src/domain/order-journal.js';

const T0 = '2026-11-30T10:00:00.000Z';
const T1 = '2026-11-30T10:05:00.000Z';
const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const C = '00000000-0000-4000-8000-00000000000c';
const item = (productId: string, sku: string, priceCents: number): CatalogItem => ({
  productId,
  sku,
  name: `Product ${sku}`,
  vendorId: '00000000-0000-4000-8000-0000000000ee',
  priceCents,
  currency: 'USD',
  available: 10,
});
const address = {
  name: 'Ada Lovelace',
  line1: '12 St James Square',
  city: 'London',
  postalCode: 'SW1Y 4JH',
  country: 'GB',
};

function placed(lines = [A, B].map((productId) => ({ productId, quantity: 2 }))): OrderState {
  return createOrder({
    id: 'o-1',
    currency: 'USD',
    email: 'ada@example.com',
    shippingAddress: address,
    lines: lines.map((l) => ({ ...l, sku: '', name: '', vendorId: '', unitPriceCents: 0 })),
    payBy: T1,
    attemptsAllowed: 3,
    now: T0,
  });
}
const priced = () => priceLines(placed(), [item(A, 'SKU-A', 1000), item(B, 'SKU-B', 250)], T0);
/** Moves an order along the happy path up to `to`. */
function at(to: OrderStatus, state = priced()): OrderState {
  const path: OrderStatus[] = ['awaiting_payment', 'authorized', 'reserved', 'picking', 'shipped', 'delivered'];
  let s = state;
  for (const status of path.slice(0, path.indexOf(to) + 1)) s = transition(s, status, T1, status);
  return s;
}
const refund = (id: string, amountCents: number, status: RefundRecord['status']): RefundRecord => ({
  id,
  amountCents,
  status,
  reason: 'return',
  failureReason: status === 'failed' ? 'card closed' : null,
  at: T1,
});

describe('an order is placed and priced from the catalog', () => {
  it('starts placed, every line pending, version 1, with a timeline entry', () => {
    const s = placed();
    expect(s).toMatchObject({ status: 'placed', version: 1, flags: [], cancelReason: null });
    expect(s.lines.map((l) => l.status)).toEqual(['pending', 'pending']);
    expect(s.payment).toMatchObject({ step: 'none', attempts: 0, payBy: T1, attemptsAllowed: 3 });
    expect(s.timeline).toEqual([{ at: T0, type: 'placed', message: 'Order placed: 2 line(s)' }]);
  });

  it('takes names, SKUs, vendors and prices from the catalog, never from the order', () => {
    const s = priced();
    expect(s.lines.map((l) => [l.sku, l.unitPriceCents])).toEqual([
      ['SKU-A', 1000],
      ['SKU-B', 250],
    ]);
    expect(orderTotal(s)).toBe(2 * 1000 + 2 * 250);
    expect(s.version).toBe(2);
  });

  it('drops a product no longer sold, noting it in the timeline', () => {
    const s = priceLines(placed(), [item(B, 'SKU-B', 250)], T0);
    expect(s.lines.map((l) => l.productId)).toEqual([B]);
    expect(s.timeline.map((t) => t.type)).toEqual(['placed', 'line_unavailable', 'priced']);
  });
});

describe('statuses move only as an order lives', () => {
  it('follows the happy path and refuses every skip or step back', () => {
    const s = at('delivered');
    expect(s.status).toBe('delivered');
    expect(() => transition(priced(), 'shipped', T1, 'skip')).toThrow(/cannot go from placed to shipped/);
    expect(() => transition(at('shipped'), 'picking', T1, 'back')).toThrow();
  });

  it('is cancellable until it ships, and never after', () => {
    const cancellable = orderStatuses.filter(isCancellable);
    expect(cancellable).toEqual(['placed', 'awaiting_payment', 'authorized', 'backordered', 'reserved', 'picking']);
  });

  it('cancels every line not shipped or already cancelled, with the reason', () => {
    let s = at('authorized');
    s = setLine(s, A, 'cancelled', T1, 'backorder_timeout');
    s = cancel(s, 'customer', T1, 'asked');
    expect(s).toMatchObject({ status: 'cancelled', cancelReason: 'customer' });
    expect(s.lines.map((l) => [l.status, l.cancelReason])).toEqual([
      ['cancelled', 'backorder_timeout'],
      ['cancelled', 'customer'],
    ]);
    expect(() => cancel(at('shipped'), 'customer', T1, 'too late')).toThrow();
  });

  it('a shipped order cancelled by the shop keeps its shipped lines shipped', () => {
    let s = at('picking');
    s = setLine(setLine(s, A, 'shipped', T1), B, 'shipped', T1);
    s = cancelShipped(transition(s, 'shipped', T1, 'shipped'), T1, 'void sale');
    expect(s).toMatchObject({ status: 'cancelled', cancelReason: 'operator' });
    expect(s.lines.every((l) => l.status === 'shipped')).toBe(true);
    // Before shipping it is an ordinary cancel.
    expect(cancelShipped(at('reserved'), T1, 'x').lines.every((l) => l.status === 'cancelled')).toBe(true);
  });
});

describe('lines and money', () => {
  it('setLine stamps the timeline; an unknown product is a line_not_found DomainError', () => {
    const s = setLine(priced(), A, 'backordered', T1);
    expect(linesIn(s, 'backordered').map((l) => l.sku)).toEqual(['SKU-A']);
    expect(s.timeline.at(-1)).toEqual({
      at: T1,
      type: 'line_backordered',
      message: '2 × SKU-A: backordered: waiting for stock',
    });
    let err: unknown;
    try {
      setLine(priced(), C, 'held', T1);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe(ErrorCode.LineNotFound);
  });

  it('captures only held lines; the total leaves out cancelled lines', () => {
    let s = setLine(priced(), A, 'held', T1);
    s = setLine(s, B, 'cancelled', T1, 'backorder_timeout');
    expect(amountToCapture(s)).toBe(2000);
    expect(orderTotal(s)).toBe(2000);
    expect(orderView(s)).toMatchObject({
      totalCents: 2000,
      lines: [{ lineTotalCents: 2000 }, { lineTotalCents: 500 }],
    });
  });

  it('counts only succeeded refunds as refunded, flags a failed one, and frees its amount again', () => {
    let s = setPayment(at('shipped'), { step: 'captured', capturedCents: 2500 }, T1, 'payment_captured', 'captured');
    s = recordRefund(s, refund('re_1', 1000, 'pending'), T1);
    expect(s.payment.refundedCents).toBe(0);
    expect(refundableCents(s)).toBe(1500); // a pending refund already takes its money
    s = recordRefund(s, refund('re_1', 1000, 'failed'), T1);
    expect(s.flags).toEqual(['refund_failed']);
    expect(refundableCents(s)).toBe(2500);
    s = recordRefund(s, refund('re_2', 2500, 'succeeded'), T1);
    expect(s.payment.refundedCents).toBe(2500);
    expect(refundableCents(s)).toBe(0);
    expect(s.payment.refunds.map((r) => [r.id, r.status])).toEqual([
      ['re_1', 'failed'],
      ['re_2', 'succeeded'],
    ]);
  });

  it('refunded never exceeds captured, whatever refunds succeed, fail or stay pending', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.array(
          fc.record({
            amount: fc.integer({ min: 1, max: 50_000 }),
            outcome: fc.constantFrom('pending', 'succeeded', 'failed') as fc.Arbitrary<RefundRecord['status']>,
          }),
          { maxLength: 12 },
        ),
        (captured, attempts) => {
          let s = setPayment(at('shipped'), { step: 'captured', capturedCents: captured }, T1, 'c', 'c');
          attempts.forEach(({ amount, outcome }, i) => {
            // As the refund update's validator does: never more than is refundable now.
            if (amount > refundableCents(s)) return;
            s = recordRefund(s, refund(`re_${i}`, amount, 'pending'), T1);
            if (outcome !== 'pending') s = recordRefund(s, refund(`re_${i}`, amount, outcome), T1);
          });
          const succeeded = s.payment.refunds
            .filter((r) => r.status === 'succeeded')
            .reduce((n, r) => n + r.amountCents, 0);
          expect(s.payment.refundedCents).toBe(succeeded);
          expect(s.payment.refundedCents).toBeLessThanOrEqual(captured);
          expect(refundableCents(s)).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });
});

describe('flags and notes', () => {
  it('flags once, unflags once, and notes without other change', () => {
    const s = flag(flag(priced(), 'payment_stuck'), 'payment_stuck');
    expect(s.flags).toEqual(['payment_stuck']);
    expect(unflag(unflag(s, 'payment_stuck'), 'payment_stuck').flags).toEqual([]);
    const n = note(s, T1, 'dispute_opened', 'Dispute');
    expect(n.version).toBe(s.version + 1);
    expect({ ...n, timeline: s.timeline, version: s.version, updatedAt: s.updatedAt }).toEqual(s);
  });
});

describe('what an order tells the shop', () => {
  it('journals one ItemPurchased per shipped line, with the day it shipped', () => {
    const s = priced();
    const events = itemPurchasedEvents(s, s.lines, '2026-11-30T23:59:00.000Z');
    expect(events.map((e) => [e.eventId, e.payload.amountCents, e.payload.day])).toEqual([
      [`ItemPurchased:o-1:${A}`, 2000, '2026-11-30'],
      [`ItemPurchased:o-1:${B}`, 500, '2026-11-30'],
    ]);
  });

  it('gives cancellations, refunds and disputes ids derived from what happened', () => {
    const s = priced();
    expect(orderCancelledEvent(s, 'customer', T1)).toMatchObject({
      eventId: 'OrderCancelled:o-1',
      type: 'OrderCancelled',
    });
    expect(refundedEvent(s, refund('re_9', 100, 'succeeded'), T1).eventId).toBe('Refunded:o-1:re_9');
    expect(
      paymentDisputedEvent('o-1', { disputeId: 'dp_1', reason: 'fraudulent', amountCents: 5 }, true, T1),
    ).toMatchObject({
      eventId: 'PaymentDisputed:o-1:dp_1',
      payload: { afterCompletion: true },
    });
  });

  it('writes a customer message keyed per order, with undefined fields dropped', () => {
    const m = customerMessage(priced(), 'payment_declined', 'Declined', { url: undefined }, 'payment_declined:2');
    expect(m).toEqual({
      dedupeKey: 'payment_declined:2:o-1',
      kind: 'payment_declined',
      subjectId: 'o-1',
      recipient: 'ada@example.com',
      payload: { orderId: 'o-1', status: 'placed', message: 'Declined', totalCents: 2500, currency: 'USD' },
    });
  });

  it('describes the order for the Web UI, flags first, pipes in names escaped', () => {
    const s = flag(
      priceLines(placed(), [{ ...item(A, 'SKU-A', 1000), name: 'Tea | green' }, item(B, 'SKU-B', 250)], T0),
      'disputed',
    );
    const text = describeOrder(orderView(s));
    expect(text).toContain('⚑ Needs an operator: disputed');
    expect(text).toContain('| SKU-A | Tea / green | 2 |');
    const atPlacement = describeOrderAtPlacement({
      email: 'ada@example.com',
      shippingAddress: address,
      currency: 'USD',
      lines: [{ sku: 'SKU-A', name: 'Tea', quantity: 2, unitPriceCents: 1000 }],
    });
    expect(atPlacement).toContain('**Payment** none yet (pay later)');
    expect(atPlacement).toContain('**Total** 20.00');
  });
});

describe('a step the order cannot get past', () => {
  const stuck = { step: 'Holding 1 × SKU-A', code: null, message: 'timed out', waitingFor: 'recovery' } as const;

  it('is named, flagged and noted; clearing it takes the flag off', () => {
    const s = markStuck(priced(), { ...stuck, flag: 'step_retrying' }, T1, 'retrying');
    expect(s).toMatchObject({ flags: ['step_retrying'], stuck: { ...stuck, flag: 'step_retrying', since: T1 } });
    expect(s.timeline.at(-1)).toEqual({ at: T1, type: 'step_retrying', message: 'retrying' });
    expect(clearStuck(s)).toMatchObject({ flags: [], stuck: null });
  });

  it('replaces what it was stuck on before: a step that was retrying, then refused, carries one flag', () => {
    let s = markStuck(priced(), { ...stuck, flag: 'step_retrying' }, T1, 'retrying');
    s = markStuck(s, { ...stuck, flag: 'step_failed', code: 'data_rejected', waitingFor: 'operator' }, T1, 'refused');
    expect(s.flags).toEqual(['step_failed']);
    expect(clearStuck(s).flags).toEqual([]);
    // Other flags are left alone.
    expect(clearStuck(flag(s, 'disputed')).flags).toEqual(['disputed']);
  });
});
