import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/index.js';
import { turnOffWorkflowStackTraces } from './workflow-stack-traces.js';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/**
 * How long one workflow activation may run in its V8 context before the SDK cuts it off (the SDK's
 * default is 5 s). Node's vm timeout counts wall-clock time, time the process spent stopped
 * included, and when it fires inside a workflow's microtask Node aborts the whole process with
 * "async hook stack has become corrupted" (nodejs/node#38503, open; Node 20 and 22 alike; see
 * scripts/repro/vm-timeout-after-sigcont.mjs). So a worker frozen for longer than this in the middle
 * of an activation (SIGSTOP, a paused or migrated VM, heavy swapping) crashed as it woke. Longer makes
 * that rarer; the price is that a workflow stuck in a loop (a bug) holds the workflow thread this long
 * per attempt instead of 5 s. The SDK honours the option without declaring it: a test checks it.
 */
export const WORKFLOW_ACTIVATION_TIMEOUT = '15s';

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** Encrypts payloads (encryptingDataConverter): the same keys as every client of the namespace. */
  dataConverter: DataConverter;
  /** A prebuilt bundle (tests build one per run); otherwise the workflows are bundled at start. */
  workflowBundlePath?: string;
  /** Extra worker options, e.g. a small sticky cache to exercise replay in tests. */
  overrides?: Partial<WorkerOptions>;
  /** The SDK's workflow stack traces (WORKFLOW_STACK_TRACES); off unless asked for, for this whole process. */
  workflowStackTraces?: boolean;
}

/** A worker with every workflow and activity of the project on one task queue. */
export async function createWorker(options: CreateWorkerOptions): Promise<Worker> {
  const { connection, namespace, taskQueue, deps, dataConverter, workflowBundlePath, overrides } = options;
  if (!options.workflowStackTraces) turnOffWorkflowStackTraces();
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    dataConverter,
    ...(workflowBundlePath ? { workflowBundle: { codePath: workflowBundlePath } } : { workflowsPath }),
    activities: createActivities(deps),
    ...({ isolateExecutionTimeout: WORKFLOW_ACTIVATION_TIMEOUT } as Partial<WorkerOptions>),
    ...overrides,
  });
}
