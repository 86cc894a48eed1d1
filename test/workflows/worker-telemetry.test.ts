import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/app.js';
import { placeOrder, waitForOrder } from '../helpers/orders.js';
import { freePort } from '../../src/dev/ports.js';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.js';

// The worker runs as `npm run worker` does: its own process, with its Prometheus endpoint and its
// JSON log lines on stdout.
let stack: TestStack;
let worker: WorkerProcess;
let metricsAddress: string;
beforeAll(async () => {
  stack = await startTestStack({}, { worker: false });
  metricsAddress = `127.0.0.1:${await freePort()}`;
  worker = await startWorkerProcess(stack, { WORKER_METRICS_ADDRESS: metricsAddress, LOG_LEVEL: 'debug' });
});
afterAll(async () => {
  await worker?.stop();
  await stack?.close();
});

/** The worker's output as parsed JSON lines; a line that is not JSON fails the test. */
function logLines(): Record<string, unknown>[] {
  return worker
    .output()
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`worker output is not a JSON line: ${line}`);
      }
    });
}

async function eventually<T>(fn: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await fn();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`${what} did not happen in ${timeoutMs} ms`);
    await sleep(100);
  }
}

describe('the worker process', () => {
  let orderId: string;

  it("runs an order, and logs its workflow's and activities' lines as JSON with the order id", async () => {
    ({ orderId } = await placeOrder(stack, { email: 'telemetry@example.com', paymentMethod: 'pm_card_visa' }));
    await waitForOrder(stack, orderId, (o) => o.status === 'picking');

    // The SDK logs each workflow and activity execution at DEBUG (here LOG_LEVEL=debug), after a
    // short buffer in the Runtime's log collector.
    const lines = await eventually(() => {
      const mine = logLines().filter((l) => l.orderId === orderId);
      return mine.some((l) => l.msg === 'Activity completed') && mine.some((l) => l.msg === 'Workflow started')
        ? mine
        : undefined;
    }, `log lines for order ${orderId}`);
    for (const line of lines) {
      expect(line).toMatchObject({ service: 'worker', workflowId: `order-${orderId}`, workflowType: 'orderWorkflow' });
      expect(line).not.toHaveProperty('taskToken');
    }
    expect(lines.find((l) => l.msg === 'Activity completed')).toMatchObject({
      level: 20,
      activityType: expect.any(String),
      durationMs: expect.any(Number),
    });
    // And the worker's own start line.
    expect(logLines().find((l) => l.msg === 'worker started')).toMatchObject({
      metrics: `http://${metricsAddress}/metrics`,
    });
  });

  it("serves the SDK's runtime metrics for Prometheus", async () => {
    expect(orderId).toBeDefined();
    const res = await fetch(`http://${metricsAddress}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    const names = new Set(
      text
        .split('\n')
        .filter((l) => l.startsWith('temporal_'))
        .map((l) => /^(\w+)/.exec(l)![1]!),
    );
    // Counters and histograms of the work just done, under the SDK's own temporal_ prefix.
    expect([...names].some((n) => n.startsWith('temporal_workflow_task_execution_latency'))).toBe(true);
    expect([...names].some((n) => n.startsWith('temporal_activity_execution_latency'))).toBe(true);
    expect(text).toContain(`task_queue="${stack.config.temporal.taskQueue}"`);
  });

  it('runs on without metrics when the port is taken, and says so', async () => {
    const second = await startWorkerProcess(stack, { WORKER_METRICS_ADDRESS: metricsAddress, LOG_LEVEL: 'info' });
    try {
      const line = (msg: string) =>
        second
          .output()
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>)
          .find((l) => String(l.msg).startsWith(msg));
      // stdout and the IPC "ready" race: the lines may land just after.
      const started = await eventually(() => line('worker started'), 'the "worker started" line');
      expect(started).toMatchObject({ metrics: null });
      expect(line('worker metrics endpoint not started')).toMatchObject({ level: 40, metricsAddress });
    } finally {
      await second.stop();
    }
  });
});
