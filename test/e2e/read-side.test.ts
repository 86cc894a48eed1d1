/**
 * The read side whole, as `npm start` runs it: an order placed and delivered through the API moves
 * the analytics numbers, puts its events on a real Kafka broker's topic, in journal order, and
 * mails its customer through a real SMTP server (Mailpit), each drain a singleton workflow on a
 * real Temporal server, nudged as the order's activities write.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureMailpit, startMailpit, type RunningMailpit } from '../../src/dev/mailpit.js';
import { readModelDrains } from '../../src/drains/read-model-drains.js';
import { KAFKA_RELAY_DRAIN, NOTIFICATIONS_DRAIN } from '../../src/drains/singletons.js';
import { createKafkaRelay } from '../../src/events/kafka-relay.js';
import { ORDER_EVENTS_TOPIC } from '../../src/events/order-events.js';
import { createNotificationSender } from '../../src/notifications/sender.js';
import { startTestStack, type TestStack } from '../helpers/app.js';
import { readTopic, startTestKafka, type TestKafka } from '../helpers/kafka.js';
import { fastOrders, placeOrder, productsInStock, waitForOrder } from '../helpers/orders.js';
import { inbox } from '../notifications/mailpit-inbox.js';

let stack: TestStack;
let kafka: TestKafka;
let mailpit: RunningMailpit;
beforeAll(async () => {
  [kafka, mailpit] = await Promise.all([
    startTestKafka(),
    ensureMailpit((line) => console.log(line)).then((binary) => startMailpit({ binary })),
  ]);
  stack = await startTestStack(fastOrders, {
    drains: (db) => {
      const drains = readModelDrains(db.prisma);
      drains.set(KAFKA_RELAY_DRAIN, createKafkaRelay({ prisma: db.prisma, brokers: [kafka.brokers] }));
      drains.set(
        NOTIFICATIONS_DRAIN,
        createNotificationSender({
          prisma: db.prisma,
          smtpUrl: mailpit.smtpUrl,
          from: 'Shop <orders@shop.example>',
          publicUrl: 'http://shop.example',
          orderTokenSecret: 'test-order-token-secret-0123456789abcdef',
        }),
      );
      return drains;
    },
  });
});
afterAll(async () => {
  await stack?.close();
  await Promise.all([kafka?.stop(), mailpit?.stop()]);
});

async function eventually<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: never; last ${JSON.stringify(value).slice(0, 2_000)}`);
    await sleep(200);
  }
}

describe('the read side, end to end', () => {
  it('an order delivered moves the numbers, reaches the topic in order and mails its customer', async () => {
    const [product] = await productsInStock(stack, 1);
    const email = `reader-${Date.now()}@example.com`;
    const { orderId } = await placeOrder(stack, {
      email,
      paymentMethod: 'pm_card_visa',
      lines: [{ productId: product!.id, quantity: 2 }],
    });
    await waitForOrder(stack, orderId, (o) => o.status === 'delivered');

    const day = new Date().toISOString().slice(0, 10);
    const popular = await eventually(
      'popular items',
      async () => (await stack.http(`/api/analytics/popular-items?date=${day}`, { admin: true })).body,
      (b) => b.items.some((i: { productId: string }) => i.productId === product!.id),
    );
    expect(popular.items.find((i: { productId: string }) => i.productId === product!.id).quantity).toBe(2);

    const mine = await eventually(
      'the order on the topic',
      async () => (await readTopic(kafka.kafka, ORDER_EVENTS_TOPIC)).filter((m) => m.key === orderId),
      (msgs) => msgs.some((m) => m.event.type === 'OrderDelivered'),
    );
    const types = [...new Set(mine.map((m) => m.event.type))];
    expect(types).toEqual(['OrderPlaced', 'OrderPaid', 'ItemPurchased', 'OrderShipped', 'OrderDelivered']);
    expect(new Set(mine.map((m) => m.partition)).size).toBe(1); // one order, one partition: its order kept
    for (const m of mine) expect(m.headers['event-id']).toBe(m.event.eventId);

    const mails = inbox(mailpit);
    const received = await eventually(
      'the customer’s e-mails',
      async () => (await mails.messages()).filter((m) => m.To.some((t) => t.Address === email)),
      (list) => list.length >= 3,
    );
    const detail = await mails.message(received[0]!.ID);
    expect(detail.Text).toContain(`http://shop.example/`);
    expect(detail.Text).toContain(orderId);
    const rows = await stack.db.prisma.notification.findMany({ where: { subjectId: orderId, recipient: email } });
    expect(rows.length).toBeGreaterThanOrEqual(3);
    await eventually(
      'every message of the order marked sent',
      () => stack.db.prisma.notification.findMany({ where: { subjectId: orderId, recipient: email } }),
      (now) => now.every((r) => r.status === 'sent'),
    );
    expect(received.length).toBe(rows.length); // each outbox row mailed once

    const status = await eventually(
      'every journal follower caught up',
      async () => (await stack.http('/api/analytics/status', { admin: true })).body,
      (b) => b.drains.every((d: { lagEvents: number }) => d.lagEvents === 0),
    );
    expect(status.drains.map((d: { name: string }) => d.name)).toContain('kafka-relay');
  });
});
