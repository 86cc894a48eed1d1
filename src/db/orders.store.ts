import { lifecycleEvents } from '../domain/order-lifecycle.js';
import { safeJson } from '../domain/text.js';
import type { OrderFlag, OrderStatus, OrderView } from '../domain/order.js';
import { appendJournal, type JournalInput } from './journal.store.js';
import { decodeCursor, encodeCursor } from './keyset-cursor.js';
import { likeLiteral } from './like-literal.js';
import type { Prisma, PrismaClient } from './prisma.js';

/**
 * Flags the order's workflow takes off once dealt with (a step that went through); the others
 * (disputed, refund_failed) stay, and the read side keeps those added after the workflow ended.
 */
const CLEARED_BY_THE_WORKFLOW: OrderFlag[] = ['payment_stuck', 'step_failed', 'step_retrying', 'compensation_stuck'];

/**
 * Writes an order's summary (orders, order_lines) for listing and filtering, and journals the
 * milestones it shows (order-lifecycle.ts). The workflow is the source of truth; a summary only
 * ever moves to a higher version, so a late retry of an older write cannot roll it back.
 */
export function saveOrderSummary(prisma: PrismaClient, given: OrderView): Promise<{ written: boolean }> {
  return prisma.$transaction((tx) => saveOrderSummaryInTransaction(tx, given));
}

const LINE_COLUMNS = 'sku, name, vendor_id, quantity, unit_price_cents, status';
const SAVE_LINES_SQL = `
  WITH given AS (
    SELECT * FROM jsonb_to_recordset($2::jsonb)
      AS l(product_id uuid, sku text, name text, vendor_id uuid, quantity int, unit_price_cents int, status text)
  ), gone AS (
    DELETE FROM order_lines WHERE order_id = $1 AND product_id NOT IN (SELECT product_id FROM given)
  )
  INSERT INTO order_lines (order_id, product_id, ${LINE_COLUMNS})
  SELECT $1, product_id, ${LINE_COLUMNS} FROM given
  ON CONFLICT (order_id, product_id) DO UPDATE
    SET (${LINE_COLUMNS}) = (EXCLUDED.sku, EXCLUDED.name, EXCLUDED.vendor_id, EXCLUDED.quantity,
      EXCLUDED.unit_price_cents, EXCLUDED.status)
    WHERE (order_lines.sku, order_lines.name, order_lines.vendor_id, order_lines.quantity,
      order_lines.unit_price_cents, order_lines.status) IS DISTINCT FROM (EXCLUDED.sku, EXCLUDED.name,
      EXCLUDED.vendor_id, EXCLUDED.quantity, EXCLUDED.unit_price_cents, EXCLUDED.status)`;

/** saveOrderSummary's work inside a transaction the caller owns (a step writing its summary with its effect). */
export async function saveOrderSummaryInTransaction(
  tx: Prisma.TransactionClient,
  given: OrderView,
): Promise<{ written: boolean }> {
  // The read side never refuses an order: text PostgreSQL cannot store (a NUL, an unpaired
  // surrogate, from an order accepted before the API refused them) is written as U+FFFD.
  const view = safeJson(given);
  const address = JSON.stringify(view.shippingAddress);
  const written = await tx.$executeRaw`
    INSERT INTO orders (id, status, cancel_reason, email, customer_id, cart_id, currency, total_cents, authorized_cents,
      captured_cents, refunded_cents, payment_id, flags, shipping_address, view, version, created_at, updated_at)
    VALUES (${view.id}, ${view.status}, ${view.cancelReason}, ${view.email}, ${view.customerId}, ${view.cartId}, ${view.currency},
      ${view.totalCents}, ${view.payment.authorizedCents}, ${view.payment.capturedCents}, ${view.payment.refundedCents},
      ${view.payment.paymentId}, ${view.flags}::text[], ${address}::jsonb, ${JSON.stringify(view)}::jsonb, ${view.version},
      ${new Date(view.placedAt)}, ${new Date(view.updatedAt)})
    ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, cancel_reason = EXCLUDED.cancel_reason,
      total_cents = EXCLUDED.total_cents, authorized_cents = EXCLUDED.authorized_cents, captured_cents = EXCLUDED.captured_cents,
      refunded_cents = EXCLUDED.refunded_cents, payment_id = EXCLUDED.payment_id,
      flags = ARRAY(SELECT DISTINCT f FROM unnest(EXCLUDED.flags || ARRAY(
        SELECT f FROM unnest(orders.flags) f WHERE NOT f = ANY(${CLEARED_BY_THE_WORKFLOW}::text[]))) f ORDER BY f),
      view = EXCLUDED.view, version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
    WHERE orders.version < EXCLUDED.version`;
  if (written === 0) return { written: false };
  // The milestones this summary shows, journaled with it (each once: their ids are derived).
  await appendJournal(tx, lifecycleEvents(view) as JournalInput[]);
  // An order stopped before its lines were priced (placement refused) has no vendors or names yet:
  // its lines stay as the API recorded them on acceptance.
  if (view.lines.some((l) => l.vendorId === '')) return { written: true };
  // The lines as this version shows them, in one statement: changed ones rewritten, the rest left.
  const lines = view.lines.map((l) => ({
    product_id: l.productId,
    sku: l.sku,
    name: l.name,
    vendor_id: l.vendorId,
    quantity: l.quantity,
    unit_price_cents: l.unitPriceCents,
    status: l.status,
  }));
  await tx.$executeRawUnsafe(SAVE_LINES_SQL, view.id, JSON.stringify(lines));
  return { written: true };
}

/**
 * Flags an order whose workflow has ended (a dispute opened weeks after delivery), with a journal
 * event saying why. Returns false when there is no such order. Applying it twice changes nothing.
 */
export async function flagEndedOrder(
  prisma: PrismaClient,
  orderId: string,
  flag: OrderFlag,
  event: JournalInput,
): Promise<boolean> {
  return prisma.$transaction(async (tx) => {
    const updated = await tx.$executeRaw`
      UPDATE orders SET flags = ARRAY(SELECT DISTINCT f FROM unnest(flags || ARRAY[${flag}]::text[]) f ORDER BY f)
      WHERE id = ${orderId}`;
    if (updated === 0) return false;
    await appendJournal(tx, [event]);
    return true;
  });
}

/**
 * Flags the read side holds beyond what the order's workflow says: those added after it ended (a
 * dispute weeks after delivery). Flags the workflow clears itself are its own to report.
 */
export async function orderFlags(prisma: PrismaClient, orderId: string): Promise<OrderFlag[]> {
  const row = await prisma.order.findUnique({ where: { id: orderId }, select: { flags: true } });
  return ((row?.flags ?? []) as OrderFlag[]).filter((f) => !CLEARED_BY_THE_WORKFLOW.includes(f));
}

/**
 * The order as the read side last saw it (the view its workflow published, with the flags added
 * since), or undefined: for when its workflow is gone (after Temporal's retention) or cannot answer.
 */
export async function savedOrderView(prisma: PrismaClient, orderId: string): Promise<OrderView | undefined> {
  const row = await prisma.order.findUnique({ where: { id: orderId }, select: { view: true, flags: true } });
  if (!row?.view) return undefined;
  const view = row.view as unknown as OrderView;
  return { ...view, flags: [...new Set([...view.flags, ...(row.flags as OrderFlag[])])] };
}

export interface OrderListQuery {
  status?: OrderStatus[];
  customerId?: string;
  email?: string;
  flag?: OrderFlag;
  /** Placed at or after. */
  placedFrom?: Date;
  /** Placed before. */
  placedTo?: Date;
  limit: number;
  cursor?: string;
}

export interface OrderSummary {
  id: string;
  status: OrderStatus;
  cancelReason: string | null;
  email: string;
  customerId: string | null;
  cartId: string | null;
  currency: string;
  totalCents: number;
  authorizedCents: number;
  capturedCents: number;
  refundedCents: number;
  flags: OrderFlag[];
  lineCount: number;
  placedAt: string;
  updatedAt: string;
}

/** Orders from the read side (summaries the workflows write), filtered, newest first. */
export async function listOrders(
  prisma: PrismaClient,
  query: OrderListQuery,
): Promise<{ items: OrderSummary[]; nextCursor: string | null }> {
  const and: Prisma.OrderWhereInput[] = [];
  if (query.status?.length) and.push({ status: { in: query.status } });
  if (query.customerId) and.push({ customerId: query.customerId });
  if (query.email) and.push({ email: { equals: likeLiteral(query.email), mode: 'insensitive' } });
  if (query.flag) and.push({ flags: { has: query.flag } });
  if (query.placedFrom) and.push({ createdAt: { gte: query.placedFrom } });
  if (query.placedTo) and.push({ createdAt: { lt: query.placedTo } });
  if (query.cursor) {
    const { t, id } = decodeCursor(query.cursor);
    and.push({ OR: [{ createdAt: { lt: t } }, { createdAt: t, id: { lt: id } }] });
  }
  const rows = await prisma.order.findMany({
    where: { AND: and },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: query.limit + 1,
    include: { _count: { select: { lines: true } } },
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map((r) => ({
      id: r.id,
      status: r.status as OrderStatus,
      cancelReason: r.cancelReason,
      email: r.email,
      customerId: r.customerId,
      cartId: r.cartId,
      currency: r.currency,
      totalCents: r.totalCents,
      authorizedCents: r.authorizedCents,
      capturedCents: r.capturedCents,
      refundedCents: r.refundedCents,
      flags: (r.flags ?? []) as OrderFlag[],
      lineCount: r._count.lines,
      placedAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
    })),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null,
  };
}
