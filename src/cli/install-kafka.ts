/** `npm run tools:kafka`: makes sure the Kafka broker's jars are in .tools/kafka (CI and fresh machines run this). */
import { ensureKafka, KAFKA_VERSION } from '../dev/kafka-broker.js';

try {
  const libs = await ensureKafka((line) => console.log(line));
  console.log(`Kafka broker ready: ${libs} (Apache Kafka ${KAFKA_VERSION})`);
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
