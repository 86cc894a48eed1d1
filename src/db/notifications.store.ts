import { safeJson } from '../domain/text.js';
import type { Prisma } from './prisma.js';

export interface NotificationInput {
  /** One message per key, ever: a retried write inserts nothing new. */
  dedupeKey: string;
  kind: string;
  subjectId: string;
  recipient: string | null;
  payload: Prisma.InputJsonObject;
}

/** Writes a message to the outbox exactly once; returns whether this call wrote it. */
export async function enqueueNotification(
  prisma: Prisma.TransactionClient,
  input: NotificationInput,
): Promise<boolean> {
  // Text PostgreSQL cannot store is written as U+FFFD rather than holding the message back for ever.
  const { count } = await prisma.notification.createMany({ data: [safeJson(input)], skipDuplicates: true });
  return count === 1;
}
