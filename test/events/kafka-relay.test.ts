/**
 * The journal's events on a real Kafka broker (src/events/kafka-relay.ts), at least once: every
 * event on the topic keyed by its order, in journal order per order, with its event id; a relay
 * killed (SIGKILL, its own process) mid-backlog and restarted loses nothing and duplicates only
 * with the same id; racing relays never move the stored position back; and a consumer that
 * de-duplicates by event id rebuilds the popular-items numbers the projector computes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { PrismaClient } from '../../src/db/prisma.js';
import { popularItems, projectBatch } from '../../src/db/projections.js';
import { createKafkaRelay, KAFKA_RELAY_POSITION, kafkaRelayFromConfig } from '../../src/events/kafka-relay.js';
import {
  EVENT_ID_HEADER,
  EVENT_TYPE_HEADER,
  ORDER_EVENTS_TOPIC,
  parseOrderEvent,
} from '../../src/events/order-events.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { readTopic, startTestKafka, topicSize, type TestKafka, type TopicMessage } from '../helpers/kafka.js';

let db: TestDatabase;
let broker: TestKafka;
beforeAll(async () => {
  [db, broker] = await Promise.all([createTestDatabase(), startTestKafka()]);
});
afterAll(async () => {
  await Promise.all([db?.drop(), broker?.stop()]);
});
beforeEach(async () => {
  await db.prisma.$executeRawUnsafe('TRUNCATE journal_events, projection_positions, popular_items');
});
/** Relay processes and connections a test opened: none outlives its test, even a failed one. */
const children = new Set<ChildProcess>();
const clients = new Set<pg.Client>();
afterEach(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
  for (const client of clients) await client.end().catch(() => undefined);
  clients.clear();
});

interface Event {
  eventId: string;
  type: string;
  aggregateId: string;
  payload: Record<string, unknown>;
  occurredAt: string;
}

const TYPES = ['OrderPlaced', 'OrderPaid', 'ItemPurchased', 'ItemPurchased', 'OrderShipped', 'OrderDelivered'];

/** The `step`-th event of an order: a lifecycle of several types, ItemPurchased as the seed's. */
function event(orderId: string, step: number, day = '2026-11-30'): Event {
  const type = step < TYPES.length ? TYPES[step]! : step % 2 ? 'Refunded' : 'ItemPurchased';
  const vendorId = `v${orderId.charCodeAt(0) % 3}`;
  const productId = `p${(orderId.charCodeAt(1) + step) % 5}`;
  const payload =
    type === 'ItemPurchased'
      ? { orderId, step, productId, vendorId, name: `Product ${productId}`, quantity: 1 + (step % 3), day }
      : { orderId, step };
  return {
    eventId: `${type}:${orderId}:${step}`,
    type,
    aggregateId: orderId,
    payload,
    occurredAt: `${day}T12:00:${String(step % 60).padStart(2, '0')}.000Z`,
  };
}

/** `perOrder` events for each of `orders` orders, interleaved, in `chunk`-sized transactions. */
async function appendBacklog(orders: number, perOrder: number, chunk = 500, from = 0): Promise<Event[]> {
  const ids = Array.from({ length: orders }, () => randomUUID());
  const events: Event[] = [];
  for (let step = from; step < from + perOrder; step++) for (const id of ids) events.push(event(id, step));
  for (let i = 0; i < events.length; i += chunk) await append(db.prisma, events.slice(i, i + chunk));
  return events;
}

/** One transaction of journal writes (the journal store's types are the lead's; any type is published). */
async function append(prisma: PrismaClient, events: Event[]): Promise<void> {
  await prisma.journalEvent.createMany({
    data: events.map((e) => ({ ...e, payload: e.payload as object, occurredAt: new Date(e.occurredAt) })),
  });
}

/** Each order's event ids in journal order (tx_id, seq), and every id. */
async function journalOrder(): Promise<{ perOrder: Map<string, string[]>; ids: Set<string> }> {
  const rows = await db.prisma.$queryRaw<{ event_id: string; aggregate_id: string }[]>`
    SELECT event_id, aggregate_id FROM journal_events ORDER BY tx_id, seq`;
  const perOrder = new Map<string, string[]>();
  for (const r of rows) perOrder.set(r.aggregate_id, [...(perOrder.get(r.aggregate_id) ?? []), r.event_id]);
  return { perOrder, ids: new Set(rows.map((r) => r.event_id)) };
}

async function position() {
  const [row] = await db.prisma.$queryRaw<{ tx_id: string; seq: string; events: bigint }[]>`
    SELECT tx_id::text AS tx_id, seq::text AS seq, events FROM projection_positions WHERE name = ${KAFKA_RELAY_POSITION}`;
  return row && { txId: BigInt(row.tx_id), seq: BigInt(row.seq), events: Number(row.events) };
}

async function journalEnd() {
  const [row] = await db.prisma.$queryRaw<{ tx_id: string; seq: string }[]>`
    SELECT j.tx_id::text AS tx_id, j.seq::text AS seq FROM journal_events j ORDER BY j.tx_id DESC, j.seq DESC LIMIT 1`;
  return { txId: BigInt(row!.tx_id), seq: BigInt(row!.seq) };
}

/**
 * The at-least-once contract, checked on everything read back: every journal event is there;
 * copies of an event are the same message; an order's events share one partition, and their first
 * deliveries come in journal order. Returns how many messages there were.
 */
async function expectEveryEventOnce(topic: string, messages: TopicMessage[]): Promise<number> {
  const journal = await journalOrder();
  const byId = new Map<string, TopicMessage>();
  const firstPerOrder = new Map<string, string[]>();
  const partitions = new Map<string, Set<number>>();
  for (const m of messages) {
    expect(m.key, topic).toBe(m.event.orderId);
    expect(m.headers[EVENT_ID_HEADER]).toBe(m.event.eventId);
    expect(m.headers[EVENT_TYPE_HEADER]).toBe(m.event.type);
    partitions.set(m.key, (partitions.get(m.key) ?? new Set()).add(m.partition));
    const first = byId.get(m.event.eventId);
    if (first) {
      expect(m.value, `a copy of ${m.event.eventId} differs`).toBe(first.value);
      continue;
    }
    byId.set(m.event.eventId, m);
    firstPerOrder.set(m.key, [...(firstPerOrder.get(m.key) ?? []), m.event.eventId]);
  }
  expect(new Set(byId.keys())).toEqual(journal.ids);
  for (const [, parts] of partitions) expect(parts.size).toBe(1);
  expect(firstPerOrder).toEqual(journal.perOrder);
  return messages.length;
}

const newTopic = () => `test.order-events.${randomUUID().slice(0, 8)}`;

async function catchUp(relay: ReturnType<typeof createKafkaRelay>, limit: number): Promise<number> {
  let total = 0;
  for (let applied = -1; applied !== 0; total += applied) ({ applied } = await relay.runBatch(limit));
  return total;
}

describe('Kafka relay', () => {
  it('publishes every journal event, keyed by order, in journal order per order, with its event id', async () => {
    const topic = newTopic();
    const relay = createKafkaRelay({ prisma: db.prisma, brokers: [broker.brokers], topic });
    try {
      // Orders interleaved across transactions, so an order's events are spread over the journal.
      const events = await appendBacklog(8, 7, 5);
      expect(await catchUp(relay, 10)).toBe(56);
      const messages = await readTopic(broker.kafka, topic);
      expect(await expectEveryEventOnce(topic, messages)).toBe(56); // no copies when nothing failed

      const admin = broker.kafka.admin();
      await admin.connect();
      const [meta] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
      await admin.disconnect();
      expect(meta!.partitions).toHaveLength(6);
      expect(new Set(messages.map((m) => m.partition)).size).toBeGreaterThan(1);

      // The value is the documented shape, payload as journaled.
      const sent = events.find((e) => e.type === 'ItemPurchased')!;
      const got = messages.find((m) => m.event.eventId === sent.eventId)!;
      expect(JSON.parse(got.value)).toEqual({
        eventId: sent.eventId,
        type: 'ItemPurchased',
        orderId: sent.aggregateId,
        occurredAt: sent.occurredAt,
        seq: expect.stringMatching(/^\d+$/),
        payload: sent.payload,
      });

      const end = await journalEnd();
      expect(await position()).toEqual({ ...end, events: 56 });
      // Caught up: nothing to do, nothing published again.
      expect(await relay.runBatch(10)).toEqual({ applied: 0 });
      await append(db.prisma, [event(events[0]!.aggregateId, 7)]);
      expect(await catchUp(relay, 10)).toBe(1);
      expect(await topicSize(broker.kafka, topic)).toBe(57);
    } finally {
      await relay.close?.();
    }
  });

  it('is built from config when KAFKA_BROKERS is set and Kafka is not off', async () => {
    const env = (vars: Record<string, string>) => ({
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'kafka-config-')),
      ...vars,
    });
    expect(loadConfig(env({})).kafka).toEqual({ enabled: true, brokers: undefined, brokerPort: 59092 });
    expect(kafkaRelayFromConfig(loadConfig(env({})), db.prisma)).toBeUndefined();
    expect(kafkaRelayFromConfig(loadConfig(env({ KAFKA: 'off', KAFKA_BROKERS: broker.brokers })), db.prisma)).toBe(
      undefined,
    );
    expect(loadConfig(env({ KAFKA_BROKERS: ' a.example:9092 , 127.0.0.1:9093', KAFKA_PORT: '9999' })).kafka).toEqual({
      enabled: true,
      brokers: ['a.example:9092', '127.0.0.1:9093'],
      brokerPort: 9999,
    });
    expect(() => loadConfig(env({ KAFKA_BROKERS: 'kafka', KAFKA: 'maybe' }))).toThrow(
      /KAFKA: must be one of on, off[\s\S]*KAFKA_BROKERS: must be host:port/,
    );

    const relay = kafkaRelayFromConfig(loadConfig(env({ KAFKA_BROKERS: broker.brokers })), db.prisma)!;
    try {
      const [sent] = await appendBacklog(1, 1);
      expect(await relay.runBatch(10)).toEqual({ applied: 1 });
      const messages = await readTopic(broker.kafka, ORDER_EVENTS_TOPIC);
      expect(messages.map((m) => m.event.eventId)).toContain(sent!.eventId);
    } finally {
      await relay.close?.();
    }
  });

  it('keeps journal order where transaction ids grow a digit (999 before 1000, not after)', async () => {
    const topic = newTopic();
    // Transaction ids are cluster-wide: spend them (subtransactions that write) up to just below
    // the next power of ten, then journal one order's events one transaction each across it.
    const [{ xid } = { xid: '0' }] = await db.prisma.$queryRaw<
      { xid: string }[]
    >`SELECT pg_current_xact_id()::text AS xid`;
    const boundary = 10n ** BigInt(xid.length);
    const spend = Number(boundary - BigInt(xid)) - 12;
    await db.prisma.$executeRawUnsafe(`
      DO $$ BEGIN
        CREATE TEMP TABLE spent (i int);
        FOR i IN 1..${Math.max(spend, 0)} LOOP
          BEGIN INSERT INTO spent VALUES (i); EXCEPTION WHEN OTHERS THEN NULL; END;
        END LOOP;
        DROP TABLE spent;
      END $$`);
    const orderId = randomUUID();
    const txIds: bigint[] = [];
    for (let step = 0; txIds.length === 0 || txIds.at(-1)! < boundary + 2n; step++) {
      await append(db.prisma, [event(orderId, step)]);
      const [row] = await db.prisma.$queryRaw<{ t: string }[]>`
        SELECT tx_id::text AS t FROM journal_events WHERE event_id = ${event(orderId, step).eventId}`;
      txIds.push(BigInt(row!.t));
    }
    expect(txIds.some((t) => t < boundary)).toBe(true);
    const relay = createKafkaRelay({ prisma: db.prisma, brokers: [broker.brokers], topic });
    try {
      expect(await catchUp(relay, 2)).toBe(txIds.length);
    } finally {
      await relay.close?.();
    }
    expect(await expectEveryEventOnce(topic, await readTopic(broker.kafka, topic))).toBe(txIds.length);
    expect(await position()).toEqual({ ...(await journalEnd()), events: txIds.length });
  });

  it('loses nothing when the relay process is killed mid-backlog; a restart duplicates only with the same id', async () => {
    const topic = newTopic();
    const batch = 250;
    const N = 10_000;
    await appendBacklog(400, N / 400);
    // A backend notices its client died while it waits on a lock (the killed relay's last UPDATE).
    const dbName = new URL(db.url).pathname.slice(1);
    await db.prisma.$executeRawUnsafe(`ALTER DATABASE "${dbName}" SET client_connection_check_interval = '50ms'`);

    const runRelayProcess = () => {
      let output = '';
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/kafka-relay-process.ts'], {
        env: {
          ...process.env,
          DATABASE_URL: db.url,
          KAFKA_BROKERS: broker.brokers,
          RELAY_TOPIC: topic,
          RELAY_BATCH: String(batch),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.add(child);
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      const exited = new Promise<string>((resolve) =>
        child.once('exit', (code, sig) => resolve(sig ?? `code ${code}`)),
      );
      return { child, exited, output: () => output };
    };
    const waitForTopic = async (atLeast: number, relay: ReturnType<typeof runRelayProcess>) => {
      const deadline = Date.now() + 30_000;
      while ((await topicSize(broker.kafka, topic)) < atLeast) {
        if (relay.child.exitCode !== null || Date.now() > deadline)
          throw new Error(`the topic never reached ${atLeast} messages:\n${relay.output()}`);
        await sleep(10);
      }
    };

    // 1. Killed wherever it is, a few batches into the backlog.
    const first = runRelayProcess();
    await waitForTopic(2 * batch, first);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    expect(first.output()).not.toContain('published 0'); // it was still at work
    const afterFirst = await position();
    const onTopic = await topicSize(broker.kafka, topic);
    expect(onTopic).toBeLessThan(N);
    expect(onTopic).toBeGreaterThanOrEqual(afterFirst?.events ?? 0); // never moved past what it published

    // 2. Killed for sure between publishing a batch and moving its position: the row is held.
    const holder = new pg.Client({ connectionString: db.url });
    clients.add(holder);
    holder.on('error', () => undefined);
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM projection_positions WHERE name = $1 FOR UPDATE', [KAFKA_RELAY_POSITION]);
    const second = runRelayProcess();
    await waitForTopic(onTopic + batch, second);
    await sleep(200);
    expect(second.child.exitCode).toBeNull(); // published, and waiting to move the position
    second.child.kill('SIGKILL');
    expect(await second.exited).toBe('SIGKILL');
    for (let i = 0; i < 100; i++) {
      const { rows } = await holder.query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
      );
      if (rows[0].n === 0) break;
      await sleep(50);
    }
    await holder.query('ROLLBACK');
    expect(await position()).toEqual(afterFirst);

    // 3. A fresh relay resumes from the stored position.
    const third = runRelayProcess();
    expect(await third.exited, third.output()).toBe('code 0');
    expect(third.output()).toContain('published 0');

    const messages = await readTopic(broker.kafka, topic);
    const total = await expectEveryEventOnce(topic, messages);
    expect(total).toBeGreaterThanOrEqual(N + batch); // the second relay's batch went out twice
    expect(total).toBeLessThanOrEqual(N + 2 * batch); // resumed, not started over
    expect(await position()).toEqual({ ...(await journalEnd()), events: N });
  });

  it('never moves the stored position back when relays race, and loses nothing', async () => {
    const topic = newTopic();
    await appendBacklog(50, 10);
    // Relay A stops right before moving its position, after publishing its batch.
    let open!: () => void;
    let reached!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const atGate = new Promise<void>((resolve) => (reached = resolve));
    const gated = new Proxy(db.prisma, {
      get(target, prop) {
        if (prop === '$executeRaw')
          return async (sql: TemplateStringsArray, ...values: unknown[]) => {
            if (sql.join('?').includes('UPDATE projection_positions')) {
              reached();
              await gate;
            }
            return target.$executeRaw(sql, ...values);
          };
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const relays = [
      createKafkaRelay({ prisma: gated, brokers: [broker.brokers], topic }),
      createKafkaRelay({ prisma: db.prisma, brokers: [broker.brokers], topic }),
      createKafkaRelay({ prisma: db.prisma, brokers: [broker.brokers], topic }),
    ];
    try {
      const slow = relays[0]!.runBatch(100);
      await atGate;
      expect(await topicSize(broker.kafka, topic)).toBe(100);
      expect(await catchUp(relays[1]!, 100)).toBe(500);
      const end = await journalEnd();
      expect(await position()).toEqual({ ...end, events: 500 });
      open();
      expect(await slow).toEqual({ applied: 100 });
      expect(await position()).toEqual({ ...end, events: 500 }); // not back to event 100

      // Two relays at full speed while orders keep writing: the position only goes forward.
      const seen: { txId: bigint; seq: bigint }[] = [];
      let writing = true;
      const sampler = (async () => {
        while (writing) {
          const p = await position();
          if (p) seen.push(p);
          await sleep(5);
        }
      })();
      const writer = (async () => {
        for (let i = 0; i < 10; i++) await appendBacklog(20, 10, 50, 10 + i * 10);
      })();
      let written = false;
      const racers = [relays[1]!, relays[2]!].map(async (relay) => {
        for (;;) {
          const done = written; // read before the batch: caught up after the last write means done
          if ((await relay.runBatch(37)).applied > 0) continue;
          if (done) return;
          await sleep(10);
        }
      });
      await writer;
      written = true;
      await Promise.all(racers);
      writing = false;
      await sampler;

      for (let i = 1; i < seen.length; i++) {
        const [a, b] = [seen[i - 1]!, seen[i]!];
        expect(b.txId > a.txId || (b.txId === a.txId && b.seq >= a.seq), `position moved back at sample ${i}`).toBe(
          true,
        );
      }
      expect(await position()).toEqual({ ...(await journalEnd()), events: 2_500 });
      await expectEveryEventOnce(topic, await readTopic(broker.kafka, topic));
    } finally {
      open();
      await Promise.all(relays.map((r) => r.close?.()));
    }
  });

  it('lets a consumer that de-duplicates by event id rebuild the popular items the projector counts', async () => {
    const topic = newTopic();
    const days = ['2026-11-28', '2026-11-29', '2026-11-30'];
    for (const [i, day] of days.entries()) {
      const orders = Array.from({ length: 15 }, () => randomUUID());
      await append(
        db.prisma,
        orders.flatMap((id) => Array.from({ length: 6 + i }, (_, step) => event(id, step, day))),
      );
    }
    const relay = createKafkaRelay({ prisma: db.prisma, brokers: [broker.brokers], topic });
    try {
      await catchUp(relay, 40);
      // As if the relay had died before moving its position: everything goes out a second time.
      await db.prisma
        .$executeRaw`UPDATE projection_positions SET tx_id = '0', seq = 0 WHERE name = ${KAFKA_RELAY_POSITION}`;
      await catchUp(relay, 40);
    } finally {
      await relay.close?.();
    }
    const total = await topicSize(broker.kafka, topic);
    const [{ n } = { n: 0 }] = await db.prisma.$queryRaw<
      { n: number }[]
    >`SELECT count(*)::int AS n FROM journal_events`;
    expect(total).toBe(2 * n);

    // The consumer rule: the event id is recorded in the same transaction as the effect.
    await db.prisma.$executeRawUnsafe('CREATE TABLE consumer_processed (event_id text PRIMARY KEY)');
    await db.prisma.$executeRawUnsafe(`
      CREATE TABLE consumer_popular (vendor_id text, product_id text, day date, quantity int NOT NULL,
        PRIMARY KEY (vendor_id, product_id, day))`);
    const consumer = broker.kafka.consumer({ groupId: `popular-items-${randomUUID()}`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let consumed = 0;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`consumed ${consumed} of ${total}`)), 30_000);
      void consumer
        .run({
          eachMessage: async ({ message }) => {
            const e = parseOrderEvent(message.value);
            await db.prisma.$transaction(async (tx) => {
              const fresh = await tx.$executeRaw`
                INSERT INTO consumer_processed (event_id) VALUES (${e.eventId}) ON CONFLICT DO NOTHING`;
              if (fresh === 0 || e.type !== 'ItemPurchased') return;
              const p = e.payload as { vendorId: string; productId: string; day: string; quantity: number };
              await tx.$executeRaw`
                INSERT INTO consumer_popular (vendor_id, product_id, day, quantity)
                VALUES (${p.vendorId}, ${p.productId}, ${p.day}::date, ${p.quantity})
                ON CONFLICT (vendor_id, product_id, day) DO UPDATE SET quantity = consumer_popular.quantity + EXCLUDED.quantity`;
            });
            if (++consumed === total) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();

    while ((await projectBatch(db.prisma, popularItems, 25)).applied > 0);
    const table = async (name: string) =>
      Object.fromEntries(
        (
          await db.prisma.$queryRawUnsafe<{ k: string; quantity: number }[]>(
            `SELECT vendor_id || '|' || product_id || '|' || day::text AS k, quantity FROM ${name}`,
          )
        ).map((r) => [r.k, r.quantity]),
      );
    const projected = await table('popular_items');
    expect(Object.keys(projected).length).toBeGreaterThan(5);
    expect(await table('consumer_popular')).toEqual(projected);
  });
});
