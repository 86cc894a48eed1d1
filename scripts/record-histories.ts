/**
 * `npm run histories:record`: records the replay corpus, test/replay/histories/*.json. Brings up
 * everything it needs on its own, in a temporary directory (an embedded PostgreSQL, migrated and
 * seeded; a Temporal dev server; the API and a worker in this process), drives every path of carts
 * and orders through the public HTTP API with durations of a second or so, waits until each
 * workflow has closed, and writes its history as `temporal workflow show --output json` does (run
 * through Prettier, whitespace only, so the repository's format check passes). Each history is
 * replayed against the code that recorded it before it is written. Exits 1 if any scenario did
 * not end as expected; the files of the others are written all the same.
 *
 * Re-record after a workflow change that is meant to change histories (and keep the old files
 * where they still matter for replay, e.g. in a subfolder).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import * as prettier from 'prettier';
import { seedCatalog } from '../prisma/seed.js';
import { buildApp } from '../src/api/app.js';
import { emailSearchHash, encryptingDataConverter } from '../src/codec/data-converter.js';
import { OrderAccess } from '../src/api/identity/order-access.js';
import { CORPUS_PAYLOAD_KEYS } from '../src/replay/corpus-key.js';
import { loadConfig } from '../src/config.js';
import { migrateDatabase } from '../src/db/migrate.js';
import { createPrisma } from '../src/db/prisma.js';
import { readModelDrains } from '../src/drains/read-model-drains.js';
import { startEmbeddedPostgres } from '../src/dev/embedded-postgres.js';
import { ensureTemporalCli } from '../src/dev/temporal-cli.js';
import { startTemporalDevServer } from '../src/dev/temporal-dev-server.js';
import { createPaymentProvider } from '../src/payments/index.js';
import { parseHistoryJson, workflowTypeOf } from '../src/replay/histories.js';
import { freePort } from '../src/dev/ports.js';
import { historyToJson } from '../src/replay/history-json.js';
import { replayHistory } from '../src/replay/replayer.js';
import { createWorker, workflowsPath } from '../src/worker/create-worker.js';
import { initialOrderSearchAttributes, type OrderWorkflowInput } from '../src/contracts/order.contract.js';
import { WorkflowType, workflowId } from '../src/contracts/temporal.js';
import { cartScenarios } from './record-histories/cart-scenarios.js';
import { drainScenarios } from './record-histories/drain-scenarios.js';
import {
  address,
  durations,
  expectStatus,
  until,
  type Ctx,
  type Product,
  type Recording,
} from './record-histories/kit.js';
import { orderScenarios } from './record-histories/order-scenarios.js';

// `-- --only TEXT` records only the scenarios whose name holds TEXT, and `-- --out DIR` writes
// elsewhere (e.g. a history recorded by older code, to keep under versioning/): the README is then
// left as it is.
const option = (name: string) => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
};
const only = option('--only');
const scenarios = [...orderScenarios, ...cartScenarios, ...drainScenarios].filter(
  (s) => only === undefined || s.name.includes(only),
);

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = path.resolve(option('--out') ?? path.join(root, 'test', 'replay', 'histories'));
const partial = only !== undefined || option('--out') !== undefined;
const COMMAND = 'npm run histories:record';

/** The README of the corpus, generated so that it always lists what was recorded. */
function corpusReadme(recorded: (Recording & { workflowType: string; events: number })[]): string {
  const rows = [...recorded]
    .sort((a, b) => a.file.localeCompare(b.file))
    .map((r) => `| \`${r.file}\` | \`${r.workflowType}\` | ${r.covers} |`);
  return `# Replay corpus

Histories of real carts and orders, replayed by \`test/replay/corpus.test.ts\` against the workflow
code of every test run: a change to a workflow that no longer replays one of them fails the tests,
naming the file. Each file is what \`temporal workflow show --workflow-id ID --output json\` prints
(formatted by Prettier). Their payloads are encrypted, as a shop's are, with the corpus's own
public key (\`src/replay/corpus-key.ts\`): to replay one by hand, give that key,
\`PAYLOAD_KEYS=<CORPUS_PAYLOAD_KEYS> npm run replay -- --file test/replay/histories/order-happy-path.json\`.

Recorded by \`${COMMAND}\` (scripts/record-histories.ts), which starts its own PostgreSQL, Temporal
dev server, API and worker, drives each path through the HTTP API with these durations:
${Object.entries(durations)
  .map(([k, v]) => `\`${k}=${v}\``)
  .join(', ')}.

| file | workflow | path |
| --- | --- | --- |
${rows.join('\n')}

Subfolders hold histories recorded by older workflow code (kept when a change is guarded with
\`patched()\`); \`${COMMAND}\` only rewrites the files listed above.
`;
}

async function main(): Promise<number> {
  const started = Date.now();
  const say = (line: string) => console.log(`[record] ${line} (+${((Date.now() - started) / 1000).toFixed(1)}s)`);
  Runtime.install({ logger: new DefaultLogger('WARN') });

  const tmp = await mkdtemp(path.join(tmpdir(), 'record-histories-'));
  // PostgreSQL runs as its own user where this runs as root: it must reach its directory.
  await chmod(tmp, 0o755);
  const cleanups: (() => Promise<unknown>)[] = [() => rm(tmp, { recursive: true, force: true })];
  const cleanUp = async () => {
    for (const step of cleanups.splice(0).reverse()) await step().catch((err) => say(`cleanup: ${err.message}`));
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void cleanUp().then(() => process.exit(130)));
  }

  try {
    say('starting PostgreSQL and Temporal, bundling the workflows ...');
    const [postgres, temporal, bundle] = await Promise.all([
      (async () => {
        const pg = await startEmbeddedPostgres({
          dir: path.join(tmp, 'pg'),
          port: await freePort(),
          user: 'postgres',
          password: 'postgres',
          database: 'orchestrator',
          logFile: path.join(tmp, 'postgres.log'),
        });
        cleanups.push(pg.stop);
        await migrateDatabase(pg.url);
        const prisma = createPrisma(pg.url, 2);
        await seedCatalog(prisma);
        await prisma.$disconnect();
        return pg;
      })(),
      (async () => {
        const cliPath = await ensureTemporalCli(process.env.TEMPORAL_CLI_PATH || undefined, say);
        const server = await startTemporalDevServer({
          cliPath,
          ip: '127.0.0.1',
          port: await freePort(),
          uiPort: await freePort(),
          namespace: 'default',
          dbFile: path.join(tmp, 'temporal.sqlite'),
          logFile: path.join(tmp, 'temporal.log'),
          pidFile: path.join(tmp, 'temporal.pid'),
        });
        cleanups.push(server.stop);
        return server;
      })(),
      bundleWorkflowCode({
        workflowsPath,
        logger: { trace() {}, debug() {}, info() {}, log() {}, warn: console.warn, error: console.error },
      }),
    ]);
    await mkdir(outDir, { recursive: true });
    const bundlePath = path.join(tmp, 'workflow-bundle.js');
    await writeFile(bundlePath, bundle.code);

    const adminToken = `record_${randomBytes(16).toString('hex')}`;
    // Only these settings: whatever the caller's environment says, every recording is made the same way.
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      PORT: '0',
      DATA_DIR: path.join(tmp, 'data'),
      DATABASE_URL: postgres.url,
      TEMPORAL_ADDRESS: temporal.address,
      TASK_QUEUE: 'record-histories',
      ADMIN_TOKEN: adminToken,
      // Payloads encrypted as a shop's are, with the corpus's public key: the tests replay with it.
      PAYLOAD_KEYS: CORPUS_PAYLOAD_KEYS,
      EMAIL_HASH_SECRET: 'replay-corpus-email-hash-secret-0123456789',
      // One client is every shopper here.
      ...Object.fromEntries(
        ['SIGN_IN', 'CARTS', 'ORDERS', 'PAYMENTS'].flatMap((g) => [
          [`RATE_LIMIT_${g}_PER_IP`, '1000000'],
          [`RATE_LIMIT_${g}_PER_SHOPPER`, '1000000'],
        ]),
      ),
      ...durations,
    });
    const prisma = createPrisma(config.databaseUrl, 10);
    cleanups.push(() => prisma.$disconnect());
    const connection = await Connection.connect({ address: config.temporal.address });
    cleanups.push(() => connection.close());
    const dataConverter = encryptingDataConverter(config.security.payloadKeys);
    const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter });
    const payments = createPaymentProvider(config, prisma);
    const app = await buildApp({ config, prisma, temporal: { client, connection }, payments }, { logger: false });
    await app.listen({ host: '127.0.0.1', port: 0 });
    cleanups.push(() => app.close());
    const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;

    const workerConnection = await NativeConnection.connect({ address: config.temporal.address });
    cleanups.push(() => workerConnection.close());
    const worker = await createWorker({
      connection: workerConnection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      deps: { prisma, payments, drains: readModelDrains(prisma) },
      dataConverter,
      workflowBundlePath: bundlePath,
    });
    const running = worker.run();
    cleanups.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    });
    say(`stack up: API ${url}, Temporal ${temporal.address}`);

    // One shopper's browser: its session cookie (its carts), and each order's access token.
    const access = new OrderAccess(prisma, config.security.orderTokenSecret);
    let cookie: string | undefined;
    const http: Ctx['http'] = async (p, { method = 'GET', json, admin } = {}) => {
      const orderId = /^\/api\/orders\/([^/?]+)/.exec(p)?.[1];
      const res = await fetch(`${url}${p}`, {
        method,
        headers: {
          ...(json !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(admin ? { authorization: `Bearer ${adminToken}` } : {}),
          ...(cookie ? { cookie } : {}),
          ...(orderId ? { 'x-order-token': access.tokenFor(orderId) } : {}),
        },
        body: json !== undefined ? JSON.stringify(json) : undefined,
      });
      cookie = res.headers.get('set-cookie')?.split(';')[0] ?? cookie;
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    };
    // Signed in before anything runs: the scenarios run at once, and their carts share this session.
    const account = await http('/api/auth/sign-up', {
      method: 'POST',
      json: { email: 'replay@example.com', password: randomBytes(12).toString('hex') },
    });
    expectStatus(account, 201, 'signing up');
    const page = await http('/api/products?sort=price&inStock=true&limit=100');
    const pool: Product[] = page.body.items
      .filter((p: { available: number }) => p.available >= 50)
      .map((p: Product) => ({ id: p.id, sku: p.sku, priceCents: p.priceCents }));
    const facets = (await http('/api/catalog/facets')).body;
    const ctx: Ctx = {
      http,
      client,
      taskQueue: config.temporal.taskQueue,
      async startOrder(lines, policy, paymentMethod = 'pm_card_visa') {
        const orderId = randomUUID();
        const input: OrderWorkflowInput = {
          orderId,
          lines,
          email: 'replay@example.com',
          shippingAddress: address,
          paymentMethod,
          currency: config.currency,
          policy: { ...config.order, ...policy },
        };
        await client.workflow.start(WorkflowType.order, {
          workflowId: workflowId.order(orderId),
          taskQueue: config.temporal.taskQueue,
          args: [input],
          typedSearchAttributes: initialOrderSearchAttributes({
            emailHash: emailSearchHash(config.security.emailHashSecret, input.email),
          }),
          staticSummary: `Order for ${input.email}`,
        });
        return orderId;
      },
      async sql(text) {
        await prisma.$executeRawUnsafe(text);
      },
      products(n) {
        if (pool.length < n) throw new Error('the seeded catalog has too few products in stock');
        return pool.splice(0, n);
      },
      async productWithStock(sku, inventory) {
        const res = await http('/api/admin/products', {
          method: 'POST',
          admin: true,
          json: {
            sku,
            name: `Replay corpus ${sku}`,
            priceCents: 2500,
            category: facets.categories[0].category,
            vendorId: facets.vendors[0].id,
            inventory: { restockThreshold: 0, restockQuantity: 0, ...inventory },
          },
        });
        expectStatus(res, 201, `creating product ${sku}`);
        return res.body as Product;
      },
    };

    /** Waits for the run to close as expected, then checks, replays and writes its history. */
    async function record(r: Recording) {
      const handle = client.workflow.getHandle(r.workflowId, r.runId);
      const closed = await until(
        `${r.workflowId} to close`,
        () => handle.describe(),
        (d) => d.status.name !== 'RUNNING',
      );
      if (closed.status.name !== r.closedAs)
        throw new Error(`${r.workflowId} run ${closed.runId} closed ${closed.status.name}, not ${r.closedAs}`);
      const history = await client.workflow.getHandle(r.workflowId, closed.runId).fetchHistory();
      const file = path.join(outDir, r.file);
      const options = (await prettier.resolveConfig(file)) ?? {};
      const json = await prettier.format(historyToJson(history), { ...options, filepath: file });
      // What the tests and `npm run replay --file` will read must be this very history.
      const reread = parseHistoryJson(json, r.file);
      if (reread.events?.length !== history.events?.length)
        throw new Error(`${r.file} reads back with ${reread.events?.length} events, not ${history.events?.length}`);
      const replay = await replayHistory(
        {
          source: r.file,
          workflowId: r.workflowId,
          runId: closed.runId,
          workflowType: closed.type,
          history: reread,
        },
        { codePath: bundlePath },
        dataConverter,
      );
      if (replay.status !== 'ok') throw new Error(`${r.file} does not replay: ${replay.reason}`);
      await writeFile(file, json);
      return { ...r, workflowType: workflowTypeOf(history) ?? closed.type, events: history.events?.length ?? 0 };
    }

    say(`running ${scenarios.length} scenarios ...`);
    const outcomes = await Promise.allSettled(
      scenarios.map(async (s) => {
        const recordings = await s.run(ctx);
        // One at a time per scenario: replaying in parallel would only contend for the two cores.
        const written = [];
        for (const r of recordings) written.push(await record(r));
        return written;
      }),
    );

    const recorded = [];
    let failed = 0;
    for (const [i, outcome] of outcomes.entries()) {
      const name = scenarios[i]!.name;
      if (outcome.status === 'rejected') {
        failed++;
        console.log(`✘ ${name}: ${(outcome.reason as Error).message}`);
        continue;
      }
      for (const r of outcome.value) {
        recorded.push(r);
        console.log(
          `✔ ${name}: ${path.relative(root, path.join(outDir, r.file))}  ${r.workflowId}  ${r.workflowType}  ${r.closedAs}  ${r.events} events`,
        );
      }
    }
    if (failed === 0 && !partial) {
      const readme = path.join(outDir, 'README.md');
      const options = (await prettier.resolveConfig(readme)) ?? {};
      await writeFile(readme, await prettier.format(corpusReadme(recorded), { ...options, filepath: readme }));
    }
    const known = new Set(recorded.map((r) => r.file));
    const others = (await readdir(outDir)).filter((f) => f.endsWith('.json') && !known.has(f));
    if (others.length > 0 && failed === 0 && !partial)
      console.log(`Not recorded by this script (left as they are): ${others.join(', ')}`);
    say(
      failed === 0
        ? `recorded ${recorded.length} histories into ${path.relative(root, outDir)}/`
        : `${failed} of ${scenarios.length} scenarios failed; the README was left as it was`,
    );
    return failed === 0 ? 0 : 1;
  } finally {
    await cleanUp();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`[record] ${(err as Error).stack ?? err}`);
    process.exit(1);
  },
);
