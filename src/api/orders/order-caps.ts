import type { SecurityConfig } from '../../config-security.js';
import { likeLiteral } from '../../db/like-literal.js';
import { poolOf, type PrismaClient } from '../../db/prisma.js';
import { DomainError, ErrorCode } from '../../domain/errors.js';

const DAY_MS = 86_400_000;

/** Units of each product the buyer (e-mail, any case, taken literally; or customer) ordered since $2. */
const CAPS_SQL = `
  SELECT l.product_id, SUM(l.quantity)::int AS quantity
  FROM order_lines l JOIN orders o ON o.id = l.order_id
  WHERE l.product_id = ANY($1::uuid[]) AND o.created_at > $2 AND o.status <> 'cancelled'
    AND (o.email ILIKE $3 OR o.customer_id = $4)
  GROUP BY l.product_id`;

/**
 * The caps one order may not pass (MAX_LINES_PER_ORDER, MAX_UNITS_PER_LINE), and the units of one
 * product one buyer (the customer, else the e-mail address) may order in 24 hours, cancelled orders
 * not counted (MAX_UNITS_PER_PRODUCT_PER_DAY): a buyer cannot hold a shop's stock hostage. Checked
 * before anything starts, so a refused order takes nothing. Two orders racing past the daily cap
 * at the same instant can both pass: it bounds hoarding, it is not an exact quota.
 */
export async function checkOrderCaps(
  prisma: PrismaClient,
  caps: SecurityConfig['caps'],
  buyer: { customerId: string | null; email: string },
  lines: { productId: string; quantity: number }[],
): Promise<void> {
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
  // Plain SQL on Prisma's pool: checked before every order and checkout (see poolOf).
  const { rows: earlier } = await poolOf(prisma).query<{ product_id: string; quantity: number }>({
    name: 'order-caps',
    text: CAPS_SQL,
    values: [[...wanted.keys()], new Date(Date.now() - DAY_MS), likeLiteral(buyer.email), buyer.customerId],
  });
  for (const row of earlier) {
    const already = row.quantity;
    if (already + (wanted.get(row.product_id) ?? 0) > caps.unitsPerProductPerDay)
      refuse(
        `at most ${caps.unitsPerProductPerDay} of one product a day per buyer: ${already} ordered in the last 24 hours`,
        { cap: 'units_per_product_per_day', max: caps.unitsPerProductPerDay, productId: row.product_id, already },
      );
  }
  for (const [productId, quantity] of wanted)
    if (quantity > caps.unitsPerProductPerDay)
      refuse(`at most ${caps.unitsPerProductPerDay} of one product a day per buyer`, {
        cap: 'units_per_product_per_day',
        max: caps.unitsPerProductPerDay,
        productId,
        already: 0,
      });
}
