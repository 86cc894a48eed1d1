import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/index.js';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

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
}

/** A worker with every workflow and activity of the project on one task queue. */
export async function createWorker(options: CreateWorkerOptions): Promise<Worker> {
  const { connection, namespace, taskQueue, deps, dataConverter, workflowBundlePath, overrides } = options;
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    dataConverter,
    ...(workflowBundlePath ? { workflowBundle: { codePath: workflowBundlePath } } : { workflowsPath }),
    activities: createActivities(deps),
    ...overrides,
  });
}
