import type { Projection } from '../projections.js';

/** Which funnel stage each journal event marks; OrderCancelled is counted per reason. */
export const FUNNEL_STAGES: Record<string, string> = {
  OrderPlaced: 'placed',
  OrderPaid: 'paid',
  OrderShipped: 'shipped',
  OrderDelivered: 'delivered',
  OrderCancelled: 'cancelled',
};

/**
 * The operator's order funnel: per day (UTC, the day the order reached the stage), how many orders
 * were placed, paid, shipped, delivered, and cancelled by reason (reason '' for every other stage).
 */
export const orderFunnel: Projection = {
  name: 'order-funnel',
  tables: ['order_funnel'],
  async apply(tx, events) {
    const counts = new Map<string, { day: string; stage: string; reason: string; orders: number }>();
    for (const e of events) {
      const stage = FUNNEL_STAGES[e.type];
      if (!stage) continue;
      const reason = stage === 'cancelled' ? String((e.payload as { reason?: unknown }).reason ?? 'unknown') : '';
      const day = e.occurredAt.toISOString().slice(0, 10);
      const key = `${day}|${stage}|${reason}`;
      const row = counts.get(key) ?? { day, stage, reason, orders: 0 };
      row.orders += 1;
      counts.set(key, row);
    }
    for (const r of counts.values())
      await tx.$executeRaw`
        INSERT INTO order_funnel (day, stage, reason, orders) VALUES (${r.day}::date, ${r.stage}, ${r.reason}, ${r.orders})
        ON CONFLICT (day, stage, reason) DO UPDATE SET orders = order_funnel.orders + EXCLUDED.orders`;
  },
};
