import type { OrderView } from '../domain/order.js';
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
        captured_cents, refunded_cents, payment_id, shipping_address, version, created_at, updated_at)
      VALUES (${view.id}, ${view.status}, ${view.cancelReason}, ${view.email}, ${view.customerId}, ${view.cartId}, ${view.currency},
        ${view.totalCents}, ${view.payment.authorizedCents}, ${view.payment.capturedCents}, ${view.payment.refundedCents},
        ${view.payment.paymentId}, ${address}::jsonb, ${view.version}, ${new Date(view.placedAt)}, ${new Date(view.updatedAt)})
      ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, cancel_reason = EXCLUDED.cancel_reason,
        total_cents = EXCLUDED.total_cents, authorized_cents = EXCLUDED.authorized_cents, captured_cents = EXCLUDED.captured_cents,
        refunded_cents = EXCLUDED.refunded_cents, payment_id = EXCLUDED.payment_id, version = EXCLUDED.version,
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
