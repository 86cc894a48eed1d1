/**
 * The real stack for the suite, one process per part as `npm start` runs it: embedded PostgreSQL
 * (migrated, seeded) and a Temporal dev server on its SQLite file, then the worker (src/worker.ts)
 * and the API (src/api/server.ts) as child processes, a baseline worker (bench/lib/baseline-worker.ts)
 * and the open-loop load generator (bench/lib/loadgen.ts) in processes of their own. This process
 * only orchestrates: it prepares data, restarts the worker, reads PostgreSQL and histories.
 */
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { seedCatalog } from '../../prisma/seed.js';
import { encryptingDataConverter } from '../../src/codec/data-converter.js';
import { DEFAULT_SQLITE_PRAGMAS, loadConfig, sqlitePragmas } from '../../src/config.js';
import { migrateDatabase } from '../../src/db/migrate.js';
import { createPrisma, type PrismaClient } from '../../src/db/prisma.js';
import { startEmbeddedPostgres } from '../../src/dev/embedded-postgres.js';
import { freePort } from '../../src/dev/ports.js';
import { ensureTemporalCli } from '../../src/dev/temporal-cli.js';
import { startTemporalDevServer } from '../../src/dev/temporal-dev-server.js';
import { workflowsPath } from '../../src/worker/create-worker.js';
import { unlimited } from '../../test/helpers/limits.js';
import type { LoadPlan, LoadResult } from './load-plan.js';
import { startNodeProcess, type NodeProcess } from './processes.js';

const src = (p: string) => fileURLToPath(new URL(`../../src/${p}`, import.meta.url));
const here = (p: string) => fileURLToPath(new URL(`./${p}`, import.meta.url));

export interface Stack {
  /** The API's base URL. */
  url: string;
  temporalAddress: string;
  /** The dev server's Prometheus endpoint. */
  temporalMetricsUrl: string;
  /** The worker's Prometheus endpoint (the SDK's metrics: cache size, task latencies). */
  workerMetricsUrl: string;
  taskQueue: string;
  baselineQueue: string;
  /** PostgreSQL, for preparing data and checking outcomes (never on a measured path). */
  prisma: PrismaClient;
  /** A client with the stack's data converter (reads histories, fetches carts and orders). */
  client: Client;
  worker: NodeProcess;
  api: NodeProcess;
  /** Stops the worker process and starts a new one (a cold cache), with extra env if given. */
  restartWorker(env?: Record<string, string>): Promise<void>;
  /** Runs one plan on the load generator process. */
  load(plan: LoadPlan): Promise<LoadResult>;
  /** Starts `count` baseline counters (long-running workflows that take bare updates). */
  counters(count: number): Promise<string[]>;
  close(): Promise<void>;
}

/** `profileDir`: the worker and the API write V8 CPU profiles there (`--cpu-prof`) as they exit. */
export async function startStack(log: (line: string) => void, profileDir?: string): Promise<Stack> {
  const nodeArgs = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  const root = await mkdtemp(path.join(tmpdir(), 'bench-'));
  await chmod(root, 0o755); // PostgreSQL runs as user postgres when we are root.
  const ports = await Promise.all(Array.from({ length: 6 }, () => freePort()));
  const [pgPort, temporalPort, uiPort, metricsPort, apiPort, workerMetricsPort] = ports as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const [pg, cliPath, bundle] = await Promise.all([
    startEmbeddedPostgres({
      dir: path.join(root, 'pg'),
      port: pgPort,
      user: 'postgres',
      password: 'postgres',
      database: 'bench',
      logFile: path.join(root, 'pg.log'),
    }),
    ensureTemporalCli(process.env.TEMPORAL_CLI_PATH || undefined, log),
    bundleWorkflowCode({
      workflowsPath,
      logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} },
    }),
  ]);
  const bundlePath = path.join(root, 'workflow-bundle.js');
  await writeFile(bundlePath, bundle.code);
  const [temporal] = await Promise.all([
    startTemporalDevServer({
      cliPath,
      ip: '127.0.0.1',
      port: temporalPort,
      uiPort,
      namespace: 'default',
      dbFile: path.join(root, 'temporal.sqlite'),
      logFile: path.join(root, 'temporal.log'),
      pidFile: path.join(root, 'temporal.pid'),
      // The dev server as `npm start` runs it (its SQLite in WAL mode unless TEMPORAL_SQLITE_PRAGMAS says otherwise).
      extraArgs: [
        '--metrics-port',
        String(metricsPort),
        ...sqlitePragmas(process.env.TEMPORAL_SQLITE_PRAGMAS || DEFAULT_SQLITE_PRAGMAS).flatMap((p) => [
          '--sqlite-pragma',
          p,
        ]),
      ],
    }),
    (async () => {
      await migrateDatabase(pg.url);
      const seeding = createPrisma(pg.url, 2);
      await seedCatalog(seeding);
      await seeding.$disconnect();
    })(),
  ]);

  const taskQueue = 'orders';
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    // Warnings and errors only: the figures are the system's, not its log volume's.
    LOG_LEVEL: 'warn',
    DATABASE_URL: pg.url,
    TEMPORAL_ADDRESS: temporal.address,
    TASK_QUEUE: taskQueue,
    ADMIN_TOKEN: 'bench-admin-token-0123456789',
    // Secrets and payload keys are made once in DATA_DIR and shared by the worker and the API.
    DATA_DIR: root,
    HOST: '127.0.0.1',
    PORT: String(apiPort),
    KAFKA: 'off',
    WORKFLOW_BUNDLE_PATH: bundlePath,
    WORKER_METRICS_ADDRESS: `127.0.0.1:${workerMetricsPort}`,
    // Orders stop at picking: throughput is placement → reserved, nothing after.
    PICKING_DURATION: '1d',
    PAYMENT_TIMEOUT: '1h',
    // One load generator is every shopper here.
    ...unlimited,
  };
  const config = loadConfig(env);
  const baselineQueue = `bench-baseline-${randomUUID()}`;
  let worker = await startNodeProcess(src('worker.ts'), env, nodeArgs);
  const [api, baseline, loadgen] = await Promise.all([
    startNodeProcess(src('api/server.ts'), env, nodeArgs),
    startNodeProcess(here('baseline-worker.ts'), {
      TEMPORAL_ADDRESS: temporal.address,
      BASELINE_TASK_QUEUE: baselineQueue,
    }),
    startNodeProcess(here('loadgen.ts'), {}),
  ]);
  const url = `http://127.0.0.1:${apiPort}`;
  const prisma = createPrisma(pg.url, 20);
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection, dataConverter: encryptingDataConverter(config.security.payloadKeys) });
  const plainClient = new Client({ connection });

  let nextLoad = 0;
  const answers = new Map<number, { resolve(r: LoadResult): void; reject(e: Error): void }>();
  loadgen.child.on('message', (m: { id?: number; result?: LoadResult; error?: string }) => {
    if (m.id === undefined) return;
    const waiting = answers.get(m.id);
    answers.delete(m.id);
    if (m.error) waiting?.reject(new Error(`load generator: ${m.error}`));
    else waiting?.resolve(m.result!);
  });
  const counters: string[] = [];

  return {
    url,
    temporalAddress: temporal.address,
    temporalMetricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    workerMetricsUrl: `http://127.0.0.1:${workerMetricsPort}/metrics`,
    taskQueue,
    baselineQueue,
    prisma,
    client,
    get worker() {
      return worker;
    },
    api,
    async restartWorker(extra = {}) {
      await worker.stop();
      worker = await startNodeProcess(src('worker.ts'), { ...env, ...extra }, nodeArgs);
    },
    load(plan) {
      const id = nextLoad++;
      return new Promise((resolve, reject) => {
        answers.set(id, { resolve, reject });
        loadgen.child.send({ id, plan });
      });
    },
    async counters(count) {
      while (counters.length < count) {
        const workflowId = `baseline-counter-${randomUUID()}`;
        await plainClient.workflow.start('baselineWorkflow', { taskQueue: baselineQueue, workflowId });
        counters.push(workflowId);
      }
      return counters.slice(0, count);
    },
    async close() {
      await Promise.all([loadgen.stop(), api.stop(), worker.stop(), baseline.stop()]);
      await connection.close();
      await prisma.$disconnect();
      await temporal.stop();
      await pg.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}
