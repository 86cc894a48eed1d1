/**
 * Read models built from the journal, exactly once: a batch of events is read after the model's
 * stored position (src/db/journal-reader.ts, which never skips one), applied, and the position moved,
 * all in one transaction that first locks the model's position row. Two projectors racing take
 * turns (the second reads after the position the first committed); one killed mid-batch leaves
 * nothing behind (its transaction rolls back whole); a batch applied again is not read again.
 */
import {
  JOURNAL_START,
  positionAfter,
  readJournal,
  type JournalPosition,
  type JournalRecord,
} from './journal-reader.js';
import type { Prisma, PrismaClient } from './prisma.js';

export interface Projection {
  name: string;
  /** The read model's tables: emptied when it is rebuilt from the start of the journal. */
  tables: readonly string[];
  /** Applies events, in journal order, to the read model, within the batch's transaction. */
  apply(tx: Prisma.TransactionClient, events: JournalRecord[]): Promise<void>;
}

export interface BatchOutcome {
  applied: number;
  position: JournalPosition;
}

/** How long a batch waits for its model's position row (held by another batch, or a rebuild). */
const POSITION_LOCK_TIMEOUT = '5s';

/** Reads, applies and records one batch of at most `limit` events; `applied: 0` when caught up. */
export async function projectBatch(prisma: PrismaClient, projection: Projection, limit: number): Promise<BatchOutcome> {
  // Generous, for a slow database; the position row itself is waited for only briefly (below).
  return prisma.$transaction(
    async (tx) => {
      // A rebuild holds the position row for its whole transaction (minutes, on a big journal).
      // Waiting for it would outlive this transaction's timeout and the activity's (Prisma's
      // rollback waits behind the blocked statement), every retry holding one more pooled
      // connection: give up soon instead (55P03), and let Temporal try again.
      await tx.$executeRawUnsafe(`SET LOCAL lock_timeout = '${POSITION_LOCK_TIMEOUT}'`);
      const position = await lockPosition(tx, projection.name);
      return applyNext(tx, projection, position, limit);
    },
    { timeout: 60_000, maxWait: 10_000 },
  );
}

/**
 * Rebuilds a read model from the whole journal: in one transaction, holding the model's position
 * row (its projector waits meanwhile), empties its tables, applies every readable event from the
 * start in batches and records the position reached; the projector then carries on from there.
 * Orders keep flowing: writers are not blocked, and events committed during the rebuild are read
 * by the projector afterwards. Readers of the model see the old numbers until the rebuild commits.
 */
export async function rebuildProjection(
  prisma: PrismaClient,
  projection: Projection,
  options: { batch?: number; timeoutMs?: number } = {},
): Promise<BatchOutcome> {
  const batch = options.batch ?? 500;
  return prisma.$transaction(
    async (tx) => {
      await lockPosition(tx, projection.name);
      for (const table of projection.tables) await tx.$executeRawUnsafe(`DELETE FROM "${table}"`);
      await tx.$executeRaw`UPDATE projection_positions SET tx_id = '0', seq = 0, events = 0 WHERE name = ${projection.name}`;
      let outcome: BatchOutcome = { applied: 0, position: JOURNAL_START };
      for (let total = 0; ;) {
        const step = await applyNext(tx, projection, outcome.position, batch);
        if (step.applied === 0) return { applied: total, position: step.position };
        total += step.applied;
        outcome = step;
      }
    },
    { timeout: options.timeoutMs ?? 30 * 60_000, maxWait: 60_000 },
  );
}

/** Takes the model's position row for this transaction (creating it at the journal's start). */
async function lockPosition(tx: Prisma.TransactionClient, name: string): Promise<JournalPosition> {
  await tx.$executeRaw`INSERT INTO projection_positions (name) VALUES (${name}) ON CONFLICT DO NOTHING`;
  const [row] = await tx.$queryRaw<{ tx_id: string; seq: string }[]>`
    SELECT tx_id::text AS tx_id, seq::text AS seq FROM projection_positions WHERE name = ${name} FOR UPDATE`;
  return { txId: row!.tx_id, seq: row!.seq };
}

async function applyNext(
  tx: Prisma.TransactionClient,
  projection: Projection,
  position: JournalPosition,
  limit: number,
): Promise<BatchOutcome> {
  const events = await readJournal(tx, position, limit);
  if (events.length === 0) return { applied: 0, position };
  await projection.apply(tx, events);
  const next = positionAfter(position, events);
  await tx.$executeRaw`
    UPDATE projection_positions
    SET tx_id = ${next.txId}::xid8, seq = ${next.seq}::bigint, events = events + ${events.length}, updated_at = now()
    WHERE name = ${projection.name}`;
  return { applied: events.length, position: next };
}

export { popularItems } from './read-models/popular-items.js';
