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

/**
 * The INSERT that writes the message of a JSON parameter (a NotificationInput, or null for none) to
 * the outbox, once per dedupe key, returning a row if it did. One text for enqueueNotification and
 * the order summary's statement.
 */
export const outboxInsertSql = (message: string) => `
  INSERT INTO notification_outbox (id, dedupe_key, kind, subject_id, recipient, payload)
  SELECT gen_random_uuid(), m->>'dedupeKey', m->>'kind', m->>'subjectId', m->>'recipient', m->'payload'
  FROM (SELECT ${message}::jsonb AS m) given WHERE m IS NOT NULL
  ON CONFLICT (dedupe_key) DO NOTHING
  RETURNING 1`;

/** Writes a message to the outbox exactly once; returns whether this call wrote it. */
export async function enqueueNotification(
  prisma: Prisma.TransactionClient,
  input: NotificationInput,
): Promise<boolean> {
  // Text PostgreSQL cannot store is written as U+FFFD rather than holding the message back for ever.
  const written = await prisma.$executeRawUnsafe(outboxInsertSql('$1'), JSON.stringify(safeJson(input)));
  return written === 1;
}
