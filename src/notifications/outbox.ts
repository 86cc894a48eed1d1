/**
 * The notification outbox's delivery state in PostgreSQL: claims with a lease, the outcome of each
 * send, and the operators' view. Every statement here is short and on its own: no transaction is
 * held while a message goes out over SMTP (the journal's readers wait for the oldest open one).
 */
import type { PrismaClient } from '../db/prisma.js';
import { decodeCursor, encodeCursor } from '../db/keyset-cursor.js';

export const notificationStatuses = ['pending', 'sent', 'dead', 'skipped'] as const;
export type NotificationStatus = (typeof notificationStatuses)[number];

/** A row a sender holds until `claimedUntil`. */
export interface ClaimedNotification {
  id: string;
  kind: string;
  subjectId: string;
  recipient: string | null;
  payload: unknown;
  attempts: number;
  nextAttemptAt: Date;
}

/**
 * Takes up to `limit` due rows (pending, due, not held by a live lease) for this sender until
 * `leaseUntil`. One statement: `FOR UPDATE SKIP LOCKED` lets senders racing for the same rows each
 * take different ones, and the lease, committed at once, keeps them taken after the lock is gone.
 */
export async function claimDue(
  prisma: PrismaClient,
  { now, leaseUntil, limit }: { now: Date; leaseUntil: Date; limit: number },
): Promise<ClaimedNotification[]> {
  const rows = await prisma.$queryRaw<
    {
      id: string;
      kind: string;
      subject_id: string;
      recipient: string | null;
      payload: unknown;
      attempts: number;
      next_attempt_at: Date;
    }[]
  >`
    WITH due AS (
      SELECT id FROM notification_outbox
      WHERE status = 'pending' AND next_attempt_at <= ${now}
        AND (claimed_until IS NULL OR claimed_until <= ${now})
      ORDER BY next_attempt_at, id
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    )
    UPDATE notification_outbox n SET claimed_until = ${leaseUntil}
    FROM due WHERE n.id = due.id
    RETURNING n.id::text AS id, n.kind, n.subject_id, n.recipient, n.payload, n.attempts, n.next_attempt_at`;
  return rows
    .map((r) => ({
      id: r.id,
      kind: r.kind,
      subjectId: r.subject_id,
      recipient: r.recipient,
      payload: r.payload,
      attempts: Number(r.attempts),
      nextAttemptAt: new Date(r.next_attempt_at),
    }))
    .sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime() || a.id.localeCompare(b.id));
}

/** The server accepted it. Kept sent whatever happened to the row meanwhile: it did go out. */
export async function markSent(prisma: PrismaClient, id: string, messageId: string, at: Date): Promise<void> {
  await prisma.notification.updateMany({
    where: { id, status: { not: 'sent' } },
    data: { status: 'sent', sentAt: at, messageId, claimedUntil: null, lastError: null },
  });
}

/** A failed send: counted, and due again at `nextAttemptAt`, or dead (an operator's to retry). */
export async function markFailed(
  prisma: PrismaClient,
  id: string,
  outcome: { attempts: number; nextAttemptAt: Date; error: string; dead: boolean; messageId: string },
): Promise<void> {
  await prisma.notification.updateMany({
    where: { id, status: 'pending' },
    data: {
      status: outcome.dead ? 'dead' : 'pending',
      attempts: outcome.attempts,
      nextAttemptAt: outcome.nextAttemptAt,
      lastError: outcome.error.slice(0, 1_000),
      messageId: outcome.messageId,
      claimedUntil: null,
    },
  });
}

/** Nobody to mail it to: kept, visible to operators with the reason, and retryable once there is. */
export async function markSkipped(prisma: PrismaClient, id: string, reason: string): Promise<void> {
  await prisma.notification.updateMany({
    where: { id, status: 'pending' },
    data: { status: 'skipped', lastError: reason, claimedUntil: null },
  });
}

/** Gives back rows this sender claimed and will not get to: due again at once for anyone. */
export async function release(prisma: PrismaClient, ids: string[], leaseUntil: Date): Promise<void> {
  if (ids.length === 0) return;
  await prisma.notification.updateMany({
    where: { id: { in: ids }, status: 'pending', claimedUntil: leaseUntil },
    data: { claimedUntil: null },
  });
}

/** When the first pending row may be sent: its due time, or the end of the lease that holds it. */
export async function nextDueAt(prisma: PrismaClient): Promise<Date | undefined> {
  const [row] = await prisma.$queryRaw<{ due: Date | null }[]>`
    SELECT min(GREATEST(next_attempt_at, COALESCE(claimed_until, next_attempt_at))) AS due
    FROM notification_outbox WHERE status = 'pending'`;
  return row?.due ? new Date(row.due) : undefined;
}

/** An outbox row as operators see it. */
export interface NotificationView {
  id: string;
  kind: string;
  subjectId: string;
  recipient: string | null;
  status: NotificationStatus;
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  sentAt: string | null;
  messageId: string | null;
  createdAt: string;
  payload: Record<string, unknown>;
}

type Row = Awaited<ReturnType<PrismaClient['notification']['findFirstOrThrow']>>;

const view = (r: Row): NotificationView => ({
  id: r.id,
  kind: r.kind,
  subjectId: r.subjectId,
  recipient: r.recipient,
  status: r.status as NotificationStatus,
  attempts: r.attempts,
  nextAttemptAt: r.nextAttemptAt.toISOString(),
  lastError: r.lastError,
  sentAt: r.sentAt?.toISOString() ?? null,
  messageId: r.messageId,
  createdAt: r.createdAt.toISOString(),
  payload:
    r.payload && typeof r.payload === 'object' && !Array.isArray(r.payload)
      ? (r.payload as Record<string, unknown>)
      : {},
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Outbox rows, newest first, by state and subject (an order or cart id). */
export async function listNotifications(
  prisma: PrismaClient,
  query: { status?: NotificationStatus; subjectId?: string; limit: number; cursor?: string },
): Promise<{ items: NotificationView[]; nextCursor: string | null }> {
  const after = query.cursor ? decodeCursor(query.cursor, UUID) : undefined;
  const rows = await prisma.notification.findMany({
    where: {
      ...(query.status ? { status: query.status } : {}),
      ...(query.subjectId ? { subjectId: query.subjectId } : {}),
      ...(after ? { OR: [{ createdAt: { lt: after.t } }, { createdAt: after.t, id: { lt: after.id } }] } : {}),
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return { items: page.map(view), nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null };
}

export async function getNotification(prisma: PrismaClient, id: string): Promise<NotificationView | undefined> {
  if (!UUID.test(id)) return undefined;
  const row = await prisma.notification.findUnique({ where: { id } });
  return row ? view(row) : undefined;
}

/**
 * An operator's retry: a dead or skipped row is pending again with its attempts reset; a pending
 * one is due now (its backoff cut short). Undefined for an unknown id; a sent row is left alone.
 */
export async function retryNotification(
  prisma: PrismaClient,
  id: string,
  now: Date,
): Promise<{ retried: boolean; row: NotificationView } | undefined> {
  if (!UUID.test(id)) return undefined;
  // Each update names the states it may leave, so a send finishing meanwhile is never undone.
  const revived = await prisma.notification.updateMany({
    where: { id, status: { in: ['dead', 'skipped'] } },
    data: { status: 'pending', attempts: 0, nextAttemptAt: now, claimedUntil: null },
  });
  const hurried =
    revived.count > 0
      ? revived
      : await prisma.notification.updateMany({ where: { id, status: 'pending' }, data: { nextAttemptAt: now } });
  const row = await getNotification(prisma, id);
  return row ? { retried: hurried.count > 0, row } : undefined;
}
