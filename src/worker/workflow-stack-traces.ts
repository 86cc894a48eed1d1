import path from 'node:path';
import { fileURLToPath } from 'node:url';
import workerThreads from 'node:worker_threads';

const preload = fileURLToPath(new URL('./workflow-thread-no-stack-traces.cjs', import.meta.url));
const applied = Symbol.for('order-orchestrator.workflow-stack-traces-off');

/**
 * Turns the SDK's workflow stack traces off for the workflow threads this process starts from now on.
 *
 * @temporalio/worker 1.24 keeps, for every promise a workflow creates, an Error with its stack
 * (source-mapped) while the promise is pending, so that the Web UI's "Stack Trace" tab can show where
 * a workflow waits (a V8 promise hook; temporalio/sdk-typescript#1587, open). It has no option to
 * turn that off. Measured here, it is a third of the worker's CPU for a cart change (2.3-2.6 ms of
 * 6-8 ms) and 4-5 ms of an add-to-cart's 18-25 ms, and 40% of the time a worker takes to replay a history after a restart.
 * Off, the SDK's workflow threads load a preload first that leaves the hook uninstalled (see the .cjs
 * file): what the SDK does on a runtime without promise hooks. Everything else is as it was; only
 * the stack trace query answers that stack traces are not enabled on this worker. (Replays by
 * `npm run replay` and the tests run in the SDK's debug mode, in the main thread, and keep the hook;
 * so does a worker started with TEMPORAL_DEBUG set.)
 * A worker started with WORKFLOW_STACK_TRACES=on collects them again, for replayed workflows too.
 */
export function turnOffWorkflowStackTraces(): void {
  const threads = workerThreads as { Worker: typeof workerThreads.Worker } & { [applied]?: true };
  if (threads[applied]) return;
  const Original = threads.Worker;
  const isWorkflowThread = (filename: unknown) =>
    typeof filename === 'string' &&
    path.basename(filename) === 'workflow-worker-thread.js' &&
    filename.includes(`${path.sep}@temporalio${path.sep}worker${path.sep}`);
  // The thread's script is run by a one-line script that preloads first. Not through execArgv: an
  // explicit execArgv makes Node refuse V8 and process-wide flags the worker may have been started
  // with (--max-old-space-size, --expose-gc: ERR_WORKER_INVALID_EXEC_ARGV); inherited, they are fine.
  const preloaded = (filename: string) => `require(${JSON.stringify(preload)});\nrequire(${JSON.stringify(filename)});`;
  threads.Worker = class WorkflowThread extends Original {
    constructor(filename: string | URL, options?: workerThreads.WorkerOptions) {
      if (isWorkflowThread(filename)) super(preloaded(filename as string), { ...options, eval: true });
      else super(filename, options);
    }
  };
  threads[applied] = true;
}
