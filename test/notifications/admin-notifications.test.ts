/**
 * Operators and the outbox: a message that fails too often ends dead, shows in
 * GET /api/admin/notifications, and goes out after POST /api/admin/notifications/:id/retry. Real
 * HTTP against the app, a real PostgreSQL and a real Mailpit refusing on demand.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureMailpit, startMailpit, type RunningMailpit } from '../../src/dev/mailpit.js';
import type { Drain } from '../../src/drains/drain.js';
import { createNotificationSender, type NotificationSenderDeps } from '../../src/notifications/sender.js';
import { startTestStack, type TestStack } from '../helpers/app.js';
import { enqueue, inbox } from './mailpit-inbox.js';

let stack: TestStack;
let mailpit: RunningMailpit;
let mail: ReturnType<typeof inbox>;
let now = Date.now();
const senders: Drain[] = [];

beforeAll(async () => {
  const binary = await ensureMailpit((line) => console.log(line));
  [stack, mailpit] = await Promise.all([startTestStack({}, { worker: false }), startMailpit({ binary, chaos: true })]);
  mail = inbox(mailpit);
});
afterAll(async () => {
  for (const s of senders) await s.close?.();
  await mailpit?.stop();
  await stack?.close();
});
beforeEach(async () => {
  now = Date.now() + 1_000;
  await stack.db.prisma.$executeRawUnsafe('TRUNCATE notification_outbox');
  await mail.clear();
  await mail.refuseRecipients(451, 0);
});

function sender(overrides: Partial<NotificationSenderDeps> = {}): Drain {
  const s = createNotificationSender({
    prisma: stack.db.prisma,
    smtpUrl: mailpit.smtpUrl,
    from: 'Example Shop <orders@shop.example>',
    publicUrl: stack.config.publicUrl,
    orderTokenSecret: stack.config.security.orderTokenSecret,
    clock: () => new Date(now),
    retry: { baseDelayMs: 1_000, maxDelayMs: 4_000, maxAttempts: 3 },
    ...overrides,
  });
  senders.push(s);
  return s;
}

const admin = (path: string, init: RequestInit & { json?: unknown } = {}) => stack.http(path, { ...init, admin: true });

describe('admin notifications', () => {
  it('a message failing too often ends dead, listed for operators, and a retry sends it', async () => {
    const { id } = await enqueue(stack.db.prisma, 'order_shipped');
    const s = sender();
    await mail.refuseRecipients(451);
    const waits = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const result = await s.runBatch(10);
      expect(result.applied).toBe(1);
      waits.push(result.nextDueInMs);
      now += 4_000;
    }
    expect(waits).toEqual([1_000, 2_000, undefined]); // the third failure is the last: nothing left pending
    const dead = await admin('/api/admin/notifications?status=dead');
    expect(dead.status).toBe(200);
    expect(dead.body.items).toHaveLength(1);
    expect(dead.body.items[0]).toMatchObject({
      id,
      kind: 'order_shipped',
      status: 'dead',
      attempts: 3,
      recipient: 'ana@example.com',
      sentAt: null,
      messageId: `<notification-${id}@shop.example>`,
    });
    expect(dead.body.items[0].lastError).toMatch(/451/);
    expect((await admin('/api/admin/notifications?status=pending')).body.items).toEqual([]);

    await mail.refuseRecipients(451, 0);
    const retried = await admin(`/api/admin/notifications/${id}/retry`, { method: 'POST' });
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ id, status: 'pending', attempts: 0 });
    expect(await s.runBatch(10)).toEqual({ applied: 1 });
    const [message] = await mail.messages();
    expect(message!.MessageID).toBe(`notification-${id}@shop.example`);
    expect((await admin(`/api/admin/notifications/${id}`)).body).toMatchObject({ status: 'sent', attempts: 0 });

    const again = await admin(`/api/admin/notifications/${id}/retry`, { method: 'POST' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('nothing_to_retry');
  });

  it('a skipped operator alert goes out once OPERATOR_EMAIL is set and an operator retries it', async () => {
    const { id } = await enqueue(stack.db.prisma, 'operator_alert', { flag: 'payment_stuck' }, { recipient: null });
    await sender().runBatch(10);
    const skipped = await admin('/api/admin/notifications?status=skipped');
    expect(skipped.body.items.map((n: { id: string }) => n.id)).toEqual([id]);
    expect(skipped.body.items[0].lastError).toContain('OPERATOR_EMAIL');

    expect((await admin(`/api/admin/notifications/${id}/retry`, { method: 'POST' })).status).toBe(200);
    await sender({ operatorEmail: 'ops@shop.example' }).runBatch(10);
    const [message] = await mail.messages();
    expect(message!.To.map((t) => t.Address)).toEqual(['ops@shop.example']);
  });

  it('a retry of a backing-off message makes it due now', async () => {
    const { id } = await enqueue(stack.db.prisma, 'order_confirmed');
    await mail.refuseRecipients(451);
    await sender().runBatch(10);
    await mail.refuseRecipients(451, 0);
    const before = await admin(`/api/admin/notifications/${id}`);
    expect(before.body).toMatchObject({ status: 'pending', attempts: 1 });
    const retried = await admin(`/api/admin/notifications/${id}/retry`, { method: 'POST' });
    expect(retried.status).toBe(200);
    expect(Date.parse(retried.body.nextAttemptAt)).toBeLessThan(Date.parse(before.body.nextAttemptAt));
  });

  it('pages newest first with a cursor, filters by subject, and answers bad input with stable codes', async () => {
    const order = randomUUID();
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await enqueue(stack.db.prisma, 'order_shipped', {}, { orderId: order })).id);
    await enqueue(stack.db.prisma, 'order_shipped');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await admin(
        `/api/admin/notifications?subjectId=${order}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((n: { id: string }) => n.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual(ids.sort());

    const cases: [string, string | undefined, number, string][] = [
      ['/api/admin/notifications?cursor=not-a-cursor', 'GET', 422, 'invalid_cursor'],
      ['/api/admin/notifications?status=lost', 'GET', 400, 'validation_failed'],
      ['/api/admin/notifications?limit=0', 'GET', 400, 'validation_failed'],
      [`/api/admin/notifications/${randomUUID()}`, 'GET', 404, 'notification_not_found'],
      [`/api/admin/notifications/${randomUUID()}/retry`, 'POST', 404, 'notification_not_found'],
      ['/api/admin/notifications/not-a-uuid/retry', 'POST', 400, 'validation_failed'],
    ];
    for (const [path, method, status, code] of cases) {
      const res = await admin(path, { method });
      expect([path, res.status, res.body.error?.code]).toEqual([path, status, code]);
    }
    const stranger = await stack.http('/api/admin/notifications');
    expect(stranger.status).toBe(401);
  });
});
