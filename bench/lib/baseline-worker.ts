/**
 * The baseline's worker, in its own process like the real one: bench/lib/baseline.workflows.ts on
 * BASELINE_TASK_QUEUE, the SDK's default data converter and options. What Temporal costs with
 * nothing of ours in it.
 */
import { fileURLToPath } from 'node:url';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { baselineActivities } from './baseline.activities.js';

Runtime.install({ logger: new DefaultLogger('ERROR') });
const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! });
const worker = await Worker.create({
  connection,
  taskQueue: process.env.BASELINE_TASK_QUEUE!,
  workflowsPath: fileURLToPath(new URL('./baseline.workflows.ts', import.meta.url)),
  activities: baselineActivities,
  ...(process.env.WORKER_MAX_CACHED_WORKFLOWS
    ? { maxCachedWorkflows: Number(process.env.WORKER_MAX_CACHED_WORKFLOWS) }
    : {}),
});
process.channel?.unref();
process.on('disconnect', () => worker.getState() === 'RUNNING' && worker.shutdown());
process.send?.({ type: 'ready' });
await worker.run();
await connection.close();
