import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyCommand,
  applyPrices,
  cartView,
  checkCommand,
  createCart,
  deadlines,
  markAbandoned,
  markCheckedOut,
  markReminded,
  reopenCart,
  MAX_CART_LINES,
  MAX_LINE_QUANTITY,
  type CartCommand,
  type CartState,
  type CatalogItem,
} from '../../src/domain/cart.js';
import { DomainError } from '../../src/domain/errors.js';

const T0 = '2026-11-21T10:00:00.000Z';
const timeouts = { idleTimeoutMs: 3_600_000, abandonAfterMs: 86_400_000 };
const catalog: CatalogItem[] = Array.from({ length: 8 }, (_, i) => ({
  productId: `00000000-0000-4000-8000-00000000000${i}`,
  sku: `SKU-${i}`,
  name: `Product ${i}`,
  vendorId: '00000000-0000-4000-8000-0000000000aa',
  priceCents: 100 * (i + 1) + 99,
  currency: 'USD',
  available: i === 7 ? 0 : 50,
}));
const everything = { requested: catalog.map((c) => c.productId), items: catalog };
const empty = () => createCart({ id: 'cart-1', currency: 'USD', now: T0 });
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as DomainError).code;
  }
  return undefined;
};

const productId = fc.constantFrom(...catalog.map((c) => c.productId));
const command: fc.Arbitrary<CartCommand> = fc.oneof(
  fc.record({ type: fc.constant('add' as const), productId, quantity: fc.integer({ min: 1, max: 30 }) }),
  fc.record({ type: fc.constant('set' as const), productId, quantity: fc.integer({ min: 0, max: MAX_LINE_QUANTITY }) }),
  fc.record({
    type: fc.constant('adjust' as const),
    productId,
    delta: fc.integer({ min: -40, max: 40 }).filter((d) => d !== 0),
  }),
  fc.record({ type: fc.constant('remove' as const), productId }),
  fc.constant({ type: 'clear' as const }),
);

/** Applies what the rules accept, skipping what they refuse, as the workflow does. */
function run(commands: CartCommand[]): CartState {
  return commands.reduce((state, cmd) => {
    try {
      return applyCommand(state, cmd, everything, T0);
    } catch (err) {
      if (err instanceof DomainError) return state;
      throw err;
    }
  }, empty());
}

describe('cart rules (property-based)', () => {
  it('keep totals, counts and bounds consistent whatever the sequence of commands', () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 60 }), (commands) => {
        const view = cartView(run(commands), timeouts);
        expect(view.itemCount).toBe(view.lines.reduce((n, l) => n + l.quantity, 0));
        expect(view.totalCents).toBe(view.lines.reduce((n, l) => n + l.quantity * l.unitPriceCents, 0));
        expect(new Set(view.lines.map((l) => l.productId)).size).toBe(view.lines.length);
        expect(view.lines.length).toBeLessThanOrEqual(MAX_CART_LINES);
        for (const l of view.lines) {
          expect(l.quantity).toBeGreaterThanOrEqual(1);
          expect(l.quantity).toBeLessThanOrEqual(MAX_LINE_QUANTITY);
          const item = catalog.find((c) => c.productId === l.productId)!;
          expect(l.unitPriceCents).toBe(item.priceCents);
          expect(l.name).toBe(item.name);
        }
      }),
    );
  });

  it('match a simple model of quantities per product', () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 60 }), (commands) => {
        const model = new Map<string, number>();
        for (const cmd of commands) {
          const current = 'productId' in cmd ? (model.get(cmd.productId) ?? 0) : 0;
          let next: number | undefined;
          if (cmd.type === 'clear') model.clear();
          else if (cmd.type === 'remove') model.delete(cmd.productId);
          else if (cmd.type === 'add') next = current + cmd.quantity;
          else if (cmd.type === 'set') next = cmd.quantity;
          else if (current === 0 && cmd.delta < 0)
            next = undefined; // line_not_found: refused
          else next = current + cmd.delta;
          if (next === undefined || cmd.type === 'clear' || cmd.type === 'remove') continue;
          if (next > MAX_LINE_QUANTITY) continue; // line_quantity_limit: refused
          if (next <= 0) model.delete(cmd.productId);
          else model.set(cmd.productId, next);
        }
        const lines = run(commands).lines;
        expect(Object.fromEntries(lines.map((l) => [l.productId, l.quantity]))).toEqual(Object.fromEntries(model));
      }),
    );
  });

  it('restart the idle clock on every accepted change', () => {
    const later = '2026-11-21T11:00:00.000Z';
    const state = applyCommand(
      empty(),
      { type: 'add', productId: catalog[0]!.productId, quantity: 1 },
      everything,
      later,
    );
    expect(state.lastActivityAt).toBe(later);
    expect(deadlines(state, timeouts)).toEqual({
      reminderAt: '2026-11-21T12:00:00.000Z',
      abandonAt: '2026-11-22T11:00:00.000Z',
    });
  });
});

describe('cart rules (examples)', () => {
  const p = catalog[0]!;

  it('refuse what can never be right, before the catalog is even asked', () => {
    const one = applyCommand(empty(), { type: 'add', productId: p.productId, quantity: 98 }, everything, T0);
    expect(codeOf(() => checkCommand(one, { type: 'add', productId: p.productId, quantity: 2 }))).toBe(
      'line_quantity_limit',
    );
    expect(codeOf(() => checkCommand(one, { type: 'add', productId: p.productId, quantity: 0 }))).toBe(
      'validation_failed',
    );
    expect(codeOf(() => checkCommand(one, { type: 'adjust', productId: catalog[1]!.productId, delta: -1 }))).toBe(
      'line_not_found',
    );
    expect(codeOf(() => checkCommand(one, { type: 'set', productId: p.productId, quantity: 100 }))).toBe(
      'validation_failed',
    );
    expect(codeOf(() => checkCommand(markAbandoned(one, T0), { type: 'clear' }))).toBe('cart_closed');
  });

  it('refuse an unknown product, or one priced in another currency', () => {
    expect(
      codeOf(() =>
        applyCommand(empty(), { type: 'add', productId: 'nope', quantity: 1 }, { requested: ['nope'], items: [] }, T0),
      ),
    ).toBe('product_not_found');
    const euro = { ...p, currency: 'EUR' };
    expect(
      codeOf(() =>
        applyCommand(
          empty(),
          { type: 'add', productId: p.productId, quantity: 1 },
          { requested: [p.productId], items: [euro] },
          T0,
        ),
      ),
    ).toBe('currency_not_supported');
  });

  it('hold at most MAX_CART_LINES different products', () => {
    let state = empty();
    const many = Array.from({ length: MAX_CART_LINES + 1 }, (_, i) => ({ ...p, productId: `p-${i}`, sku: `S-${i}` }));
    for (const item of many.slice(0, MAX_CART_LINES)) {
      state = applyCommand(
        state,
        { type: 'add', productId: item.productId, quantity: 1 },
        { requested: [item.productId], items: [item] },
        T0,
      );
    }
    expect(
      codeOf(() => checkCommand(state, { type: 'add', productId: many[MAX_CART_LINES]!.productId, quantity: 1 })),
    ).toBe('cart_full');
    expect(() => checkCommand(state, { type: 'add', productId: many[0]!.productId, quantity: 1 })).not.toThrow();
  });

  it('flag a moved price until the customer changes that line, and stock that ran short', () => {
    let state = applyCommand(empty(), { type: 'add', productId: p.productId, quantity: 5 }, everything, T0);
    const dearer = { ...p, priceCents: p.priceCents + 100, available: 3 };
    state = applyPrices(state, { requested: [p.productId], items: [dearer] }, T0);
    let line = cartView(state, timeouts).lines[0]!;
    expect(line).toMatchObject({
      priceChanged: true,
      previousUnitPriceCents: p.priceCents,
      unitPriceCents: dearer.priceCents,
      insufficientStock: true,
      outOfStock: false,
    });
    state = applyCommand(
      state,
      { type: 'set', productId: p.productId, quantity: 2 },
      { requested: [p.productId], items: [dearer] },
      T0,
    );
    line = cartView(state, timeouts).lines[0]!;
    expect(line).toMatchObject({ priceChanged: false, previousUnitPriceCents: null, insufficientStock: false });
  });

  it('re-price only the lines that were looked up; a product gone from the catalog shows no stock', () => {
    let state = applyCommand(empty(), { type: 'add', productId: p.productId, quantity: 1 }, everything, T0);
    state = applyCommand(state, { type: 'add', productId: catalog[1]!.productId, quantity: 1 }, everything, T0);
    // A lookup made before line 1 existed must not touch it.
    const partial = applyPrices(state, { requested: [p.productId], items: [{ ...p, priceCents: 1 }] }, T0);
    expect(partial.lines[1]).toEqual(state.lines[1]);
    const gone = applyPrices(state, { requested: [p.productId], items: [] }, T0);
    expect(cartView(gone, timeouts).lines[0]).toMatchObject({
      available: 0,
      outOfStock: true,
      unitPriceCents: p.priceCents,
    });
  });

  it('move pricedAt only when every line was priced: a change priced for its own product leaves it', () => {
    const T1 = '2026-11-21T10:05:00.000Z';
    const T2 = '2026-11-21T10:10:00.000Z';
    const [a, b] = [catalog[0]!, catalog[1]!];
    const only = (item: CatalogItem) => ({ requested: [item.productId], items: [item] });
    // The first line of an empty cart: every line of the cart is priced.
    let state = applyCommand(empty(), { type: 'add', productId: a.productId, quantity: 1 }, only(a), T0);
    expect(state.pricedAt).toBe(T0);
    state = applyCommand(state, { type: 'add', productId: b.productId, quantity: 1 }, only({ ...b }), T1);
    expect(state.pricedAt).toBe(T0); // line a still carries its price from T0
    state = applyCommand(state, { type: 'remove', productId: b.productId }, { requested: [], items: [] }, T1);
    expect(state.pricedAt).toBe(T0);
    state = applyPrices(state, { requested: [a.productId, b.productId], items: [a, b] }, T2);
    expect(state.pricedAt).toBe(T2);
  });

  it('reopen a checked-out cart whose order could not be started, lines intact', () => {
    const state = applyCommand(empty(), { type: 'add', productId: p.productId, quantity: 2 }, everything, T0);
    const reopened = reopenCart(markCheckedOut(state, 'order-1', T0), T0);
    expect(reopened).toEqual({ ...state, updatedAt: T0 });
  });

  it('count one reminder per idle period, and none when the reminder would come after abandonment', () => {
    const state = applyCommand(empty(), { type: 'add', productId: p.productId, quantity: 1 }, everything, T0);
    expect(deadlines(markReminded(state, state.lastActivityAt), timeouts).reminderAt).toBeNull();
    expect(deadlines(markReminded(state, '2026-01-01T00:00:00.000Z'), timeouts).reminderAt).not.toBeNull();
    expect(deadlines(state, { idleTimeoutMs: 5_000, abandonAfterMs: 5_000 }).reminderAt).toBeNull();
    expect(deadlines(markAbandoned(state, T0), timeouts)).toEqual({ reminderAt: null, abandonAt: null });
  });
});
