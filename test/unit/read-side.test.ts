/** The read side's pure rules: how a refund is split among vendors, and an order's milestones. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lifecycleEvents } from '../../src/domain/order-lifecycle.js';
import { UNALLOCATED_VENDOR, allocateRefund, billingMonth } from '../../src/domain/vendor-billing.js';

const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

describe('splitting a refund among vendors', () => {
  it('splits in proportion to what each vendor has left, to the cent', () => {
    expect(
      allocateRefund(
        new Map([
          ['a', 3000],
          ['b', 1000],
        ]),
        2000,
      ),
    ).toEqual(
      new Map([
        ['a', 1500],
        ['b', 500],
      ]),
    );
    // 100 over three equal shares: 33.33 each, the spare cent to the first vendor by id.
    expect(
      allocateRefund(
        new Map([
          ['c', 10],
          ['b', 10],
          ['a', 10],
        ]),
        10,
      ),
    ).toEqual(
      new Map([
        ['a', 4],
        ['b', 3],
        ['c', 3],
      ]),
    );
  });

  it('never takes more from a vendor than is left of its captured amount', () => {
    // Two refunds of 1 cent on 1 + 1 captured: each vendor gives one, not the first vendor twice.
    const first = allocateRefund(
      new Map([
        ['a', 1],
        ['b', 1],
      ]),
      1,
    );
    expect(first).toEqual(
      new Map([
        ['a', 1],
        ['b', 0],
      ]),
    );
    expect(
      allocateRefund(
        new Map([
          ['a', 0],
          ['b', 1],
        ]),
        1,
      ),
    ).toEqual(new Map([['b', 1]]));
  });

  it('bills what is refunded beyond the captured amounts as unallocated', () => {
    expect(allocateRefund(new Map(), 500)).toEqual(new Map([[UNALLOCATED_VENDOR, 500]]));
    expect(allocateRefund(new Map([['a', 200]]), 500)).toEqual(
      new Map([
        ['a', 200],
        [UNALLOCATED_VENDOR, 300],
      ]),
    );
  });

  it('always adds up to the refund, within each vendor’s remainder (property)', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 3 }), fc.integer({ min: 0, max: 1_000_000 })),
        fc.integer({ min: 0, max: 3_000_000 }),
        (left, amount) => {
          const remaining = new Map(Object.entries(left));
          const shares = allocateRefund(remaining, amount);
          expect(sum(shares)).toBe(amount);
          for (const [vendor, cents] of shares) {
            expect(cents).toBeGreaterThanOrEqual(0);
            if (vendor !== UNALLOCATED_VENDOR) expect(cents).toBeLessThanOrEqual(remaining.get(vendor)!);
          }
          const total = sum(remaining);
          expect(shares.get(UNALLOCATED_VENDOR) ?? 0).toBe(Math.max(0, amount - total));
        },
      ),
    );
  });

  it('bills in the month of the instant, UTC', () => {
    expect(billingMonth(new Date('2026-11-30T23:59:59.999Z'))).toBe('2026-11-01');
    expect(billingMonth(new Date('2026-12-01T00:00:00Z'))).toBe('2026-12-01');
  });
});

describe("an order's milestones", () => {
  const view = {
    id: 'o1',
    currency: 'USD',
    placedAt: '2026-11-30T10:00:00.000Z',
    payment: { authorizedCents: 1200, capturedCents: 1000 } as never,
    timeline: [
      { at: '2026-11-30T10:00:00.000Z', type: 'placed', message: '' },
      { at: '2026-11-30T10:01:00.000Z', type: 'authorized', message: '' },
      { at: '2026-11-30T10:02:00.000Z', type: 'line_shipped', message: '' },
      { at: '2026-12-01T09:00:00.000Z', type: 'shipped', message: '' },
    ],
  };

  it('are the statuses it reached, each dated by the timeline entry that reached it', () => {
    expect(lifecycleEvents(view).map((e) => [e.eventId, e.occurredAt])).toEqual([
      ['OrderPlaced:o1', '2026-11-30T10:00:00.000Z'],
      ['OrderPaid:o1', '2026-11-30T10:01:00.000Z'],
      ['OrderShipped:o1', '2026-12-01T09:00:00.000Z'],
    ]);
  });

  it('derived again from a later summary, are the same events', () => {
    const later = {
      ...view,
      timeline: [...view.timeline, { at: '2026-12-02T08:00:00.000Z', type: 'delivered', message: '' }],
    };
    const before = lifecycleEvents(view);
    expect(
      lifecycleEvents(later)
        .slice(0, 3)
        .map((e) => [e.eventId, e.occurredAt]),
    ).toEqual(before.map((e) => [e.eventId, e.occurredAt]));
    expect(lifecycleEvents(later).at(-1)).toMatchObject({ eventId: 'OrderDelivered:o1', type: 'OrderDelivered' });
  });

  it('carry no personal data', () => {
    for (const e of lifecycleEvents(view)) expect(Object.keys(e.payload).sort()).not.toContain('email');
  });
});
