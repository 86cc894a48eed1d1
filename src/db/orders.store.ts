import { lifecycleEvents } from '../domain/order-lifecycle.js';
import { safeJson } from '../domain/text.js';
import type { OrderFlag, OrderStatus, OrderView } from '../domain/order.js';
import { appendJournal, journalInsertSql, type JournalInput } from './journal.store.js';
import { outboxInsertSql, type NotificationInput } from './notifications.store.js';
import { decodeCursor, encodeCursor } from './keyset-cursor.js';
import { likeLiteral } from './like-literal.js';
import { poolOf, type Prisma, type PrismaClient } from './prisma.js';

/**
 * Flags the order's workflow takes off once dealt with (a step that went through); the others
 * (disputed, refund_failed) stay, and the read side keeps those added after the workflow ended.
 */
const CLEARED_BY_THE_WORKFLOW: OrderFlag[] = ['payment_stuck', 'step_failed', 'step_retrying', 'compensation_stuck'];

/**
 * An order's summary in one statement: the row (only ever to a higher version, so a late retry of
 * an older write cannot roll it back; flags the workflow does not own kept), and only if it was
 * written, the milestones it shows journaled (each once: their ids are derived) and its lines as
 * this version shows them (changed ones rewritten, the rest left; $21 null leaves them all); and
 * a message to the customer the step sends with it ($22, once per dedupe key, whatever the version).
 */
const SAVE_SUMMARY_SQL = `
  WITH o AS (
    INSERT INTO orders (id, status, cancel_reason, email, customer_id, cart_id, currency, total_cents,
      authorized_cents, captured_cents, refunded_cents, payment_id, flags, shipping_address, view, version,
      created_at, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::text[], $14::jsonb, $15::jsonb, $16, $17, $18)
    ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, cancel_reason = EXCLUDED.cancel_reason,
      total_cents = EXCLUDED.total_cents, authorized_cents = EXCLUDED.authorized_cents,
      captured_cents = EXCLUDED.captured_cents, refunded_cents = EXCLUDED.refunded_cents,
      payment_id = EXCLUDED.payment_id,
      flags = ARRAY(SELECT DISTINCT f FROM unnest(EXCLUDED.flags || ARRAY(
        SELECT f FROM unnest(orders.flags) f WHERE NOT f = ANY($19::text[]))) f ORDER BY f),
      view = EXCLUDED.view, version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
    WHERE orders.version < EXCLUDED.version
    RETURNING id
  ), milestones AS (${journalInsertSql('$20', 'EXISTS (SELECT 1 FROM o)')}
  ), given_lines AS (
    SELECT * FROM jsonb_to_recordset($21::jsonb)
      AS l(product_id uuid, sku text, name text, vendor_id uuid, quantity int, unit_price_cents int, status text)
    WHERE EXISTS (SELECT 1 FROM o)
  ), gone AS (
    DELETE FROM order_lines WHERE $21::jsonb IS NOT NULL AND EXISTS (SELECT 1 FROM o)
      AND order_id = $1 AND product_id NOT IN (SELECT product_id FROM given_lines)
  ), lines AS (
    INSERT INTO order_lines (order_id, product_id, sku, name, vendor_id, quantity, unit_price_cents, status)
    SELECT $1, product_id, sku, name, vendor_id, quantity, unit_price_cents, status FROM given_lines
    ON CONFLICT (order_id, product_id) DO UPDATE SET (sku, name, vendor_id, quantity, unit_price_cents, status) =
      (EXCLUDED.sku, EXCLUDED.name, EXCLUDED.vendor_id, EXCLUDED.quantity, EXCLUDED.unit_price_cents, EXCLUDED.status)
    WHERE (order_lines.sku, order_lines.name, order_lines.vendor_id, order_lines.quantity,
      order_lines.unit_price_cents, order_lines.status) IS DISTINCT FROM (EXCLUDED.sku, EXCLUDED.name,
      EXCLUDED.vendor_id, EXCLUDED.quantity, EXCLUDED.unit_price_cents, EXCLUDED.status)
  ), message AS (${outboxInsertSql('$22')}
  )
  SELECT (SELECT count(*) FROM o)::int AS written, (SELECT count(*) FROM message)::int AS told`;

/** SAVE_SUMMARY_SQL's parameters for a view (and the message that goes with it). */
function summaryParams(given: OrderView, message?: NotificationInput): unknown[] {
  // The read side never refuses an order: text PostgreSQL cannot store (a NUL, an unpaired
  // surrogate, from an order accepted before the API refused them) is written as U+FFFD.
  const view = safeJson(given);
  // An order stopped before its lines were priced (placement refused) has no vendors or names yet:
  // its lines stay as the API recorded them on acceptance.
  const lines = view.lines.some((l) => l.vendorId === '')
    ? null
    : view.lines.map((l) => ({
        product_id: l.productId,
        sku: l.sku,
        name: l.name,
        vendor_id: l.vendorId,
        quantity: l.quantity,
        unit_price_cents: l.unitPriceCents,
        status: l.status,
      }));
  return [
    view.id,
    view.status,
    view.cancelReason,
    view.email,
    view.customerId,
    view.cartId,
    view.currency,
    view.totalCents,
    view.payment.authorizedCents,
    view.payment.capturedCents,
    view.payment.refundedCents,
    view.payment.paymentId,
    view.flags,
    JSON.stringify(view.shippingAddress),
    JSON.stringify(view),
    view.version,
    new Date(view.placedAt),
    new Date(view.updatedAt),
    CLEARED_BY_THE_WORKFLOW,
    JSON.stringify(lifecycleEvents(view)),
    lines && JSON.stringify(lines),
    message ? JSON.stringify(safeJson(message)) : null,
  ];
}

/**
 * Writes an order's summary (orders, order_lines) for listing and filtering, and journals the
 * milestones it shows (order-lifecycle.ts). The workflow is the source of truth; a summary only
 * ever moves to a higher version; `message`, a message to the customer the step sends with it (to
 * the outbox, once). One statement on Prisma's pool (it was a transaction of four
 * through Prisma, written for every step of every order: see BENCHMARKS.md).
 */
export async function saveOrderSummary(
  prisma: PrismaClient,
  view: OrderView,
  message?: NotificationInput,
): Promise<{ written: boolean; told: boolean }> {
  const { rows } = await poolOf(prisma).query<{ written: number; told: number }>({
    name: 'save-order-summary',
    text: SAVE_SUMMARY_SQL,
    values: summaryParams(view, message),
  });
  return { written: rows[0]!.written > 0, told: rows[0]!.told > 0 };
}

/** saveOrderSummary inside a transaction the caller owns (a step writing its summary with its effect). */
export async function saveOrderSummaryInTransaction(
  tx: Prisma.TransactionClient,
  view: OrderView,
): Promise<{ written: boolean }> {
  const [row] = await tx.$queryRawUnsafe<{ written: number; told: number }[]>(SAVE_SUMMARY_SQL, ...summaryParams(view));
  return { written: row!.written > 0 };
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
