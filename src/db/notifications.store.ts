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
  const { dedupeKey, kind, subjectId, recipient, payload } = safeJson(input);
  const written = await prisma.$executeRaw`
    INSERT INTO notification_outbox (id, dedupe_key, kind, subject_id, recipient, payload)
    VALUES (gen_random_uuid(), ${dedupeKey}, ${kind}, ${subjectId}, ${recipient}, ${JSON.stringify(payload)}::jsonb)
    ON CONFLICT (dedupe_key) DO NOTHING`;
  return written === 1;
}
