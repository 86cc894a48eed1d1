/** The order caps as one pure rule, checked by the API for a direct order and by a cart at checkout. */
import { describe, expect, it } from 'vitest';
import { checkCaps, type BuyerCaps } from '../../src/domain/order-caps.js';
import { DomainError } from '../../src/domain/errors.js';

const caps = (alreadyOrdered: Record<string, number> = {}): BuyerCaps => ({
  linesPerOrder: 2,
  unitsPerLine: 5,
  unitsPerProductPerDay: 6,
  alreadyOrdered,
});
const refusal = (fn: () => void) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    return { code: (err as DomainError).code, details: (err as DomainError).details };
  }
  return undefined;
};

describe('checkCaps', () => {
  it('lets through what is exactly at every cap', () => {
    expect(
      refusal(() =>
        checkCaps(caps({ a: 1 }), [
          { productId: 'a', quantity: 5 },
          { productId: 'b', quantity: 5 },
        ]),
      ),
    ).toBeUndefined();
  });

  it('refuses one line too many, one unit too many in a line, one unit too many in the day', () => {
    const lines = (n: number) => Array.from({ length: n }, (_, i) => ({ productId: `p${i}`, quantity: 1 }));
    expect(refusal(() => checkCaps(caps(), lines(3)))).toEqual({
      code: 'order_limit_exceeded',
      details: { cap: 'lines_per_order', max: 2 },
    });
    expect(refusal(() => checkCaps(caps(), [{ productId: 'a', quantity: 6 }]))?.details).toEqual({
      cap: 'units_per_line',
      max: 5,
      productId: 'a',
    });
    expect(refusal(() => checkCaps(caps({ a: 2 }), [{ productId: 'a', quantity: 5 }]))?.details).toEqual({
      cap: 'units_per_product_per_day',
      max: 6,
      productId: 'a',
      already: 2,
    });
  });

  it('counts only the product’s own earlier units, and none from a key the object inherits', () => {
    expect(refusal(() => checkCaps(caps({ b: 6 }), [{ productId: 'a', quantity: 5 }]))).toBeUndefined();
    expect(refusal(() => checkCaps(caps(), [{ productId: 'constructor', quantity: 5 }]))).toBeUndefined();
  });
});
