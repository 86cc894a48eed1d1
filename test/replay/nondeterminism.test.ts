/**
 * The corpus catches a nondeterministic change: the order workflow of
 * fixtures/nondeterministic-workflows.ts issues a timer before anything else, a command no
 * recorded order history has. Replaying the order histories against that bundle must fail with a
 * DeterminismViolationError naming each workflow, through the function the CLI uses and through
 * the CLI itself; the other workflows, unchanged, still replay.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHistoryFile, type HistoryToReplay } from '../../src/replay/histories.js';
import { DeterminismViolationError, replayHistories, type ReplayReport } from '../../src/replay/replayer.js';
import { runReplayCli } from './cli.js';
import { encryptingDataConverter } from '../../src/codec/data-converter.js';
import { parseCodecKeys } from '../../src/codec/encryption-codec.js';
import { CORPUS_PAYLOAD_KEYS } from '../../src/replay/corpus-key.js';

// A nondeterministic replay is expected here: the SDK's own warnings about it are noise.
Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR' } } } });

const histories = fileURLToPath(new URL('./histories', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/nondeterministic-workflows.ts', import.meta.url));

let dir: string;
let bundlePath: string;
let corpus: HistoryToReplay[];
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'replay-nondeterministic-'));
  const { code } = await bundleWorkflowCode({
    workflowsPath: fixture,
    logger: { trace() {}, debug() {}, info() {}, log() {}, warn: console.warn, error: console.error },
  });
  bundlePath = path.join(dir, 'nondeterministic-bundle.js');
  await writeFile(bundlePath, code);
  const files = (await readdir(histories)).filter((f) => f.endsWith('.json')).sort();
  corpus = await Promise.all(files.map((f) => readHistoryFile(path.join(histories, f))));
}, 120_000);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a nondeterministic change to the order workflow', () => {
  it('fails every order history with a DeterminismViolationError naming the workflow; the others still replay', async () => {
    const reports: ReplayReport[] = [];
    const corpusKey = encryptingDataConverter(parseCodecKeys(CORPUS_PAYLOAD_KEYS).keys);
    for await (const report of replayHistories(corpus, { codePath: bundlePath }, corpusKey)) reports.push(report);
    expect(reports).toHaveLength(corpus.length);

    const orders = reports.filter((r) => r.workflowType === 'orderWorkflow');
    expect(orders.length).toBeGreaterThanOrEqual(8);
    for (const report of orders) {
      expect(report.status, report.source).toBe('nondeterministic');
      expect(report.error).toBeInstanceOf(DeterminismViolationError);
      expect(report.workflowId).toMatch(/^order-[0-9a-f-]{36}$/);
      // Core names what differed: the new timer where the history has the order's first command
      // (its first activity, or, since place-in-one-step, that patch's marker).
      expect(report.reason).toMatch(
        /Nondeterminism error: (Timer machine does not handle this event|Non-deprecated patch marker encountered)/,
      );
    }
    const others = reports.filter((r) => r.workflowType !== 'orderWorkflow');
    expect(others.map((r) => r.workflowType).sort()).toEqual(
      expect.arrayContaining(['cartWorkflow', 'catalogImportWorkflow', 'restockWorkflow']),
    );
    for (const report of others) expect(report.status, `${report.source}: ${report.reason}`).toBe('ok');
  });

  it('makes `npm run replay -- --file ... --bundle ...` exit 1, naming the workflow and the reason', async () => {
    const file = path.join(histories, 'order-happy-path.json');
    const cart = path.join(histories, 'cart-checkout.json');
    const { workflowId } = await readHistoryFile(file);
    const { code, stdout, stderr } = await runReplayCli(['--file', file, '--file', cart, '--bundle', bundlePath]);
    expect(code, stderr).toBe(1);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      new RegExp(
        `^nondeterministic ${workflowId} run \\S+ \\(orderWorkflow\\) from ${file}: \\[TMPRL1100\\] Nondeterminism error: `,
      ),
    );
    expect(lines[1]).toMatch(/^ok cart-\S+ run \S+ \(cartWorkflow\) from .*cart-checkout\.json$/);
    expect(lines[2]).toBe('replayed 2 workflows: 1 ok, 1 nondeterministic, 0 errors');
    expect(stderr).not.toMatch(/WARN|Failing workflow task/); // one line per workflow, no SDK log dump
  });
});
