import type { OrderFlag, OrderView } from '../domain/order.js';
import { appendJournal, type JournalInput } from './journal.store.js';
import type { PrismaClient } from './prisma.js';

/**
 * Writes an order's summary (orders, order_lines) for listing and filtering. The workflow is the
 * source of truth; a summary only ever moves to a higher version, so a late retry of an older
 * write cannot roll it back.
 */
export async function saveOrderSummary(prisma: PrismaClient, view: OrderView): Promise<{ written: boolean }> {
  return prisma.$transaction(async (tx) => {
    const address = JSON.stringify(view.shippingAddress);
    const written = await tx.$executeRaw`
      INSERT INTO orders (id, status, cancel_reason, email, customer_id, cart_id, currency, total_cents, authorized_cents,
        captured_cents, refunded_cents, payment_id, flags, shipping_address, version, created_at, updated_at)
      VALUES (${view.id}, ${view.status}, ${view.cancelReason}, ${view.email}, ${view.customerId}, ${view.cartId}, ${view.currency},
        ${view.totalCents}, ${view.payment.authorizedCents}, ${view.payment.capturedCents}, ${view.payment.refundedCents},
        ${view.payment.paymentId}, ${view.flags}::text[], ${address}::jsonb, ${view.version}, ${new Date(view.placedAt)}, ${new Date(view.updatedAt)})
      ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, cancel_reason = EXCLUDED.cancel_reason,
        total_cents = EXCLUDED.total_cents, authorized_cents = EXCLUDED.authorized_cents, captured_cents = EXCLUDED.captured_cents,
        refunded_cents = EXCLUDED.refunded_cents, payment_id = EXCLUDED.payment_id,
        flags = ARRAY(SELECT DISTINCT f FROM unnest(orders.flags || EXCLUDED.flags) f ORDER BY f), version = EXCLUDED.version,
        updated_at = EXCLUDED.updated_at
      WHERE orders.version < EXCLUDED.version`;
    if (written === 0) return { written: false };
    await tx.orderLine.deleteMany({ where: { orderId: view.id } });
    await tx.orderLine.createMany({
      data: view.lines.map((l) => ({
        orderId: view.id,
        productId: l.productId,
        sku: l.sku,
        name: l.name,
        vendorId: l.vendorId,
        quantity: l.quantity,
        unitPriceCents: l.unitPriceCents,
        status: l.status,
      })),
    });
    return { written: true };
  });
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

/** Flags kept on an order's summary (those added after its workflow ended are only there). */
export async function orderFlags(prisma: PrismaClient, orderId: string): Promise<OrderFlag[]> {
  const row = await prisma.order.findUnique({ where: { id: orderId }, select: { flags: true } });
  return (row?.flags ?? []) as OrderFlag[];
}
