/**
 * A real Kafka broker for one test file (started in beforeAll, about 4 s), and reading a topic
 * back whole, as a consumer in a group of its own.
 */
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { ensureKafka, startKafkaBroker, type RunningKafka } from '../../src/dev/kafka-broker.js';
import { parseOrderEvent, type OrderEventMessage } from '../../src/events/order-events.js';

export interface TestKafka extends RunningKafka {
  dir: string;
  kafka: Kafka;
}

export async function startTestKafka(): Promise<TestKafka> {
  const libsDir = await ensureKafka((line) => console.log(line));
  const dir = await mkdtemp(path.join(tmpdir(), 'kafka-test-'));
  await chmod(dir, 0o755);
  const broker = await startKafkaBroker({ dir, libsDir });
  return {
    ...broker,
    dir,
    kafka: new Kafka({ clientId: 'test', brokers: [broker.brokers], logLevel: logLevel.NOTHING }),
    async stop() {
      await broker.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface TopicMessage {
  partition: number;
  offset: number;
  key: string;
  headers: Record<string, string>;
  value: string;
  event: OrderEventMessage;
}

/** Messages on the topic now (the sum of its partitions' end offsets); 0 before it exists. */
export async function topicSize(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        if (!(await admin.listTopics()).includes(topic)) return 0;
        return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
      } catch (err) {
        // A topic created a moment ago may not have its leaders known yet ("not the leader").
        if (!(err as { retriable?: boolean }).retriable || attempt >= 50) throw err;
        await sleep(100);
      }
    }
  } finally {
    await admin.disconnect();
  }
}

/** Every message on the topic, in partition then offset order, read by a kafkajs consumer. */
export async function readTopic(kafka: Kafka, topic: string): Promise<TopicMessage[]> {
  const total = await topicSize(kafka, topic);
  const out: TopicMessage[] = [];
  if (total === 0) return out;
  const consumer = kafka.consumer({ groupId: `test-reader-${randomUUID()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${out.length} of ${total} messages of ${topic}`)), 30_000);
      void consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
            out.push({
              partition,
              offset: Number(message.offset),
              key: String(message.key),
              headers,
              value: String(message.value),
              event: parseOrderEvent(message.value),
            });
            if (out.length >= total) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return out.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}
