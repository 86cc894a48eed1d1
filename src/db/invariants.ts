import type { PrismaClient } from './prisma.js';

export interface InvariantResult {
  name: string;
  ok: boolean;
  /** What breaks it, one line per offender (empty when ok). */
  violations: string[];
}

async function check(name: string, rows: Promise<{ detail: string }[]>): Promise<InvariantResult> {
  const violations = (await rows).map((r) => r.detail);
  return { name, ok: violations.length === 0, violations };
}

/**
 * What must always hold for stock and money, checked in SQL over the whole database. Meant for a
 * quiet system (no order mid-step): summaries are written just after each workflow step.
 */
export async function checkInvariants(prisma: PrismaClient): Promise<InvariantResult[]> {
  return Promise.all([
    check(
      'stock on hand + shipped = initial + restocked + adjustments (the stock ledger)',
      prisma.$queryRaw`
        SELECT p.sku || ': on hand ' || i.on_hand || ', ledger says ' || COALESCE(m.total, 0) AS detail
        FROM inventory i JOIN products p ON p.id = i.product_id
        LEFT JOIN (SELECT product_id, SUM(delta)::int AS total FROM stock_movements GROUP BY product_id) m ON m.product_id = i.product_id
        WHERE i.on_hand <> COALESCE(m.total, 0)`,
    ),
    check(
      'units shipped = shipment movements',
      prisma.$queryRaw`
        SELECT COALESCE(r.product_id, m.product_id)::text || ': reservations shipped ' || COALESCE(r.shipped, 0) || ', shipment movements ' || COALESCE(m.shipped, 0) AS detail
        FROM (SELECT product_id, SUM(quantity)::int AS shipped FROM reservations WHERE status = 'shipped' GROUP BY product_id) r
        FULL JOIN (SELECT product_id, -SUM(delta)::int AS shipped FROM stock_movements WHERE kind = 'shipment' GROUP BY product_id) m ON m.product_id = r.product_id
        WHERE COALESCE(r.shipped, 0) <> COALESCE(m.shipped, 0)`,
    ),
    check(
      'reserved = the sum of active holds',
      prisma.$queryRaw`
        SELECT p.sku || ': reserved ' || i.reserved || ', held by orders ' || COALESCE(h.held, 0) AS detail
        FROM inventory i JOIN products p ON p.id = i.product_id
        LEFT JOIN (SELECT product_id, SUM(quantity)::int AS held FROM reservations WHERE status = 'held' GROUP BY product_id) h ON h.product_id = i.product_id
        WHERE i.reserved <> COALESCE(h.held, 0)`,
    ),
    check(
      'captured = the value of shipped lines, and refunded <= captured, per order',
      prisma.$queryRaw`
        SELECT o.id || ': captured ' || o.captured_cents || ', refunded ' || o.refunded_cents || ', shipped lines worth ' || COALESCE(l.value, 0) AS detail
        FROM orders o
        LEFT JOIN (SELECT order_id, SUM(quantity * unit_price_cents)::int AS value FROM order_lines WHERE status = 'shipped' GROUP BY order_id) l ON l.order_id = o.id
        WHERE o.captured_cents <> COALESCE(l.value, 0) OR o.refunded_cents > o.captured_cents`,
    ),
    check(
      'order lines shipped = stock shipped for them',
      prisma.$queryRaw`
        SELECT ol.order_id || ' ' || ol.sku || ': line ' || ol.status || ', reservation ' || COALESCE(r.status, 'none') AS detail
        FROM order_lines ol LEFT JOIN reservations r ON r.order_id = ol.order_id AND r.product_id = ol.product_id
        WHERE (ol.status = 'shipped') <> (r.status IS NOT DISTINCT FROM 'shipped')`,
    ),
    check(
      'a cancelled order holds no stock and no money (simulated provider)',
      prisma.$queryRaw`
        SELECT o.id || ': ' || COALESCE(r.held, 0) || ' units still held, ' || COALESCE(pi.amount_capturable, 0) || ' cents still authorized' AS detail
        FROM orders o
        LEFT JOIN (SELECT order_id, SUM(quantity)::int AS held FROM reservations WHERE status = 'held' GROUP BY order_id) r ON r.order_id = o.id
        LEFT JOIN simulated_payment_intents pi ON pi.metadata->>'orderId' = o.id AND pi.status IN ('requires_capture', 'requires_action')
        WHERE o.status = 'cancelled' AND (COALESCE(r.held, 0) > 0 OR pi.id IS NOT NULL)`,
    ),
    check(
      'the provider collected what the orders say, and no more (simulated provider)',
      prisma.$queryRaw`
        SELECT o.id || ': order captured ' || o.captured_cents || '/refunded ' || o.refunded_cents || ', provider received ' || COALESCE(pi.received, 0) || '/refunded ' || COALESCE(pi.refunded, 0) AS detail
        FROM orders o
        LEFT JOIN (SELECT metadata->>'orderId' AS order_id, SUM(amount_received)::int AS received, SUM(amount_refunded)::int AS refunded
                   FROM simulated_payment_intents GROUP BY 1) pi ON pi.order_id = o.id
        WHERE o.captured_cents <> COALESCE(pi.received, 0) OR o.refunded_cents <> COALESCE(pi.refunded, 0)`,
    ),
  ]);
}
