import { DefaultLogger, type LogEntry, type LogLevel } from '@temporalio/worker';
import type { Logger as PinoLogger } from 'pino';
import { idsFromWorkflowId } from './log-fields.js';

const PINO_LEVEL = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;
const SEVERITY: Record<LogLevel, number> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 };

/**
 * The pino fields and level of one SDK log entry, or undefined to drop it. Entries about a workflow
 * or activity execution (workflow and activity context loggers, and the SDK's lifecycle lines for
 * them) pass at the process's log level with the order, cart or SKU named as a field; the SDK's
 * own chatter (worker state, Core) only from WARN up.
 */
export function temporalLogRecord(
  entry: Pick<LogEntry, 'level' | 'meta'>,
): { level: (typeof PINO_LEVEL)[LogLevel]; fields: Record<string, unknown> } | undefined {
  // The task token completes an activity from anywhere: a credential, not a log field.
  const { workflowId, error, taskToken: _taskToken, ...rest } = entry.meta ?? {};
  const aboutExecution = typeof workflowId === 'string';
  if (!aboutExecution && SEVERITY[entry.level] < SEVERITY.WARN) return undefined;
  return {
    level: PINO_LEVEL[entry.level],
    fields: {
      ...rest,
      ...(aboutExecution ? { workflowId, ...idsFromWorkflowId(workflowId) } : {}),
      // pino's error serializer (message, stack, cause) works on `err`.
      ...(error !== undefined ? { err: error } : {}),
    },
  };
}

/** The Runtime logger of the worker: every SDK, workflow and activity log line as JSON through pino. */
export function createTemporalLogger(log: PinoLogger): DefaultLogger {
  // TRACE here: the filtering is temporalLogRecord's and pino's (LOG_LEVEL), not the SDK's.
  return new DefaultLogger('TRACE', (entry) => {
    const record = temporalLogRecord(entry);
    if (record) log[record.level](record.fields, entry.message);
  });
}
