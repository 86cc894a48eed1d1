import { spawn, type ChildProcess } from 'node:child_process';
import { inject } from 'vitest';
import type { TestStack } from './app.js';
import { TEST_PAYLOAD_KEYS } from './keys.js';

export interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
  /** kill -9: no drain, no goodbye, as a crash or an OOM kill. */
  crash(): Promise<void>;
  stop(): Promise<void>;
}

/** `npm run worker` as its own process, on the stack's task queue and database. */
export async function startWorkerProcess(stack: TestStack, env: Record<string, string> = {}): Promise<WorkerProcess> {
  let out = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATABASE_URL: stack.db.url,
      TEMPORAL_ADDRESS: stack.config.temporal.address,
      TASK_QUEUE: stack.config.temporal.taskQueue,
      ADMIN_TOKEN: stack.config.adminToken,
      // The stack's keys: this worker reads what the stack's client encrypted, and writes what it reads.
      PAYLOAD_KEYS: TEST_PAYLOAD_KEYS,
      EMAIL_HASH_SECRET: stack.config.security.emailHashSecret,
      WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath'),
      // Several worker processes run at once in a test run: none binds the default metrics port.
      WORKER_METRICS_ADDRESS: 'off',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.on('message', (m: { type?: string }) => m?.type === 'ready' && resolve());
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready:\n${out}`)));
  });
  return {
    child,
    output: () => out,
    async crash() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
