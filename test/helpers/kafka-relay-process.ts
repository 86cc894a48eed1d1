/**
 * The Kafka relay in a process of its own, so a test can kill it for real (SIGKILL) mid-backlog:
 * it runs batches until the journal is caught up, printing `published <n>` after each.
 * Env: DATABASE_URL, KAFKA_BROKERS, RELAY_TOPIC, RELAY_BATCH.
 */
import { createPrisma } from '../../src/db/prisma.js';
import { createKafkaRelay } from '../../src/events/kafka-relay.js';

const prisma = createPrisma(process.env.DATABASE_URL!, 2);
const relay = createKafkaRelay({
  prisma,
  brokers: process.env.KAFKA_BROKERS!.split(','),
  topic: process.env.RELAY_TOPIC,
});
const batch = Number(process.env.RELAY_BATCH ?? 200);
for (;;) {
  const { applied } = await relay.runBatch(batch);
  console.log(`published ${applied}`);
  if (applied === 0) break;
}
await relay.close?.();
await prisma.$disconnect();
