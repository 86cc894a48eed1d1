/**
 * Reading the journal in order, from a stored position, without ever skipping a committed event.
 *
 * `journal_events.seq` comes from a sequence, handed out as transactions insert, not as they
 * commit: a transaction may take seq 5, another seq 6 and commit first, and a reader that stores
 * "up to 6" and asks for `seq > 6` never sees 5. So the journal also records the id of the
 * transaction that wrote each event (`tx_id`, xid8), and a reader:
 *  - reads in (tx_id, seq) order, after its position (the last (tx_id, seq) it applied);
 *  - reads only events of transactions older than the oldest one still running
 *    (`pg_snapshot_xmin(pg_current_snapshot())`): every such transaction has ended, so no event of
 *    one can appear later, and every transaction that starts later gets a larger id.
 * An event therefore becomes readable once its transaction and every older one have ended, and is
 * read exactly once by a reader that stores its position with what it applied (one transaction).
 * The price: one long transaction holds every reader back until it ends.
 */
import type { Prisma, PrismaClient } from './prisma.js';

/** Where a reader is: the last event it applied, as (transaction id, seq), both decimal strings. */
export interface JournalPosition {
  txId: string;
  seq: string;
}

export const JOURNAL_START: JournalPosition = { txId: '0', seq: '0' };

export interface JournalRecord {
  seq: string;
  txId: string;
  eventId: string;
  type: string;
  aggregateId: string;
  payload: Prisma.JsonValue;
  occurredAt: Date;
}

type Db = PrismaClient | Prisma.TransactionClient;

/** The next events after `position` that can be read for good, in order, at most `limit`. */
export async function readJournal(db: Db, position: JournalPosition, limit: number): Promise<JournalRecord[]> {
  const rows = await db.$queryRaw<
    {
      seq: bigint;
      tx_id: string;
      event_id: string;
      type: string;
      aggregate_id: string;
      payload: Prisma.JsonValue;
      occurred_at: Date;
    }[]
  >`
    SELECT seq, tx_id::text AS tx_id, event_id, type, aggregate_id, payload, occurred_at
    FROM journal_events
    WHERE (tx_id, seq) > (${position.txId}::xid8, ${position.seq}::bigint)
      AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
    -- Qualified: a bare tx_id here would be the text column above, and '1000' sorts before '999'.
    ORDER BY journal_events.tx_id, journal_events.seq
    LIMIT ${limit}`;
  return rows.map((r) => ({
    seq: String(r.seq),
    txId: r.tx_id,
    eventId: r.event_id,
    type: r.type,
    aggregateId: r.aggregate_id,
    payload: r.payload,
    occurredAt: r.occurred_at,
  }));
}

/** The position just after the last of `records` (or `position` itself when there were none). */
export function positionAfter(position: JournalPosition, records: JournalRecord[]): JournalPosition {
  const last = records.at(-1);
  return last ? { txId: last.txId, seq: last.seq } : position;
}
