import type { Prisma, PrismaClient } from './prisma.js';

export interface NotificationInput {
  /** One message per key, ever: a retried write inserts nothing new. */
  dedupeKey: string;
  kind: string;
  subjectId: string;
  recipient: string | null;
  payload: Prisma.InputJsonObject;
}

/** Writes a message to the outbox exactly once; returns whether this call wrote it. */
export async function enqueueNotification(prisma: PrismaClient, input: NotificationInput): Promise<boolean> {
  const { count } = await prisma.notification.createMany({ data: [input], skipDuplicates: true });
  return count === 1;
}
