/**
 * Vendor billing: what each vendor is owed per month, captured minus refunded, in cents.
 *
 * Captures are per line (ItemPurchased carries the line's vendor and amount); a refund is per order
 * (Refunded carries only an amount). The rule for splitting a refund among an order's vendors:
 * in proportion to what of each vendor's captured amount is not refunded yet, to the cent by
 * largest remainder (ties to the smaller vendor id). So refunds never take more from a vendor than
 * was captured for it, a full refund clears every vendor of the order, and the shares always add
 * up to the refund. Money refunded beyond what the journal shows captured for the order (an order
 * captured before the journal existed) is billed to UNALLOCATED_VENDOR, so the totals still add up.
 */
export const UNALLOCATED_VENDOR = '(unallocated)';

/** Splits `amountCents` over vendors in proportion to what each still has to refund. */
export function allocateRefund(
  remainingByVendor: ReadonlyMap<string, number>,
  amountCents: number,
): Map<string, number> {
  const vendors = [...remainingByVendor.entries()].filter(([, left]) => left > 0).sort(([a], [b]) => (a < b ? -1 : 1));
  const remaining = vendors.reduce((n, [, left]) => n + left, 0);
  const shares = new Map<string, number>();
  const allocatable = Math.min(amountCents, remaining);
  if (allocatable > 0) {
    const exact = vendors.map(([vendor, left]) => ({ vendor, value: (allocatable * left) / remaining }));
    for (const { vendor, value } of exact) shares.set(vendor, Math.floor(value));
    let leftOver = allocatable - [...shares.values()].reduce((n, v) => n + v, 0);
    const byRemainder = [...exact].sort((a, b) => b.value - Math.floor(b.value) - (a.value - Math.floor(a.value)));
    for (const { vendor } of byRemainder) {
      if (leftOver === 0) break;
      shares.set(vendor, shares.get(vendor)! + 1);
      leftOver -= 1;
    }
  }
  if (amountCents > allocatable) shares.set(UNALLOCATED_VENDOR, amountCents - allocatable);
  return shares;
}

/** The billing month of an instant: its first day, UTC (YYYY-MM-01). */
export function billingMonth(at: Date): string {
  return `${at.toISOString().slice(0, 7)}-01`;
}
