/**
 * Replays recorded histories against workflow code: the check that a change to a workflow still
 * produces, for every history already written, the same commands in the same order. Shared by
 * `npm run replay` and the replay tests (test/replay).
 */
import type { DataConverter } from '@temporalio/common';
import { bundleWorkflowCode, ReplayError, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { workflowsPath } from '../worker/create-worker.js';
import type { HistoryToReplay, UnavailableHistory } from './histories.js';

export type ReplayStatus = 'ok' | 'nondeterministic' | 'error';

/** The outcome of replaying one workflow run. */
export interface ReplayReport {
  source: string;
  workflowId: string;
  runId: string | undefined;
  workflowType: string | undefined;
  status: ReplayStatus;
  /** Why it failed, in one line (the SDK's details without its preamble). */
  reason?: string;
  /** The error itself: a DeterminismViolationError when nondeterministic, else a ReplayError or other. */
  error?: Error;
}

/** The workflow code to replay against: a prebuilt bundle file, or src/workflows bundled now. */
export async function replayBundle(bundlePath?: string): Promise<WorkflowBundleOption> {
  if (bundlePath) return { codePath: bundlePath };
  const { code } = await bundleWorkflowCode({
    workflowsPath,
    // webpack's chatter is not the operator's business; its warnings and errors are.
    logger: { trace() {}, debug() {}, info() {}, log() {}, warn: console.warn, error: console.error },
  });
  return { code };
}

/** Sorts a replay error into nondeterministic or other, with a one-line reason. */
export function classifyReplayError(error: unknown): { status: Exclude<ReplayStatus, 'ok'>; reason: string } {
  const message = error instanceof Error ? error.message : String(error);
  // The SDK's messages open with a paragraph of advice, then "Details: " and what actually differed,
  // often as core's debug dump of a Failure, whose `message: "..."` is the part worth a line.
  const at = message.indexOf('Details: ');
  const details = at >= 0 ? message.slice(at + 'Details: '.length) : message;
  const inner = /message: "((?:[^"\\]|\\.)*)"/.exec(details)?.[1]?.replace(/\\(.)/g, '$1');
  const reason = (inner || details).replace(/\s+/g, ' ').trim() || message;
  return { status: error instanceof DeterminismViolationError ? 'nondeterministic' : 'error', reason };
}

/**
 * Replays each history, one at a time on one replay worker, and yields a report for each in order.
 * Items that are already unavailable (a history the server could not give) are reported as errors
 * without stopping the others.
 */
export async function* replayHistories(
  histories: AsyncIterable<HistoryToReplay | UnavailableHistory> | Iterable<HistoryToReplay | UnavailableHistory>,
  bundle: WorkflowBundleOption,
  /** Decrypts payloads written through the codec; histories without encrypted payloads need none. */
  dataConverter?: DataConverter,
): AsyncGenerator<ReplayReport> {
  const inFlight: HistoryToReplay[] = [];
  const unavailable: ReplayReport[] = [];
  async function* feed() {
    for await (const item of histories) {
      if ('error' in item) {
        const { error, ...rest } = item;
        unavailable.push({ ...rest, status: 'error', reason: error.message, error });
        continue;
      }
      inFlight.push(item);
      yield { workflowId: item.workflowId, history: item.history };
    }
  }

  const results = Worker.runReplayHistories({ workflowBundle: bundle, replayName: 'replay', dataConverter }, feed());
  for await (const result of results) {
    yield* unavailable.splice(0);
    const item = inFlight.shift();
    if (!item) throw new Error(`replay reported ${result.workflowId}, which was not asked for`);
    const { history: _history, ...rest } = item;
    const runId = rest.runId ?? result.runId;
    if (!result.error) yield { ...rest, runId, status: 'ok' };
    else yield { ...rest, runId, ...classifyReplayError(result.error), error: result.error };
  }
  yield* unavailable.splice(0);
}

/** Replays one history; resolves to its report (never throws for a replay failure). */
export async function replayHistory(
  history: HistoryToReplay,
  bundle: WorkflowBundleOption,
  dataConverter?: DataConverter,
): Promise<ReplayReport> {
  for await (const report of replayHistories([history], bundle, dataConverter)) return report;
  throw new Error(`replay of ${history.workflowId} reported nothing`);
}

/** One line per workflow: `ok ...`, `nondeterministic ...: reason`, `error ...: reason`. */
export function formatReport(report: ReplayReport): string {
  const what = [
    report.workflowId,
    report.runId ? `run ${report.runId}` : undefined,
    report.workflowType ? `(${report.workflowType})` : undefined,
    report.source !== 'server' ? `from ${report.source}` : undefined,
  ]
    .filter(Boolean)
    .join(' ');
  return report.status === 'ok' ? `ok ${what}` : `${report.status} ${what}: ${report.reason}`;
}

/** Counts by status, and the summary line printed after the reports. */
export function summarize(reports: readonly ReplayReport[]): {
  ok: number;
  nondeterministic: number;
  error: number;
  line: string;
} {
  const count = (status: ReplayStatus) => reports.filter((r) => r.status === status).length;
  const ok = count('ok');
  const nondeterministic = count('nondeterministic');
  const error = count('error');
  const n = reports.length;
  return {
    ok,
    nondeterministic,
    error,
    line: `replayed ${n} workflow${n === 1 ? '' : 's'}: ${ok} ok, ${nondeterministic} nondeterministic, ${error} error${error === 1 ? '' : 's'}`,
  };
}

export { DeterminismViolationError, ReplayError };
