import type { JournalEventType } from '../domain/order-journal.js';
import { safeJson } from '../domain/text.js';
import type { Prisma, PrismaClient } from './prisma.js';

export interface JournalInput {
  /** Derived from what happened (e.g. ItemPurchased:<order>:<product>): the same event is written once. */
  eventId: string;
  type: JournalEventType;
  aggregateId: string;
  payload: Prisma.InputJsonObject;
  occurredAt: string;
}

/** Appends events to the journal exactly once each; returns how many were new. */
export async function appendJournal(
  prisma: PrismaClient | Prisma.TransactionClient,
  events: JournalInput[],
): Promise<number> {
  const { count } = await prisma.journalEvent.createMany({
    // Text PostgreSQL cannot store is journaled as U+FFFD rather than holding the event back for ever.
    data: events.map((e) => ({ ...safeJson(e), occurredAt: new Date(e.occurredAt) })),
    skipDuplicates: true,
  });
  return count;
}
