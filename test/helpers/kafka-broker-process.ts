/**
 * Starts a Kafka broker in KAFKA_DIR and waits, as `npm start` does: a test kills this process
 * (SIGKILL) to check that the broker does not outlive it.
 */
import { startKafkaBroker } from '../../src/dev/kafka-broker.js';

const broker = await startKafkaBroker({ dir: process.env.KAFKA_DIR! });
console.log(`ready ${broker.brokers}`);
await new Promise(() => undefined);
