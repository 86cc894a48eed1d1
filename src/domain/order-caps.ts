import { DomainError, ErrorCode } from './errors.js';

/**
 * The caps one order may not pass (MAX_LINES_PER_ORDER, MAX_UNITS_PER_LINE), and the units of one
 * product one buyer may order in 24 hours (MAX_UNITS_PER_PRODUCT_PER_DAY), with what this buyer
 * ordered already: pure, so the API checks a direct order with it and a cart checks its own lines
 * with it in the checkout's validator (the API need not read the cart first).
 */
export interface BuyerCaps {
  unitsPerLine: number;
  linesPerOrder: number;
  unitsPerProductPerDay: number;
  /** Units of each product this buyer ordered in the last 24 hours, cancelled orders not counted. */
  alreadyOrdered: Record<string, number>;
}

/** Throws order_limit_exceeded (what was passed, in details) when the lines pass a cap. */
export function checkCaps(caps: BuyerCaps, lines: readonly { productId: string; quantity: number }[]): void {
  const refuse = (message: string, details: Record<string, unknown>): never => {
    throw new DomainError(ErrorCode.OrderLimitExceeded, message, details);
  };
  if (lines.length > caps.linesPerOrder)
    refuse(`an order may have at most ${caps.linesPerOrder} lines`, {
      cap: 'lines_per_order',
      max: caps.linesPerOrder,
    });
  const wanted = new Map<string, number>();
  for (const { productId, quantity } of lines) {
    if (quantity > caps.unitsPerLine)
      refuse(`at most ${caps.unitsPerLine} of one product in a line`, {
        cap: 'units_per_line',
        max: caps.unitsPerLine,
        productId,
      });
    wanted.set(productId, (wanted.get(productId) ?? 0) + quantity);
  }
  const max = caps.unitsPerProductPerDay;
  for (const [productId, quantity] of wanted) {
    const already = Object.hasOwn(caps.alreadyOrdered, productId) ? caps.alreadyOrdered[productId]! : 0;
    if (already + quantity > max)
      refuse(
        already > 0
          ? `at most ${max} of one product a day per buyer: ${already} ordered in the last 24 hours`
          : `at most ${max} of one product a day per buyer`,
        { cap: 'units_per_product_per_day', max, productId, already },
      );
  }
}
