/** Reads of the analytics read models (src/db/read-models/) and of how far each drain has come. */
import { READ_MODELS } from './read-models/index.js';
import type { PrismaClient } from './prisma.js';

export async function popularItemsOn(prisma: PrismaClient, query: { day: string; limit: number; vendorId?: string }) {
  const rows = await prisma.popularItem.findMany({
    where: { day: new Date(`${query.day}T00:00:00Z`), ...(query.vendorId ? { vendorId: query.vendorId } : {}) },
    orderBy: [{ quantity: 'desc' }, { productId: 'asc' }],
    take: query.limit,
  });
  return rows.map((r) => ({ vendorId: r.vendorId, productId: r.productId, name: r.name, quantity: r.quantity }));
}

export async function vendorBillingFor(
  prisma: PrismaClient,
  query: { year: number; month: number; vendorId?: string },
) {
  const month = `${query.year}-${String(query.month).padStart(2, '0')}`;
  const rows = await prisma.vendorBilling.findMany({
    where: { month: new Date(`${month}-01T00:00:00Z`), ...(query.vendorId ? { vendorId: query.vendorId } : {}) },
    orderBy: [{ vendorId: 'asc' }, { currency: 'asc' }],
  });
  return rows.map((r) => ({
    vendorId: r.vendorId,
    month,
    currency: r.currency,
    capturedCents: Number(r.capturedCents),
    refundedCents: Number(r.refundedCents),
    netCents: Number(r.capturedCents - r.refundedCents),
  }));
}

export interface FunnelDay {
  day: string;
  placed: number;
  paid: number;
  shipped: number;
  delivered: number;
  cancelled: number;
  cancelledByReason: Record<string, number>;
}

/** The funnel per day from `from` to `to` (inclusive), days without orders included as zeros. */
export async function funnelBetween(prisma: PrismaClient, from: string, to: string): Promise<FunnelDay[]> {
  const rows = await prisma.orderFunnel.findMany({
    where: { day: { gte: new Date(`${from}T00:00:00Z`), lte: new Date(`${to}T00:00:00Z`) } },
  });
  const days = new Map<string, FunnelDay>();
  for (let d = new Date(`${from}T00:00:00Z`); d <= new Date(`${to}T00:00:00Z`); d.setUTCDate(d.getUTCDate() + 1)) {
    const day = d.toISOString().slice(0, 10);
    days.set(day, { day, placed: 0, paid: 0, shipped: 0, delivered: 0, cancelled: 0, cancelledByReason: {} });
  }
  for (const r of rows) {
    const day = days.get(r.day.toISOString().slice(0, 10))!;
    const stage = r.stage as 'placed' | 'paid' | 'shipped' | 'delivered' | 'cancelled';
    day[stage] += r.orders;
    if (stage === 'cancelled') day.cancelledByReason[r.reason] = (day.cancelledByReason[r.reason] ?? 0) + r.orders;
  }
  return [...days.values()];
}

export interface DrainStatus {
  name: string;
  /** The last journal event applied, as (transaction id, seq); null before the first. */
  position: { txId: string; seq: string } | null;
  eventsApplied: number;
  updatedAt: string | null;
  /** Journal events not applied yet. */
  lagEvents: number;
  /** How long the oldest of those has waited, in seconds (0 when caught up). */
  lagSeconds: number;
}

/** Each journal follower (read models, the Kafka relay) next to the journal's head. */
export async function analyticsStatus(prisma: PrismaClient) {
  const [head] = await prisma.$queryRaw<{ seq: bigint | null; events: bigint; latest: Date | null }[]>`
    SELECT max(seq) AS seq, count(*) AS events, max(occurred_at) AS latest FROM journal_events`;
  const positions = await prisma.$queryRaw<
    { name: string; tx_id: string; seq: string; events: bigint; updated_at: Date }[]
  >`
    SELECT name, tx_id::text AS tx_id, seq::text AS seq, events, updated_at FROM projection_positions`;
  const names = [...new Set([...READ_MODELS.keys(), ...positions.map((p) => p.name)])].sort();
  const drains: DrainStatus[] = [];
  for (const name of names) {
    const p = positions.find((row) => row.name === name);
    const [lag] = await prisma.$queryRaw<{ events: bigint; oldest: Date | null }[]>`
      SELECT count(*) AS events, min(occurred_at) AS oldest FROM journal_events
      WHERE (tx_id, seq) > (${p?.tx_id ?? '0'}::xid8, ${p?.seq ?? '0'}::bigint)`;
    drains.push({
      name,
      // A row at the journal's start (created by a first try that applied nothing) is no position yet.
      position: p && p.tx_id !== '0' ? { txId: p.tx_id, seq: p.seq } : null,
      eventsApplied: Number(p?.events ?? 0),
      updatedAt: p?.updated_at.toISOString() ?? null,
      lagEvents: Number(lag!.events),
      lagSeconds: lag!.oldest ? Math.max(0, Math.round((Date.now() - lag!.oldest.getTime()) / 1000)) : 0,
    });
  }
  return {
    journal: {
      headSeq: head!.seq === null ? null : String(head!.seq),
      events: Number(head!.events),
      latestAt: head!.latest?.toISOString() ?? null,
    },
    drains,
  };
}
