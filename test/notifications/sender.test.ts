/**
 * The notification sender (src/notifications/sender.ts) against a real Mailpit and a real
 * PostgreSQL: every kind arrives with its tracking link, each outbox row is mailed once however
 * often and however many senders run, a crash between the server's accept and the mark resends the
 * same Message-ID, an unreachable server backs off and then delivers, and hostile text stays text.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { accepted } from '../../src/api/carts/checkout.js';
import { OrderAccess } from '../../src/api/identity/order-access.js';
import { loadConfig } from '../../src/config.js';
import { ensureMailpit, startMailpit, type RunningMailpit } from '../../src/dev/mailpit.js';
import { freePort } from '../../src/dev/ports.js';
import type { PrismaClient } from '../../src/db/prisma.js';
import type { Drain } from '../../src/drains/drain.js';
import * as outbox from '../../src/notifications/outbox.js';
import { createNotificationSender, type NotificationSenderDeps } from '../../src/notifications/sender.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { enqueue, inbox } from './mailpit-inbox.js';

const SECRET = 'test-order-token-secret-0123456789abcdef';
const FROM = 'Example Shop <orders@shop.example>';

let db: TestDatabase;
let mailpit: RunningMailpit;
let mail: ReturnType<typeof inbox>;
let binary: string;
let now = Date.now();
const senders: Drain[] = [];

beforeAll(async () => {
  binary = await ensureMailpit((line) => console.log(line));
  [db, mailpit] = await Promise.all([createTestDatabase(), startMailpit({ binary, chaos: true })]);
  mail = inbox(mailpit);
});
afterAll(async () => {
  await mailpit?.stop();
  await db?.drop();
});
beforeEach(async () => {
  // Rows are stamped with the database's clock: the senders' clock starts just after it.
  now = Date.now() + 1_000;
  await db.prisma.$executeRawUnsafe('TRUNCATE notification_outbox');
  await mail.clear();
  await mail.refuseRecipients(451, 0);
});
afterEach(async () => {
  for (const s of senders.splice(0)) await s.close?.();
});

function sender(overrides: Partial<NotificationSenderDeps> = {}): Drain {
  const s = createNotificationSender({
    prisma: db.prisma,
    smtpUrl: mailpit.smtpUrl,
    from: FROM,
    publicUrl: 'https://shop.example',
    orderTokenSecret: SECRET,
    clock: () => new Date(now),
    ...overrides,
  });
  senders.push(s);
  return s;
}

/** Batches until one does nothing; returns how many rows were handled and the last answer. */
async function drain(s: Drain, limit = 10) {
  let total = 0;
  for (;;) {
    const result = await s.runBatch(limit);
    total += result.applied;
    if (result.applied === 0) return { total, last: result };
  }
}

const row = (id: string) => db.prisma.notification.findUniqueOrThrow({ where: { id } });

describe('notification sender', () => {
  it('mails every kind, in plain text and HTML, with the tracking link the checkout gave', async () => {
    const kinds: [string, Record<string, unknown>][] = [
      ['order_confirmed', {}],
      ['payment_action_required', { url: 'https://bank.example/3ds' }],
      ['payment_declined', {}],
      ['order_backordered', { skus: ['SKU-1'] }],
      ['order_lines_cancelled', { skus: ['SKU-2'] }],
      ['order_picking', {}],
      ['order_shipped', {}],
      ['order_delivered', {}],
      ['order_cancelled', { reason: 'customer' }],
      ['refund_issued', { amountCents: 1999 }],
      ['some_future_kind', {}],
    ];
    const written = [];
    for (const [kind, extra] of kinds) written.push({ kind, ...(await enqueue(db.prisma, kind, extra)) });
    const cart = await enqueue(db.prisma, 'cart_reminder', { cartId: 'c1', itemCount: 2 }, { orderId: 'cart-1' });

    expect(await drain(sender())).toEqual({ total: kinds.length + 1, last: { applied: 0 } });

    const config = loadConfig({ NODE_ENV: 'test', PUBLIC_URL: 'https://shop.example', ORDER_TOKEN_SECRET: SECRET });
    const access = new OrderAccess(db.prisma, SECRET);
    const arrived = await mail.messages();
    expect(arrived).toHaveLength(kinds.length + 1);
    for (const { id, kind, orderId } of written) {
      const summary = arrived.find((m) => m.MessageID === `notification-${id}@shop.example`);
      expect(summary, kind).toBeDefined();
      const message = await mail.message(summary!.ID);
      const link = accepted(access, config, orderId, 'placed').trackingUrl;
      expect(message.Text, kind).toContain(link);
      expect(message.HTML, kind).toContain(`href="${link}"`);
      expect(message.To.map((t) => t.Address)).toEqual(['ana@example.com']);
      expect((await mail.headers(summary!.ID))['X-Notification-Kind']).toEqual([kind]);
      expect(await row(id)).toMatchObject({
        status: 'sent',
        attempts: 0,
        messageId: `<notification-${id}@shop.example>`,
      });
      expect((await row(id)).sentAt).not.toBeNull();
    }
    const reminder = arrived.find((m) => m.MessageID === `notification-${cart.id}@shop.example`)!;
    expect((await mail.message(reminder.ID)).HTML).toContain('href="https://shop.example/"');
  });

  it('mails each row once: again and again, and with two senders racing for the same rows', async () => {
    const ids = [];
    for (let i = 0; i < 30; i++) ids.push((await enqueue(db.prisma, 'order_shipped')).id);
    const [a, b] = [sender(), sender()];
    const [first, second] = await Promise.all([drain(a, 3), drain(b, 3)]);
    expect(first.total + second.total).toBe(30);
    expect(first.total).toBeGreaterThan(0);
    expect(second.total).toBeGreaterThan(0);
    expect((await drain(a)).total).toBe(0);
    expect((await drain(sender())).total).toBe(0);

    const arrived = await mail.messages();
    expect(arrived).toHaveLength(30);
    expect(new Set(arrived.map((m) => m.MessageID))).toEqual(
      new Set(ids.map((id) => `notification-${id}@shop.example`)),
    );
    expect(await db.prisma.notification.count({ where: { status: 'sent' } })).toBe(30);
  });

  it('a sender neither waits for nor takes the rows another sender is claiming right now', async () => {
    const ids = [];
    for (let i = 0; i < 6; i++) ids.push((await enqueue(db.prisma, 'order_shipped')).id);
    const other = sender();
    const claimedMeanwhile = await db.prisma.$transaction(async (tx) => {
      // Another sender's claim, caught before its commit: its rows are locked.
      const mine = await outbox.claimDue(tx as unknown as PrismaClient, {
        now: new Date(now),
        leaseUntil: new Date(now + 60_000),
        limit: 2,
      });
      expect(await other.runBatch(10)).toMatchObject({ applied: 4 });
      return mine.map((r) => r.id);
    });
    const sent = (await mail.messages()).map((m) => m.MessageID);
    expect(sent.sort()).toEqual(
      ids
        .filter((id) => !claimedMeanwhile.includes(id))
        .map((id) => `notification-${id}@shop.example`)
        .sort(),
    );
  });

  it('sends again, with the same Message-ID, a message accepted by the server but not marked (a crash)', async () => {
    const [one, two] = [await enqueue(db.prisma, 'order_confirmed'), await enqueue(db.prisma, 'order_shipped')];
    // The worker dies right after the server's accept: the mark never happens, nor anything after it.
    const dying = sender({
      leaseMs: 120_000,
      outbox: {
        markSent: () => Promise.reject(new Error('worker killed between accept and mark')),
        release: () => Promise.reject(new Error('worker killed')),
      },
    });
    await expect(dying.runBatch(10)).rejects.toThrow('worker killed between accept and mark');
    expect(await mail.messages()).toHaveLength(1);
    expect(await row(one.id)).toMatchObject({ status: 'pending', sentAt: null });

    // A new worker finds both rows still leased by the dead one, and waits out the lease.
    const next = sender();
    expect(await next.runBatch(10)).toEqual({ applied: 0, nextDueInMs: 120_000 });
    now += 120_000;
    expect((await drain(next)).total).toBe(2);

    const arrived = await mail.messages();
    expect(arrived.map((m) => m.MessageID).sort()).toEqual(
      [
        `notification-${one.id}@shop.example`,
        `notification-${one.id}@shop.example`,
        `notification-${two.id}@shop.example`,
      ].sort(),
    );
    expect(await row(one.id)).toMatchObject({ status: 'sent' });
    expect(await row(two.id)).toMatchObject({ status: 'sent' });
  });

  it('a failed mark step (the database away for a moment) gives the rest of the batch back at once', async () => {
    const [one, two] = [await enqueue(db.prisma, 'order_confirmed'), await enqueue(db.prisma, 'order_shipped')];
    let failures = 1;
    const flaky = sender({
      outbox: {
        markSent: (...args) =>
          failures-- > 0 ? Promise.reject(new Error('connection lost')) : outbox.markSent(...args),
      },
    });
    await expect(flaky.runBatch(10)).rejects.toThrow('connection lost');
    expect(await flaky.runBatch(10)).toEqual({ applied: 2 });
    const ids = (await mail.messages()).map((m) => m.MessageID);
    expect(ids.filter((id) => id === `notification-${one.id}@shop.example`)).toHaveLength(2);
    expect(ids.filter((id) => id === `notification-${two.id}@shop.example`)).toHaveLength(1);
  });

  it('backs off while the SMTP server is away (attempts counted, next try later), then delivers when it is back', async () => {
    const port = await freePort();
    let server = await startMailpit({ binary, smtpPort: port });
    try {
      const s = sender({ smtpUrl: server.smtpUrl });
      await enqueue(db.prisma, 'order_confirmed');
      expect((await drain(s)).total).toBe(1); // the pool now holds a connection to that server
      await server.stop();

      const late = [await enqueue(db.prisma, 'order_shipped'), await enqueue(db.prisma, 'order_delivered')];
      expect(await s.runBatch(10)).toEqual({ applied: 2, nextDueInMs: 30_000 });
      for (const { id } of late) {
        const r = await row(id);
        expect(r).toMatchObject({ status: 'pending', attempts: 1 });
        expect(r.nextAttemptAt.getTime()).toBe(now + 30_000);
        expect(r.lastError).toMatch(/ECONNREFUSED|ESOCKET|ECONNECTION/);
      }
      expect(await s.runBatch(10)).toEqual({ applied: 0, nextDueInMs: 30_000 });

      now += 30_000;
      expect(await s.runBatch(10)).toMatchObject({ applied: 2 }); // down still: the second wait is twice as long
      expect((await row(late[0]!.id)).nextAttemptAt.getTime()).toBe(now + 60_000);

      server = await startMailpit({ binary, smtpPort: port });
      now += 60_000;
      expect(await drain(s)).toEqual({ total: 2, last: { applied: 0 } });
      expect(await inbox(server).messages()).toHaveLength(2);
      for (const { id } of late) expect(await row(id)).toMatchObject({ status: 'sent', attempts: 2 });
    } finally {
      await server.stop();
    }
  });

  it('gives up on a message the server refuses for good (5xx) at once, and retries a 4xx', async () => {
    const refused = await enqueue(db.prisma, 'order_confirmed');
    await mail.refuseRecipients(550);
    expect(await sender().runBatch(10)).toEqual({ applied: 1 });
    expect(await row(refused.id)).toMatchObject({ status: 'dead', attempts: 1 });
    expect((await row(refused.id)).lastError).toMatch(/550/);

    const later = await enqueue(db.prisma, 'order_shipped');
    await mail.refuseRecipients(451);
    expect(await sender().runBatch(10)).toEqual({ applied: 1, nextDueInMs: 30_000 });
    expect(await row(later.id)).toMatchObject({ status: 'pending', attempts: 1 });
    expect(await mail.messages()).toHaveLength(0);
  });

  it('keeps hostile text as text: escaped HTML, no header from a payload, no list of recipients', async () => {
    const hostile = await enqueue(db.prisma, 'order_lines_cancelled', {
      orderId: `00000000-0000-4000-8000-000000000000\r\nBcc: eve@evil.example`,
      message: 'We could not get <script>alert("x")</script> in time.',
      skus: ['<img src=x onerror=alert(1)>'],
    });
    const listed = await enqueue(db.prisma, 'order_confirmed', {}, { recipient: 'ana@example.com, eve@evil.example' });
    const broken = await enqueue(
      db.prisma,
      'order_confirmed',
      {},
      { recipient: 'ana@example.com\r\nBcc: eve@evil.example' },
    );
    await drain(sender());

    const arrived = await mail.messages();
    expect(arrived).toHaveLength(1);
    const message = await mail.message(arrived[0]!.ID);
    expect(message.To.map((t) => t.Address)).toEqual(['ana@example.com']);
    expect([...message.Bcc, ...message.Cc]).toEqual([]);
    const headers = await mail.headers(arrived[0]!.ID);
    expect(Object.keys(headers).map((h) => h.toLowerCase())).not.toContain('bcc');
    expect(message.Subject).not.toMatch(/evil/);
    expect(message.HTML).not.toMatch(/<script|<img/);
    expect(message.HTML).toContain('&lt;script&gt;');
    expect(await row(hostile.id)).toMatchObject({ status: 'sent' });
    for (const { id } of [listed, broken])
      expect(await row(id)).toMatchObject({
        status: 'dead',
        lastError: 'not mailed: the recipient is not one e-mail address',
      });
  });

  it('marks what has nobody to go to as skipped, with the reason, and mails operator alerts to OPERATOR_EMAIL', async () => {
    const guest = await enqueue(db.prisma, 'cart_reminder', { itemCount: 1 }, { recipient: null });
    const alert = await enqueue(
      db.prisma,
      'operator_alert',
      { flag: 'payment_stuck', step: 'capture' },
      { recipient: null },
    );
    expect((await drain(sender())).total).toBe(2);
    expect(await row(guest.id)).toMatchObject({
      status: 'skipped',
      lastError: 'not mailed: the customer gave no e-mail address',
    });
    expect(await row(alert.id)).toMatchObject({ status: 'skipped' });
    expect((await row(alert.id)).lastError).toContain('OPERATOR_EMAIL is not set');
    expect(await mail.messages()).toHaveLength(0);

    const mailed = await enqueue(
      db.prisma,
      'operator_alert',
      { flag: 'step_failed', step: 'ship' },
      { recipient: null },
    );
    await drain(sender({ operatorEmail: 'Ops <ops@shop.example>' }));
    const [message] = await mail.messages();
    expect(message!.To.map((t) => t.Address)).toEqual(['ops@shop.example']);
    expect(message!.Subject).toContain('stopped: step_failed at ship');
    expect(await row(mailed.id)).toMatchObject({ status: 'sent' });
  });

  it('without an SMTP server sends nothing and keeps every row pending', async () => {
    const waiting = await enqueue(db.prisma, 'order_confirmed');
    expect(await sender({ smtpUrl: undefined }).runBatch(10)).toEqual({ applied: 0 });
    expect(await row(waiting.id)).toMatchObject({ status: 'pending', attempts: 0, claimedUntil: null });
  });
});
