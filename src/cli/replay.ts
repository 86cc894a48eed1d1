/**
 * `npm run replay`: replays workflow histories (from the Temporal server by id or visibility query,
 * or from files exported by `temporal workflow show --output json`) against today's workflow code,
 * or a prebuilt bundle, and names every workflow that no longer replays. Exit 0 when every one
 * replayed, 1 when any failed, 2 on a usage error. `--help` for the options.
 */
import { existsSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { encryptingDataConverter } from '../codec/data-converter.js';
import { loadConfigOrExit } from '../config.js';
import {
  checkQuery,
  fetchWorkflowHistory,
  HistoryUnavailableError,
  queryWorkflowHistories,
  readHistoryFile,
  type HistoryToReplay,
  type UnavailableHistory,
} from '../replay/histories.js';
import { parseReplayArgs, replayUsage } from '../replay/replay-args.js';
import { formatReport, replayBundle, replayHistories, summarize, type ReplayReport } from '../replay/replayer.js';

const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

function usageError(messages: string[]): never {
  for (const message of messages) console.error(`replay: ${message}`);
  console.error('Run `npm run replay -- --help` for the options.');
  process.exit(EXIT_USAGE);
}

const parsed = parseReplayArgs(process.argv.slice(2), process.env);
if (parsed.kind === 'help') {
  console.log(replayUsage);
  process.exit(0);
}
if (parsed.kind === 'usage-error') usageError([parsed.message]);
const { args } = parsed;

// The SDK (and its native core) log a nondeterministic replay at length; the report line says it in
// one. Core's logs go through the same logger, so --verbose shows everything and the default nothing.
Runtime.install({
  logger: args.verbose ? new DefaultLogger('INFO') : new DefaultLogger('ERROR', () => undefined),
  telemetryOptions: { logging: { filter: { core: args.verbose ? 'INFO' : 'ERROR' }, forward: {} } },
});

if (args.bundlePath && !existsSync(args.bundlePath)) usageError([`no workflow bundle at ${args.bundlePath}`]);

// Everything named on the command line is checked before anything is replayed: a typo is a usage
// error at once, not a failure after minutes of replaying.
const problems: string[] = [];
const named: HistoryToReplay[] = [];
for (const file of args.files) {
  try {
    named.push(await readHistoryFile(file));
  } catch (err) {
    problems.push((err as Error).message);
  }
}

let connection: Connection | undefined;
let client: Client | undefined;
// Replay uses no admin route: a production config without ADMIN_TOKEN is fine here. PAYLOAD_KEYS
// decrypts histories written through the codec (files exported from the server included).
const config = loadConfigOrExit({ ...process.env, ADMIN_TOKEN: process.env.ADMIN_TOKEN || 'not-used-by-replay-cli' });
const dataConverter = encryptingDataConverter(config.security.payloadKeys);
if (args.workflows.length + args.queries.length > 0) {
  const { address, namespace } = config.temporal;
  try {
    connection = await Connection.connect({ address, connectTimeout: 5_000 });
  } catch (err) {
    usageError([...problems, `cannot reach Temporal at ${address} (TEMPORAL_ADDRESS): ${(err as Error).message}`]);
  }
  client = new Client({ connection, namespace, dataConverter });
  const c = client;
  const lookups = await Promise.allSettled([
    ...args.workflows.map(({ workflowId, runId }) => fetchWorkflowHistory(c, workflowId, runId)),
    ...args.queries.map((query) => checkQuery(c, query)),
  ]);
  for (const lookup of lookups) {
    if (lookup.status === 'fulfilled') {
      if (lookup.value) named.push(lookup.value);
      continue;
    }
    const err = lookup.reason as Error;
    if (err instanceof HistoryUnavailableError && !err.usage) {
      console.error(`replay: ${err.message}`);
      process.exit(EXIT_FAILED);
    }
    problems.push(err.message);
  }
}
if (problems.length > 0) usageError(problems);

async function* everything(): AsyncGenerator<HistoryToReplay | UnavailableHistory> {
  yield* named;
  for (const query of args.queries) yield* queryWorkflowHistories(client!, query);
}

const reports: ReplayReport[] = [];
try {
  const bundle = await replayBundle(args.bundlePath);
  for await (const report of replayHistories(everything(), bundle, dataConverter)) {
    reports.push(report);
    console.log(formatReport(report));
  }
} catch (err) {
  console.error(`replay: ${(err as Error).message}`);
  process.exitCode = err instanceof HistoryUnavailableError && err.usage ? EXIT_USAGE : EXIT_FAILED;
}
await connection?.close();

if (process.exitCode === undefined) {
  if (reports.length === 0) {
    usageError([`nothing to replay: no workflow matches ${args.queries.map((q) => `"${q}"`).join(' or ')}`]);
  }
  const summary = summarize(reports);
  console.log(summary.line);
  process.exitCode = summary.ok === reports.length ? 0 : EXIT_FAILED;
}
