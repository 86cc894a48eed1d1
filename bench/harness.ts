/**
 * The real stack for benchmarks, in one process: embedded PostgreSQL (migrated, seeded), a Temporal
 * dev server (the CLI), the worker and the API on a real port. Nothing is mocked.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { unlimited } from '../test/helpers/limits.js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { type WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { baselineActivities } from './baseline.activities.js';
import { seedCatalog } from '../prisma/seed.js';
import { buildApp } from '../src/api/app.js';
import { encryptingDataConverter } from '../src/codec/data-converter.js';
import { loadConfig, type Config } from '../src/config.js';
import { migrateDatabase } from '../src/db/migrate.js';
import { createPrisma, type PrismaClient } from '../src/db/prisma.js';
import { startEmbeddedPostgres } from '../src/dev/embedded-postgres.js';
import { ensureTemporalCli } from '../src/dev/temporal-cli.js';
import { startTemporalDevServer } from '../src/dev/temporal-dev-server.js';
import { createWorker } from '../src/worker/create-worker.js';
import { freePort } from '../src/dev/ports.js';
import { createPaymentProvider } from '../src/payments/index.js';

Runtime.install({ logger: new DefaultLogger('ERROR') });

export interface BenchStack {
  url: string;
  config: Config;
  prisma: PrismaClient;
  client: Client;
  nativeConnection: NativeConnection;
  /** Starts a worker with every project workflow on the app's task queue (stop it with shutdown()). */
  startWorker(): Promise<{ worker: Worker; done: Promise<void> }>;
  close(): Promise<void>;
}

export async function startBenchStack(env: Record<string, string> = {}): Promise<BenchStack> {
  const root = await mkdtemp(path.join(tmpdir(), 'bench-'));
  await chmod(root, 0o755);
  const [pgPort, temporalPort, uiPort] = [await freePort(), await freePort(), await freePort()];
  const pg = await startEmbeddedPostgres({
    dir: path.join(root, 'pg'),
    port: pgPort,
    user: 'postgres',
    password: 'postgres',
    database: 'bench',
    logFile: path.join(root, 'pg.log'),
  });
  await migrateDatabase(pg.url);
  const cliPath = await ensureTemporalCli(process.env.TEMPORAL_CLI_PATH || undefined, console.log);
  const temporal = await startTemporalDevServer({
    cliPath,
    ip: '127.0.0.1',
    port: temporalPort,
    uiPort,
    namespace: 'default',
    dbFile: path.join(root, 'temporal.sqlite'),
    logFile: path.join(root, 'temporal.log'),
    pidFile: path.join(root, 'temporal.pid'),
  });
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: pg.url,
    TEMPORAL_ADDRESS: temporal.address,
    ADMIN_TOKEN: 'bench-admin-token-0123456789',
    DATA_DIR: root,
    // One load generator is every shopper here.
    ...unlimited,
    ...env,
  });
  const prisma = createPrisma(pg.url, 10);
  await seedCatalog(prisma);
  const connection = await Connection.connect({ address: temporal.address });
  const dataConverter = encryptingDataConverter(config.security.payloadKeys);
  const client = new Client({ connection, dataConverter });
  const nativeConnection = await NativeConnection.connect({ address: temporal.address });
  const app = await buildApp(
    { config, prisma, temporal: { client, connection }, payments: createPaymentProvider(config, prisma) },
    { logger: false },
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;

  return {
    url,
    config,
    prisma,
    client,
    nativeConnection,
    async startWorker() {
      const worker = await createWorker({
        connection: nativeConnection,
        namespace: 'default',
        taskQueue: config.temporal.taskQueue,
        deps: { prisma, payments: createPaymentProvider(config, prisma) },
        dataConverter,
      });
      return { worker, done: worker.run() };
    },
    async close() {
      await app.close();
      await connection.close();
      await nativeConnection.close();
      await prisma.$disconnect();
      await temporal.stop();
      await pg.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

export interface Summary {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  mean: number;
}

/** Percentiles (nearest rank) of millisecond samples, rounded to 0.01 ms. */
export function summarize(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    n: sorted.length,
    p50: round(at(50)),
    p90: round(at(90)),
    p99: round(at(99)),
    mean: round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
  };
}

/** Times `fn` once, in milliseconds. */
export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** What the numbers were measured on. */
export function machine(): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}`;
}

/**
 * Writes a benchmark's results: the raw numbers to bench/results/<name>.json, and its markdown in
 * BENCHMARKS.md between `<!-- <name>:start -->` and `<!-- <name>:end -->`, formatted as the
 * project's format check expects.
 */
export function writeResults(name: string, report: unknown, markdown: string): void {
  const results = new URL('./results/', import.meta.url);
  mkdirSync(results, { recursive: true });
  writeFileSync(new URL(`${name}.json`, results), `${JSON.stringify(report, null, 2)}\n`);
  const file = new URL('../BENCHMARKS.md', import.meta.url);
  const section = new RegExp(`<!-- ${name}:start -->[\\s\\S]*<!-- ${name}:end -->`);
  writeFileSync(
    file,
    readFileSync(file, 'utf8').replace(section, `<!-- ${name}:start -->\n${markdown}\n<!-- ${name}:end -->`),
  );
  execFileSync(process.execPath, [
    'node_modules/prettier/bin/prettier.cjs',
    '--write',
    '--log-level',
    'warn',
    'BENCHMARKS.md',
    `bench/results/${name}.json`,
  ]);
}

/**
 * The baseline every figure is divided by: a worker for bench/baseline.workflows.ts on its own task
 * queue, with one long-running counter workflow to send bare updates to.
 */
export async function startBaseline(stack: BenchStack): Promise<{
  queue: string;
  counter: WorkflowHandle;
  stop(): Promise<void>;
}> {
  const queue = `bench-baseline-${randomUUID()}`;
  const worker = await Worker.create({
    connection: stack.nativeConnection,
    taskQueue: queue,
    workflowsPath: fileURLToPath(new URL('./baseline.workflows.ts', import.meta.url)),
    activities: baselineActivities,
  });
  const running = worker.run();
  const counter = await stack.client.workflow.start('baselineWorkflow', {
    taskQueue: queue,
    workflowId: `baseline-${randomUUID()}`,
  });
  return {
    queue,
    counter,
    async stop() {
      await counter.terminate('benchmark done');
      worker.shutdown();
      await running;
    },
  };
}

/** The load generator's one shopper session (carts belong to the session that made them). */
const jar: { cookie?: string } = {};

/** A JSON request to the app (a fresh Idempotency-Key on each with a body); throws unless 2xx. */
export async function httpJson(stack: BenchStack, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${stack.url}${path}`, {
    method,
    headers: {
      ...(body ? { 'content-type': 'application/json', 'idempotency-key': randomUUID() } : {}),
      ...(jar.cookie ? { cookie: jar.cookie } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const session = res.headers.getSetCookie().find((c) => c.startsWith('sid='));
  if (session) jar.cookie = session.split(';')[0];
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** A new cart of the load generator's session. */
export async function newCart(stack: BenchStack): Promise<string> {
  return ((await httpJson(stack, 'POST', '/api/carts')) as { id: string }).id;
}
