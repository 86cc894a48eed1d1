/** The Temporal worker process: `npm run worker`. Runs every workflow and activity of the project. */
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { encryptingDataConverter } from './codec/data-converter.js';
import { loadConfigOrExit } from './config.js';
import { createPrisma } from './db/prisma.js';
import { readModelDrains } from './drains/read-model-drains.js';
import { createNudger, ensureDrainWorkflows, KAFKA_RELAY_DRAIN, NOTIFICATIONS_DRAIN } from './drains/singletons.js';
import { kafkaRelayFromConfig } from './events/kafka-relay.js';
import { notificationSenderFromConfig } from './notifications/index.js';
import { createLogger } from './logger.js';
import { installWorkerRuntime } from './observability/worker-runtime.js';
import { createWorker } from './worker/create-worker.js';
import { createPaymentProvider } from './payments/index.js';

const config = loadConfigOrExit();
const log = createLogger(config, 'worker');
// Workflow and activity logs as JSON at LOG_LEVEL (with orderId/cartId/sku), the SDK's own from WARN;
// the SDK's metrics on a Prometheus endpoint.
const metricsUrl = installWorkerRuntime({
  log,
  metricsAddress: config.metrics.workerAddress,
  // The SDK drains in-flight tasks on these signals; `disconnect` below covers a vanished parent.
  shutdownSignals: ['SIGINT', 'SIGTERM'],
});

async function connect(): Promise<NativeConnection> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await NativeConnection.connect({ address: config.temporal.address });
    } catch (err) {
      const delay = Math.min(30_000, 500 * 2 ** Math.min(attempt, 6));
      log.warn(
        { address: config.temporal.address, attempt, err: (err as Error).message },
        `Temporal not reachable; retrying in ${delay} ms`,
      );
      await sleep(delay);
    }
  }
}

const prisma = createPrisma(config.databaseUrl);
const connection = await connect();
const dataConverter = encryptingDataConverter(config.security.payloadKeys);
// The worker's own client: it starts the drains' singleton workflows and nudges them.
const clientConnection = Connection.lazy({ address: config.temporal.address });
const client = new Client({ connection: clientConnection, namespace: config.temporal.namespace, dataConverter });
// Read models always; the Kafka relay when a broker is configured; the mail sender always (without
// SMTP_URL it sends nothing and the rows wait in the outbox).
const drains = readModelDrains(prisma);
const relay = kafkaRelayFromConfig(config, prisma, log);
if (relay) drains.set(KAFKA_RELAY_DRAIN, relay);
drains.set(NOTIFICATIONS_DRAIN, notificationSenderFromConfig(config, { prisma, logger: log }));
const worker = await createWorker({
  connection,
  namespace: config.temporal.namespace,
  taskQueue: config.temporal.taskQueue,
  deps: {
    prisma,
    payments: createPaymentProvider(config, prisma),
    drains,
    nudge: createNudger(client, [...drains.keys()]),
  },
  dataConverter,
  workflowBundlePath: process.env.WORKFLOW_BUNDLE_PATH || undefined,
  workflowStackTraces: config.temporal.workflowStackTraces,
  // The SDK sizes its workflow cache from the heap unless told; the benchmarks set it explicitly.
  overrides: process.env.WORKER_MAX_CACHED_WORKFLOWS
    ? { maxCachedWorkflows: Number(process.env.WORKER_MAX_CACHED_WORKFLOWS) }
    : undefined,
});

// Started by `npm start`: stop when the supervisor goes away, whatever the way it went. The channel
// itself must not keep a finished process alive.
process.channel?.unref();
process.on('disconnect', () => {
  if (worker.getState() === 'RUNNING') worker.shutdown();
});

log.info(
  {
    taskQueue: config.temporal.taskQueue,
    namespace: config.temporal.namespace,
    address: config.temporal.address,
    metrics: metricsUrl ?? null,
  },
  'worker started',
);
// The supervisor (or the benchmarks) may ask where the process's memory is: the main thread's V8
// heap against the rest (the workflow thread's isolate, Core's native cache of runs).
process.on('message', (m: { type?: string }) => {
  if (m?.type === 'memory') process.send?.({ type: 'memory', usage: process.memoryUsage() });
});
process.send?.({ type: 'ready' });
/** The drains this worker runs: started once it polls (a no-op for those already running). */
async function startDrains() {
  for (let attempt = 1; worker.getState() === 'RUNNING' || worker.getState() === 'INITIALIZED'; attempt++) {
    try {
      await ensureDrainWorkflows(client, config.temporal.taskQueue, [...drains.keys()]);
      log.info({ drains: [...drains.keys()] }, 'drains running');
      return;
    } catch (err) {
      log.warn({ err: (err as Error).message, attempt }, 'could not start the drains yet; retrying');
      await sleep(Math.min(30_000, 1_000 * attempt));
    }
  }
}
void startDrains();
try {
  await worker.run();
} finally {
  await Promise.all([...drains.values()].map((d) => d.close?.()));
  await clientConnection.close();
  await connection.close();
  await prisma.$disconnect();
  log.info('worker stopped');
}
