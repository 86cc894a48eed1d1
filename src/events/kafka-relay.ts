/**
 * The journal's events on Kafka, at least once: a relay (a Drain, run batch after batch by the
 * singleton workflow `projector-kafka-relay`) reads the journal after its stored position, publishes
 * the batch to `shop.order-events` keyed by order id, and moves its position only once the broker has
 * acknowledged every message (acks from all in-sync replicas).
 *
 * - Nothing is lost: the position (projection_positions row `kafka-relay`) only moves past events the
 *   broker holds, and the journal reader never skips a committed event (src/db/journal-reader.ts).
 * - Order per order: one order's events share a key, so a partition; each batch goes out in journal
 *   order through an idempotent producer with one request in flight, so a retry cannot reorder them.
 * - Duplicates are possible: a relay that dies after publishing and before moving its position, or
 *   two relays racing, publish some events again, with the same event id. Consumers de-duplicate by
 *   `eventId`: record the ids they have processed in the same transaction as the effect, and skip an
 *   event whose id is there (in a partition, a copy always comes after the event's first delivery).
 * - The position only ever moves forward, so a slow relay finishing late cannot move it back.
 * - No database transaction is held open while publishing: a transaction open for a broker's round
 *   trips would hold back every journal reader (they stop at the oldest running transaction).
 */
import { Kafka, logLevel, Partitioners, type LogEntry, type Message, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { positionAfter, readJournal, type JournalPosition } from '../db/journal-reader.js';
import type { PrismaClient } from '../db/prisma.js';
import type { Drain } from '../drains/drain.js';
import { ORDER_EVENTS_PARTITIONS, ORDER_EVENTS_TOPIC, toKafkaMessage } from './order-events.js';

/** The relay's row in projection_positions. */
export const KAFKA_RELAY_POSITION = 'kafka-relay';

/** A produce request stays well under the broker's default 1 MiB batch limit. */
const MAX_REQUEST_BYTES = 512 * 1024;

export interface KafkaRelayDeps {
  prisma: PrismaClient;
  /** Bootstrap brokers, host:port each (KAFKA_BROKERS). */
  brokers: string[];
  /** Defaults to `shop.order-events`; tests give each case a topic of its own. */
  topic?: string;
  /** Partitions when the relay creates the topic (default 6); an existing topic is left as it is. */
  partitions?: number;
  /** Its row in projection_positions (default `kafka-relay`). */
  positionName?: string;
  clientId?: string;
  /** Where the Kafka client's warnings go; silent without one. */
  logger?: Pick<Logger, 'warn'>;
}

/** The Kafka client's own log lines, as warnings on the worker's logger. */
function kafkaLogs(logger: Pick<Logger, 'warn'> | undefined) {
  return () =>
    ({ namespace, log }: LogEntry) => {
      const { message, ...fields } = log;
      // Retries are bounded on purpose (a failed batch fails the activity, Temporal retries it and
      // the producer is replaced): at-least-once needs no unbounded retries inside one attempt.
      if (!logger || message.startsWith('Limiting retries for the idempotent producer')) return;
      logger.warn({ kafkajs: namespace, ...fields }, message);
    };
}

/** Splits a batch into produce requests of bounded size, keeping the order. */
function requests(messages: Message[]): Message[][] {
  const out: Message[][] = [];
  let current: Message[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = String(m.value).length + String(m.key).length + 100;
    if (current.length > 0 && bytes + size > MAX_REQUEST_BYTES) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(m);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** A relay from the journal to Kafka; connects (and creates the topic when missing) on its first batch. */
export function createKafkaRelay(deps: KafkaRelayDeps): Drain {
  const { prisma } = deps;
  const topic = deps.topic ?? ORDER_EVENTS_TOPIC;
  const name = deps.positionName ?? KAFKA_RELAY_POSITION;
  const kafka = new Kafka({
    clientId: deps.clientId ?? 'order-orchestrator-relay',
    brokers: deps.brokers,
    logLevel: deps.logger ? logLevel.WARN : logLevel.NOTHING,
    logCreator: kafkaLogs(deps.logger),
    connectionTimeout: 3_000,
    // A broker that is away fails the batch within seconds; Temporal retries the activity.
    retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 5_000 },
  });
  let producer: Producer | undefined;
  let topicReady = false;
  let rowReady = false;

  async function ensureTopic(): Promise<void> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const existing = await admin.listTopics();
      if (!existing.includes(topic)) {
        // Two relays starting at once: the loser's "already exists" is what it wanted anyway.
        await admin
          .createTopics({
            topics: [{ topic, numPartitions: deps.partitions ?? ORDER_EVENTS_PARTITIONS }],
            waitForLeaders: true,
          })
          .catch(async (err: unknown) => {
            if (!(await admin.listTopics()).includes(topic)) throw err;
          });
      }
    } finally {
      await admin.disconnect();
    }
  }

  async function connected(): Promise<Producer> {
    if (!topicReady) {
      await ensureTopic();
      topicReady = true;
    }
    if (!producer) {
      const fresh = kafka.producer({
        // Acked batches are written once even when a request is retried, and one request in
        // flight per broker means a retried request cannot overtake the next: journal order holds.
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        // Java's partitioner (murmur2 of the key): other clients agree on an order's partition.
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 5_000 },
      });
      await fresh.connect();
      producer = fresh;
    }
    return producer;
  }

  /** Its row in projection_positions, so /api/analytics/status lists the relay from its first try. */
  async function ensureRow(): Promise<void> {
    if (rowReady) return;
    await prisma.$executeRaw`INSERT INTO projection_positions (name) VALUES (${name}) ON CONFLICT DO NOTHING`;
    rowReady = true;
  }

  async function storedPosition(): Promise<JournalPosition> {
    const [row] = await prisma.$queryRaw<{ tx_id: string; seq: string }[]>`
      SELECT tx_id::text AS tx_id, seq::text AS seq FROM projection_positions WHERE name = ${name}`;
    if (!row) throw new Error(`projection_positions has no row ${name}`);
    return { txId: row.tx_id, seq: row.seq };
  }

  /**
   * Moves the position to `next`, only forward (a relay that raced ahead and already moved it
   * further wins), counting the events passed over, exactly, whoever moved it before.
   */
  async function advance(next: JournalPosition): Promise<void> {
    await prisma.$executeRaw`
      UPDATE projection_positions p
      SET events = p.events + (
            SELECT count(*) FROM journal_events j
            WHERE (j.tx_id, j.seq) > (p.tx_id, p.seq)
              AND (j.tx_id, j.seq) <= (${next.txId}::xid8, ${next.seq}::bigint)),
          tx_id = ${next.txId}::xid8, seq = ${next.seq}::bigint, updated_at = now()
      WHERE p.name = ${name} AND (p.tx_id, p.seq) < (${next.txId}::xid8, ${next.seq}::bigint)`;
  }

  return {
    async runBatch(limit) {
      // The row first: a broker that is away (at the worker's start, say) fails the batch below,
      // and the relay must still be listed, with its lag, by /api/analytics/status meanwhile.
      await ensureRow();
      const out = await connected();
      const position = await storedPosition();
      // Read outside any transaction: nothing stays open while the broker is asked.
      const events = await readJournal(prisma, position, limit);
      if (events.length === 0) return { applied: 0 };
      try {
        for (const messages of requests(events.map(toKafkaMessage))) {
          await out.send({ topic, acks: -1, messages });
        }
      } catch (err) {
        // A producer whose send failed may be out of step with the broker's sequence numbers: the
        // next batch gets a new one (a new producer id), and republishes the whole batch.
        producer = undefined;
        await out.disconnect().catch(() => undefined);
        throw err;
      }
      await advance(positionAfter(position, events));
      return { applied: events.length };
    },
    async close() {
      const current = producer;
      producer = undefined;
      await current?.disconnect();
    },
  };
}

/** The relay the worker runs, from config: undefined when Kafka is off or no broker is configured. */
export function kafkaRelayFromConfig(
  config: Pick<Config, 'kafka'>,
  prisma: PrismaClient,
  logger?: Pick<Logger, 'warn'>,
): Drain | undefined {
  if (!config.kafka.enabled || !config.kafka.brokers) return undefined;
  return createKafkaRelay({ prisma, brokers: config.kafka.brokers, logger });
}
