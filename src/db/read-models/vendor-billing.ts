import { allocateRefund, billingMonth } from '../../domain/vendor-billing.js';
import type { JournalRecord } from '../journal-reader.js';
import type { Prisma } from '../prisma.js';
import type { Projection } from '../projections.js';

/**
 * Vendor billing per vendor, month and currency: captured (ItemPurchased, in the month it shipped)
 * minus refunded (Refunded, in the month it was refunded, split among the order's vendors by
 * src/domain/vendor-billing.ts's rule). `billing_order_vendors` keeps each order's captured and
 * refunded amounts per vendor, which the split needs.
 */
export const vendorBilling: Projection = {
  name: 'vendor-billing',
  tables: ['vendor_billing', 'billing_order_vendors'],
  async apply(tx, events) {
    for (const e of events) {
      if (e.type === 'ItemPurchased') await captured(tx, e);
      else if (e.type === 'Refunded') await refunded(tx, e);
    }
  },
};

async function captured(tx: Prisma.TransactionClient, e: JournalRecord) {
  const p = e.payload as { orderId: string; vendorId: string; amountCents: number; currency: string };
  await tx.$executeRaw`
    INSERT INTO billing_order_vendors (order_id, vendor_id, currency, captured_cents)
    VALUES (${p.orderId}, ${p.vendorId}, ${p.currency}, ${p.amountCents})
    ON CONFLICT (order_id, vendor_id)
    DO UPDATE SET captured_cents = billing_order_vendors.captured_cents + EXCLUDED.captured_cents`;
  await bill(tx, p.vendorId, billingMonth(e.occurredAt), p.currency, p.amountCents, 0);
}

async function refunded(tx: Prisma.TransactionClient, e: JournalRecord) {
  const p = e.payload as { orderId: string; amountCents: number; currency: string };
  const rows = await tx.$queryRaw<{ vendor_id: string; left: bigint }[]>`
    SELECT vendor_id, captured_cents - refunded_cents AS left FROM billing_order_vendors
    WHERE order_id = ${p.orderId}`;
  const shares = allocateRefund(new Map(rows.map((r) => [r.vendor_id, Number(r.left)])), p.amountCents);
  for (const [vendorId, cents] of shares) {
    if (cents === 0) continue;
    await tx.$executeRaw`
      INSERT INTO billing_order_vendors (order_id, vendor_id, currency, refunded_cents)
      VALUES (${p.orderId}, ${vendorId}, ${p.currency}, ${cents})
      ON CONFLICT (order_id, vendor_id)
      DO UPDATE SET refunded_cents = billing_order_vendors.refunded_cents + EXCLUDED.refunded_cents`;
    await bill(tx, vendorId, billingMonth(e.occurredAt), p.currency, 0, cents);
  }
}

async function bill(
  tx: Prisma.TransactionClient,
  vendorId: string,
  month: string,
  currency: string,
  capturedCents: number,
  refundedCents: number,
) {
  await tx.$executeRaw`
    INSERT INTO vendor_billing (vendor_id, month, currency, captured_cents, refunded_cents)
    VALUES (${vendorId}, ${month}::date, ${currency}, ${capturedCents}, ${refundedCents})
    ON CONFLICT (vendor_id, month, currency) DO UPDATE SET
      captured_cents = vendor_billing.captured_cents + EXCLUDED.captured_cents,
      refunded_cents = vendor_billing.refunded_cents + EXCLUDED.refunded_cents`;
}
