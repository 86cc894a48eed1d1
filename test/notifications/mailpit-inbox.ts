/** Reading a real Mailpit's inbox through its HTTP API, and making its SMTP server refuse on demand. */
import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '../../src/db/prisma.js';
import { enqueueNotification } from '../../src/db/notifications.store.js';
import type { RunningMailpit } from '../../src/dev/mailpit.js';

export interface MessageSummary {
  ID: string;
  MessageID: string;
  Subject: string;
  To: { Address: string }[];
}

export interface MessageDetail extends MessageSummary {
  Text: string;
  HTML: string;
  Bcc: { Address: string }[];
  Cc: { Address: string }[];
}

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export function inbox(mailpit: Pick<RunningMailpit, 'apiUrl'>) {
  const api = mailpit.apiUrl;
  return {
    async messages(): Promise<MessageSummary[]> {
      return (await json<{ messages: MessageSummary[] }>(`${api}/messages?limit=1000`)).messages;
    },
    message: (id: string) => json<MessageDetail>(`${api}/message/${id}`),
    headers: (id: string) => json<Record<string, string[]>>(`${api}/message/${id}/headers`),
    async clear(): Promise<void> {
      await fetch(`${api}/messages`, { method: 'DELETE' });
    },
    /** Mailpit's chaos: its SMTP server answers RCPT TO with `code`, at `probability` percent. */
    async refuseRecipients(code: number, probability = 100): Promise<void> {
      await json(`${api}/chaos`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ Recipient: { ErrorCode: code, Probability: probability } }),
      });
    },
  };
}

/** Writes an outbox row as the order workflows do (their payload shape); returns its id. */
export async function enqueue(
  prisma: PrismaClient,
  kind: string,
  extra: Record<string, unknown> = {},
  options: { orderId?: string; recipient?: string | null } = {},
): Promise<{ id: string; orderId: string }> {
  const orderId = options.orderId ?? randomUUID();
  const dedupeKey = `${kind}:${orderId}:${randomUUID()}`;
  await enqueueNotification(prisma, {
    dedupeKey,
    kind,
    subjectId: orderId,
    recipient: options.recipient === undefined ? 'ana@example.com' : options.recipient,
    payload: JSON.parse(
      JSON.stringify({ orderId, status: 'placed', message: 'News.', totalCents: 3998, currency: 'USD', ...extra }),
    ) as Record<string, string>,
  });
  const row = await prisma.notification.findUniqueOrThrow({ where: { dedupeKey } });
  return { id: row.id, orderId };
}
