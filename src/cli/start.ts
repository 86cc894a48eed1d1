/**
 * `npm start`: the whole system on one machine with embedded defaults. Starts PostgreSQL (embedded,
 * unless DATABASE_URL is set), applies migrations and seeds the catalog, starts a Temporal dev server
 * with its Web UI (unless TEMPORAL_ADDRESS is set), then runs the worker and the API as separate
 * processes. Whichever of the four dies is logged and restarted with backoff while the others carry
 * on. Ctrl-C stops everything, newest first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { loadConfigOrExit } from '../config.js';
import { migrateDatabase } from '../db/migrate.js';
import { createPrisma } from '../db/prisma.js';
import { startEmbeddedPostgres } from '../dev/embedded-postgres.js';
import { devMailpit } from '../dev/mailpit.js';
import { ensureKafka, startKafkaBroker } from '../dev/kafka-broker.js';
import { ensureTemporalCli } from '../dev/temporal-cli.js';
import { startTemporalDevServer } from '../dev/temporal-dev-server.js';
import { seedCatalog } from '../../prisma/seed.js';

const config = loadConfigOrExit();
const bootedAt = Date.now();
const say = (line: string) => console.log(`[start] ${line} (+${((Date.now() - bootedAt) / 1000).toFixed(1)}s)`);
const stack: { name: string; stop: () => Promise<void> }[] = [];

// embedded-postgres installs exit hooks that stop Postgres on SIGINT at once; this supervisor stops
// things in order itself (API and worker before the servers they use), so it takes the signals back.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeAllListeners(signal);

let stopping = false;
let stoppingSince = 0;
async function stopAll(code: number): Promise<never> {
  if (stopping) {
    // A terminal's Ctrl-C reaches this process twice (from the terminal, and forwarded by npm):
    // only a second press, a moment later, means "stop waiting and exit now".
    if (Date.now() - stoppingSince > 1_000) process.exit(130);
    return new Promise<never>(() => undefined);
  }
  stopping = true;
  stoppingSince = Date.now();
  say('stopping ...');
  for (const part of stack.reverse()) {
    try {
      await part.stop();
      say(`${part.name} stopped`);
    } catch (err) {
      say(`${part.name} did not stop cleanly: ${(err as Error).message}`);
    }
  }
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stopAll(0));

/** Prefixes each line of a child's output, so api and worker lines can be told apart. */
function pipeLines(stream: NodeJS.ReadableStream | null, prefix: string, out: NodeJS.WriteStream) {
  if (!stream) return;
  createInterface({ input: stream }).on('line', (line) => out.write(`${prefix} ${line}\n`));
}

/**
 * Runs a Node entry point as a child process and keeps it running: a crash is logged and the child
 * restarted with backoff, while the other processes carry on. The IPC channel lets the child notice
 * if this supervisor dies, so no orphan is left behind.
 */
function supervise(name: string, entry: string, env: NodeJS.ProcessEnv): Promise<void> {
  let child: ChildProcess | undefined;
  let backoffMs = 1_000;
  let resolveReady!: () => void;
  const ready = new Promise<void>((resolve) => (resolveReady = resolve));

  const launch = () => {
    const startedAt = Date.now();
    child = spawn(process.execPath, ['--import', 'tsx', entry], { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    pipeLines(child.stdout, `[${name}]`, process.stdout);
    pipeLines(child.stderr, `[${name}]`, process.stderr);
    child.on('message', (message: { type?: string }) => {
      if (message?.type === 'ready') resolveReady();
    });
    child.on('exit', (code, signal) => {
      if (stopping) return;
      if (Date.now() - startedAt > 60_000) backoffMs = 1_000;
      say(`${name} exited (${signal ?? `code ${code}`}); restarting in ${backoffMs / 1000}s`);
      setTimeout(() => !stopping && launch(), backoffMs);
      backoffMs = Math.min(backoffMs * 2, 30_000);
    });
  };
  launch();

  stack.push({
    name,
    stop: async () => {
      const current = child;
      if (!current || current.exitCode !== null || current.signalCode !== null) return;
      const exited = new Promise((resolve) => current.once('exit', resolve));
      current.kill('SIGTERM');
      const timer = setTimeout(() => current.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  });
  return ready;
}

/**
 * Keeps a server (PostgreSQL, the Temporal dev server) running: started once (a failure then stops
 * `npm start`), and when it exits unexpectedly (kill -9, a crash, the OOM killer) the exit is
 * logged and the server started again on its data, with backoff, while the worker and the API
 * carry on and reconnect by themselves.
 */
async function keepUp(
  name: string,
  launch: () => Promise<{ stop(): Promise<void>; exited: Promise<string> }>,
): Promise<void> {
  let current = await launch();
  let upSince = Date.now();
  let backoffMs = 1_000;
  stack.push({ name, stop: () => current.stop() });
  const watch = (running: typeof current) =>
    void running.exited.then(async (how) => {
      if (stopping) return;
      if (Date.now() - upSince > 60_000) backoffMs = 1_000;
      say(`${name} exited (${how}); restarting in ${backoffMs / 1000}s`);
      for (;;) {
        await sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, 30_000);
        if (stopping) return;
        try {
          current = await launch();
          upSince = Date.now();
          say(`${name} is back`);
          watch(current);
          return;
        } catch (err) {
          say(
            `${name} did not start again (${(err as Error).message.split('\n')[0]}); retrying in ${backoffMs / 1000}s`,
          );
        }
      }
    });
  watch(current);
}

try {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ADMIN_TOKEN: config.adminToken,
    SESSION_SECRET: config.security.sessionSecret,
    ORDER_TOKEN_SECRET: config.security.orderTokenSecret,
  };

  if (config.databaseUrlExplicit) {
    say(`using PostgreSQL at DATABASE_URL`);
  } else {
    say(`starting embedded PostgreSQL (data in ${path.join(config.dataDir, 'postgres')}) ...`);
    await keepUp('PostgreSQL', async () => {
      const pg = await startEmbeddedPostgres({
        dir: path.join(config.dataDir, 'postgres'),
        port: config.postgresPort,
        user: 'postgres',
        password: 'postgres',
        database: 'orchestrator',
        logFile: path.join(config.dataDir, 'postgres.log'),
      });
      env.DATABASE_URL = pg.url;
      return pg;
    });
  }

  say('applying database migrations ...');
  await migrateDatabase(env.DATABASE_URL ?? config.databaseUrl);
  const prisma = createPrisma(env.DATABASE_URL ?? config.databaseUrl, 2);
  const seed = await seedCatalog(prisma);
  await prisma.$disconnect();
  say(seed.seeded ? `seeded the catalog with ${seed.products} products` : `catalog has ${seed.products} products`);

  if (config.temporal.addressExplicit) {
    say(`using Temporal at ${config.temporal.address}`);
  } else {
    const cliPath = await ensureTemporalCli(config.temporal.cliPath, say);
    say(`starting Temporal dev server (${cliPath}) ...`);
    await keepUp('Temporal dev server', () =>
      startTemporalDevServer({
        cliPath,
        ip: '127.0.0.1',
        port: config.temporal.devServerPort,
        uiPort: config.temporal.uiPort,
        namespace: config.temporal.namespace,
        dbFile: path.join(config.dataDir, 'temporal.sqlite'),
        logFile: path.join(config.dataDir, 'temporal.log'),
        pidFile: path.join(config.dataDir, 'temporal.pid'),
        codecEndpoint: `${config.publicUrl}/codec`,
        extraArgs: config.temporal.sqlitePragmas.flatMap((p) => ['--sqlite-pragma', p]),
      }),
    );
  }

  if (!config.kafka.enabled) {
    say("Kafka is off (KAFKA=off): the journal's events are not published");
  } else if (config.kafka.brokers) {
    say(`using Kafka at KAFKA_BROKERS (${config.kafka.brokers.join(',')})`);
  } else {
    const libsDir = await ensureKafka(say);
    say(`starting Kafka broker (data in ${path.join(config.dataDir, 'kafka')}) ...`);
    await keepUp('Kafka broker', async () => {
      // Always the same port, so the worker's KAFKA_BROKERS stays right across a restart.
      const kafka = await startKafkaBroker({
        dir: path.join(config.dataDir, 'kafka'),
        port: config.kafka.brokerPort,
        libsDir,
      });
      env.KAFKA_BROKERS = kafka.brokers;
      return kafka;
    });
  }

  let inbox = 'none here (SMTP_URL is set: mail goes to that server)';
  if (!config.mail.smtpUrl) {
    const mailpit = await devMailpit(config.dataDir, say);
    await keepUp('Mailpit', async () => {
      const running = await mailpit.start();
      [env.SMTP_URL, inbox] = [running.smtpUrl, running.inboxUrl];
      return running;
    });
  }

  const src = fileURLToPath(new URL('..', import.meta.url));
  await Promise.all([
    supervise('worker', path.join(src, 'worker.ts'), env),
    supervise('api', path.join(src, 'api', 'server.ts'), env),
  ]);

  const base = `http://localhost:${config.port}`;
  // A worker bound to every interface is still reached on localhost from here.
  const workerMetrics = config.metrics.workerAddress?.replace(/^(0\.0\.0\.0|\[::\]):/, 'localhost:');
  console.log(`
  Storefront        ${base}/
  API docs          ${base}/docs
  API metrics       ${base}/metrics${config.metrics.token ? '   (Authorization: Bearer <METRICS_TOKEN>)' : ''}
  Worker metrics    ${workerMetrics ? `http://${workerMetrics}/metrics` : 'off (WORKER_METRICS_ADDRESS=off)'}
  Temporal Web UI   ${config.temporal.uiUrl}
  Mail inbox        ${inbox}
  Kafka             ${env.KAFKA_BROKERS && config.kafka.enabled ? `${env.KAFKA_BROKERS}   (topic shop.order-events)` : 'off (KAFKA=off)'}
  Admin token       ${config.adminToken}${config.adminTokenGenerated ? `   (generated for development; kept in ${path.join(config.dataDir, 'admin-token')})` : ''}

  Try: curl '${base}/api/products?sort=-price&inStock=true&limit=5'
  Ctrl-C stops everything.
`);
  // Wait for a signal; the supervised children keep the event loop alive.
  await new Promise(() => undefined);
} catch (err) {
  console.error(`\n[start] could not start: ${(err as Error).message}\n`);
  await sleep(0);
  await stopAll(1);
}
