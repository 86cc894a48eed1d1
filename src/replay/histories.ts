/**
 * Where histories to replay come from: files exported by `temporal workflow show --output json`
 * (or recorded by scripts/record-histories.ts), and the Temporal server, by workflow id or by a
 * visibility query.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isGrpcServiceError, WorkflowNotFoundError, type Client, type WorkflowExecutionInfo } from '@temporalio/client';
import type { History } from '@temporalio/common/lib/proto-utils.js';
import { historyFromJson } from './history-json.js';

/** A history ready to replay, and what to call it in a report. */
export interface HistoryToReplay {
  /** Where it came from: a file path, or `server`. */
  source: string;
  workflowId: string;
  runId: string | undefined;
  workflowType: string | undefined;
  history: History;
}

/** A history that could not be had; `usage` when the caller named something that does not exist. */
export class HistoryUnavailableError extends Error {
  constructor(
    message: string,
    readonly usage: boolean,
  ) {
    super(message);
    this.name = 'HistoryUnavailableError';
  }
}

/** A history that could not be had while listing many: reported, and the others go on. */
export interface UnavailableHistory {
  source: string;
  workflowId: string;
  runId: string | undefined;
  workflowType: string | undefined;
  error: Error;
}

/** The gRPC status of a failed call, whether the client wrapped it (ServiceError's cause) or not. */
function grpcStatus(err: unknown): { code: number; details: string } | undefined {
  for (let e = err; e; e = (e as { cause?: unknown }).cause) {
    if (isGrpcServiceError(e)) return { code: e.code, details: e.details || e.message };
  }
  return undefined;
}

function startedAttributes(history: History) {
  return history.events?.[0]?.workflowExecutionStartedEventAttributes ?? undefined;
}

/**
 * The workflow id a history was recorded under. Recent servers write it into the first event;
 * without it, the file's name stands in (replay passes it to `workflowInfo().workflowId`).
 */
export function workflowIdOf(history: History, fallback: string): string {
  return startedAttributes(history)?.workflowId || fallback;
}

/** The workflow type named by the history's first event. */
export function workflowTypeOf(history: History): string | undefined {
  return startedAttributes(history)?.workflowType?.name ?? undefined;
}

/** Parses the JSON text of a history, checking that it is one (an object with events, starting with a start). */
export function parseHistoryJson(text: string, what: string): History {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new HistoryUnavailableError(`${what} is not JSON: ${(err as Error).message}`, true);
  }
  let history: History;
  try {
    history = historyFromJson(json);
  } catch (err) {
    throw new HistoryUnavailableError(`${what} is not a workflow history: ${(err as Error).message}`, true);
  }
  if (!startedAttributes(history)) {
    throw new HistoryUnavailableError(
      `${what} is not a workflow history: its first event is not WorkflowExecutionStarted`,
      true,
    );
  }
  return history;
}

/** Reads a history file; an unreadable or malformed file is a HistoryUnavailableError (usage). */
export async function readHistoryFile(file: string): Promise<HistoryToReplay> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new HistoryUnavailableError(
      `cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
      true,
    );
  }
  const history = parseHistoryJson(text, file);
  return {
    source: file,
    workflowId: workflowIdOf(history, path.basename(file).replace(/\.json$/i, '')),
    runId: startedAttributes(history)?.originalExecutionRunId || undefined,
    workflowType: workflowTypeOf(history),
    history,
  };
}

/** One run's history from the server: the latest run unless `runId` is given. Unknown ids are usage errors. */
export async function fetchWorkflowHistory(
  client: Client,
  workflowId: string,
  runId?: string,
): Promise<HistoryToReplay> {
  const named = runId ? `workflow ${workflowId} run ${runId}` : `workflow ${workflowId}`;
  try {
    // describe() resolves "the latest run" once, so the history and the report name the same run.
    const description = await client.workflow.getHandle(workflowId, runId).describe();
    const history = await client.workflow.getHandle(workflowId, description.runId).fetchHistory();
    return { source: 'server', workflowId, runId: description.runId, workflowType: description.type, history };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError || grpcStatus(err)?.code === 5 /* NOT_FOUND */) {
      throw new HistoryUnavailableError(`${named} not found in namespace ${client.options.namespace}`, true);
    }
    throw new HistoryUnavailableError(
      `cannot fetch ${named}: ${grpcStatus(err)?.details ?? (err as Error).message}`,
      false,
    );
  }
}

/** Checks a visibility query with the server before anything is replayed; a malformed one is a usage error. */
export async function checkQuery(client: Client, query: string): Promise<void> {
  try {
    await client.workflow.count(query);
  } catch (err) {
    const status = grpcStatus(err);
    if (status?.code === 12 /* UNIMPLEMENTED: the server cannot count; listing will tell */) return;
    if (status?.code === 3 /* INVALID_ARGUMENT */)
      throw new HistoryUnavailableError(`invalid query "${query}": ${status.details}`, true);
    throw new HistoryUnavailableError(`cannot list "${query}": ${status?.details ?? (err as Error).message}`, false);
  }
}

/**
 * Every workflow run matching a visibility query, history by history (fetched one at a time, so a
 * large match never sits in memory at once). A malformed query is a usage error, thrown before the
 * first item; a history that cannot be fetched is yielded as unavailable and the others go on.
 */
export async function* queryWorkflowHistories(
  client: Client,
  query: string,
): AsyncGenerator<HistoryToReplay | UnavailableHistory> {
  const source = `query ${query}`;
  const runs = client.workflow.list({ query })[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<WorkflowExecutionInfo>;
    try {
      next = await runs.next();
    } catch (err) {
      const status = grpcStatus(err);
      const invalid = status?.code === 3; /* INVALID_ARGUMENT */
      throw new HistoryUnavailableError(
        invalid
          ? `invalid query "${query}": ${status!.details}`
          : `cannot list "${query}": ${status?.details ?? (err as Error).message}`,
        invalid,
      );
    }
    if (next.done) return;
    const { workflowId, runId, type } = next.value;
    try {
      const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
      yield { source, workflowId, runId, workflowType: type, history };
    } catch (err) {
      yield { source, workflowId, runId, workflowType: type, error: err as Error };
    }
  }
}
