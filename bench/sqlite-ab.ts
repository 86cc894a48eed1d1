/**
 * `npm run bench:sqlite`: the dev server's SQLite settings, before and after in one run. Two dev
 * servers side by side, one on SQLite's defaults (rollback journal, a sync per commit), one as
 * `npm start` runs it (TEMPORAL_SQLITE_PRAGMAS: WAL, synchronous=NORMAL), each with a baseline
 * worker; rounds alternate between them: 60 bare updates one at a time (latency), then 60 workflows
 * of 3 no-op activities at once (throughput). Not yet a measure of `npm run bench`.
 */
import { mkdtemp, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { DEFAULT_SQLITE_PRAGMAS } from '../src/config.js';
import { ensureTemporalCli } from '../src/dev/temporal-cli.js';
import { startTemporalDevServer } from '../src/dev/temporal-dev-server.js';
import { freePort } from '../src/dev/ports.js';
import { baselineActivities } from './lib/baseline.activities.js';

Runtime.install({ logger: new DefaultLogger('ERROR') });
const cliPath = await ensureTemporalCli(process.env.TEMPORAL_CLI_PATH || undefined, console.log);
async function setup(name: string, pragmas: string[]) {
  const dir = await mkdtemp(path.join(tmpdir(), `walab-${name}-`));
  await chmod(dir, 0o755);
  const server = await startTemporalDevServer({
    cliPath,
    ip: '127.0.0.1',
    port: await freePort(),
    uiPort: await freePort(),
    namespace: 'default',
    dbFile: path.join(dir, 't.sqlite'),
    logFile: path.join(dir, 't.log'),
    pidFile: path.join(dir, 't.pid'),
    extraArgs: pragmas.flatMap((p) => ['--sqlite-pragma', p]),
  });
  const nc = await NativeConnection.connect({ address: server.address });
  const worker = await Worker.create({
    connection: nc,
    taskQueue: 'ab',
    workflowsPath: fileURLToPath(new URL('./lib/baseline.workflows.ts', import.meta.url)),
    activities: baselineActivities,
  });
  const running = worker.run();
  const client = new Client({ connection: await Connection.connect({ address: server.address }) });
  const handle = await client.workflow.start('baselineWorkflow', { taskQueue: 'ab', workflowId: `b-${name}` });
  return { name, server, worker, running, client, handle };
}
const sides = [await setup('default', []), await setup('wal', DEFAULT_SQLITE_PRAGMAS.split(','))];
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const lat: Record<string, number[]> = { default: [], wal: [] };
const tput: Record<string, number[]> = { default: [], wal: [] };
for (let round = 0; round < 6; round++) {
  for (const s of round % 2 ? [...sides].reverse() : sides) {
    for (let i = 0; i < 60; i++) {
      const t = performance.now();
      await s.handle.executeUpdate('bump', { args: [1] });
      lat[s.name]!.push(performance.now() - t);
    }
    const t = performance.now();
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        s.client.workflow.execute('chainWorkflow', {
          taskQueue: 'ab',
          workflowId: `c-${s.name}-${round}-${i}`,
          args: [3],
        }),
      ),
    );
    tput[s.name]!.push(60 / ((performance.now() - t) / 1000));
  }
}
for (const s of sides) {
  const l = lat[s.name]!;
  console.log(
    `${s.name}: update p50 ${pct(l, 50).toFixed(1)} ms p99 ${pct(l, 99).toFixed(1)} ms; 3-activity workflows/s median ${pct(tput[s.name]!, 50).toFixed(1)} (${tput[s.name]!.map((x) => x.toFixed(1)).join(', ')})`,
  );
}
for (const s of sides) {
  s.worker.shutdown();
  await s.running;
  await s.server.stop();
}
process.exit(0);
