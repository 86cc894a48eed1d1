import type { SecurityConfig } from '../../config-security.js';
import { likeLiteral } from '../../db/like-literal.js';
import { poolOf, type PrismaClient } from '../../db/prisma.js';
import { isUuid } from '../../db/uuid.js';
import { checkCaps, type BuyerCaps } from '../../domain/order-caps.js';

const DAY_MS = 86_400_000;

/** Units of each product the buyer (e-mail, any case, taken literally; or customer) ordered since $2. */
const ORDERED_SQL = `
  SELECT l.product_id, SUM(l.quantity)::int AS quantity
  FROM order_lines l JOIN orders o ON o.id = l.order_id
  WHERE o.created_at > $1 AND o.status <> 'cancelled' AND (o.email ILIKE $2 OR o.customer_id = $3)
    AND ($4::uuid[] IS NULL OR l.product_id = ANY($4::uuid[]))
  GROUP BY l.product_id`;

/**
 * The caps for one buyer (the customer, else the e-mail address): the shop's, and what the buyer
 * ordered of each product in the last 24 hours (of `productIds` only, when given). Plain SQL on
 * Prisma's pool: read before every order and checkout (see poolOf). Two orders racing past the
 * daily cap at the same instant can both pass: it bounds hoarding, it is not an exact quota.
 */
export async function buyerCaps(
  prisma: PrismaClient,
  caps: SecurityConfig['caps'],
  buyer: { customerId: string | null; email: string },
  productIds?: string[],
): Promise<BuyerCaps> {
  const { rows } = await poolOf(prisma).query<{ product_id: string; quantity: number }>({
    name: 'buyer-ordered',
    text: ORDERED_SQL,
    // An id PostgreSQL cannot read as a UUID names no product anyone ordered.
    values: [
      new Date(Date.now() - DAY_MS),
      likeLiteral(buyer.email),
      buyer.customerId,
      productIds?.filter(isUuid) ?? null,
    ],
  });
  return { ...caps, alreadyOrdered: Object.fromEntries(rows.map((r) => [r.product_id, r.quantity])) };
}

/**
 * A direct order's lines against the caps, before anything starts, so a refused order takes
 * nothing. (A checkout sends the caps to the cart, which checks its own lines: CheckoutArgs.caps.)
 */
export async function checkOrderCaps(
  prisma: PrismaClient,
  caps: SecurityConfig['caps'],
  buyer: { customerId: string | null; email: string },
  lines: { productId: string; quantity: number }[],
): Promise<void> {
  // The line caps first: a request past them is refused without a query.
  checkCaps({ ...caps, unitsPerProductPerDay: Infinity, alreadyOrdered: {} }, lines);
  checkCaps(
    await buyerCaps(
      prisma,
      caps,
      buyer,
      lines.map((l) => l.productId),
    ),
    lines,
  );
}
